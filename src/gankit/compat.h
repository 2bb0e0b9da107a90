// The only place that knows LibTorch version differences (1.13 from Debian, 2.x from PyTorch).
#pragma once
#include <torch/torch.h>
#include <torch/version.h>

#define GANKIT_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||         \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace gankit::compat {

/// The process-wide CPU generator that torch::randn & co. draw from.
inline at::Generator default_cpu_generator() { return at::detail::getDefaultCPUGenerator(); }

/// Whether a CUDA device can be used (LibTorch 1.13 from Debian is CPU-only).
inline bool cuda_available() { return torch::cuda::is_available(); }

}  // namespace gankit::compat
