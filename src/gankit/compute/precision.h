// The arithmetic a run computes in: `train.precision` (and `--precision` of the inference
// commands). Weights, optimiser state, BatchNorm statistics and losses always stay float32; the
// lower precision is for the heavy ops (convolutions, transposed convolutions, linear layers),
// through autocast.
#pragma once
#include <string>

#include <torch/torch.h>

#include "gankit/compute/cpu_features.h"
#include "gankit/enum_table.h"

namespace gankit::compute {

enum class Precision { Auto, Fp32, Bf16, Fp16 };

/// The one table of precisions: names for the config, the CLI, the banner and the errors.
const EnumTable<Precision>& precisions();
/// The precision named `name`; else gankit::Error "KEY = 'NAME': unknown (valid: auto, fp32, bf16, fp16)".
Precision parse_precision(const std::string& name, const char* key);
const char* precision_name(Precision precision);

/// What a request means on `device`, never Auto, and why, for the banner.
struct PrecisionChoice {
  Precision precision = Precision::Fp32;
  std::string reason;
};

/// auto: bf16 on a CPU with bf16 units (AMX or AVX512-BF16) that oneDNN can use, fp32 elsewhere
/// (CUDA included). bf16 asked for on an AVX-512 CPU without bf16 units runs emulated and says so;
/// on a CPU without AVX-512 (no oneDNN bf16 kernels) it is an error naming `key`.
/// fp16 needs CUDA: on the CPU it is an error naming `key`.
PrecisionChoice resolve_precision(Precision requested, const torch::Device& device, const CpuFeatures& cpu,
                                  const std::string& key);

/// The dtype autocast computes the heavy ops in (kFloat for fp32).
torch::ScalarType compute_dtype(Precision precision);

/// Autocast for `precision` on `device`'s type while alive (nothing for fp32); restores the state
/// it found and drops autocast's cache of cast weights at the outermost exit, so a weight cast in
/// one step is never reused after the optimiser changed it.
class AutocastScope {
 public:
  AutocastScope(Precision precision, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  torch::DeviceType device_type_ = torch::kCPU;
  bool was_enabled_ = false;
  torch::ScalarType previous_dtype_ = torch::kFloat;
};

/// Turns autocast off (CPU and CUDA) while alive, for arithmetic that must stay float32 inside an
/// autocast region (spectral norm's power iteration and σ).
class WithoutAutocast {
 public:
  WithoutAutocast();
  ~WithoutAutocast();
  WithoutAutocast(const WithoutAutocast&) = delete;
  WithoutAutocast& operator=(const WithoutAutocast&) = delete;

 private:
  bool cpu_ = false, cuda_ = false;
};

/// True while CPU autocast to bfloat16 is on in this thread (layers with their own bf16 path ask).
bool cpu_bf16_autocast_active();

}  // namespace gankit::compute
