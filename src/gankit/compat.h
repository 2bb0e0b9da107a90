// The only place that knows LibTorch version differences (1.13 from Debian, 2.x from PyTorch).
#pragma once
#include <torch/torch.h>
#include <torch/version.h>

#define GANKIT_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||         \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace c10d {
class ProcessGroup;
class Backend;
}  // namespace c10d

namespace gankit::compat {

/// What a c10d process group (ProcessGroupGloo, ProcessGroupNCCL) derives from and offers the
/// collectives through: ProcessGroup in 1.13, Backend since 2.0.
#if GANKIT_TORCH_AT_LEAST(2, 0)
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

/// The process-wide CPU generator that torch::randn & co. draw from.
inline at::Generator default_cpu_generator() { return at::detail::getDefaultCPUGenerator(); }

/// Whether a CUDA device can be used (LibTorch 1.13 from Debian is CPU-only).
inline bool cuda_available() { return torch::cuda::is_available(); }

/// Makes ATen ops issued from the calling thread run on that thread alone, leaving the global
/// thread count alone. For helper threads (the data loader): an OpenMP team of their own,
/// spinning beside the training step's team, slows both down on a small machine.
void run_intraop_on_this_thread_only();

/// A convolution's explicit padding (options.padding() holds a variant: c10::variant in 1.13,
/// std::variant in 2.x). Transposed convolutions only ever hold the explicit form.
template <size_t D, typename Padding>
torch::ExpandingArray<D> explicit_padding(const Padding& padding) {
#if GANKIT_TORCH_AT_LEAST(2, 1)
  return std::get<torch::ExpandingArray<D>>(padding);
#else
  return c10::get<torch::ExpandingArray<D>>(padding);
#endif
}

}  // namespace gankit::compat

namespace gankit::compat {

/// Autocast's state for one device type (CPU or CUDA): 1.13 and 2.0-2.3 have one setter per device
/// type, 2.4 and later take the device type as an argument.
struct AutocastState {
  bool enabled = false;
  torch::ScalarType dtype = torch::kFloat;
};
AutocastState autocast_state(torch::DeviceType device_type);
void set_autocast_state(torch::DeviceType device_type, AutocastState state);

}  // namespace gankit::compat
