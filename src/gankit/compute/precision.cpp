#include "gankit/compute/precision.h"

#include <ATen/autocast_mode.h>
#include <fmt/format.h>

#include "gankit/compat.h"
#include "gankit/error.h"

namespace gankit::compute {

const EnumTable<Precision>& precisions() {
  static const EnumTable<Precision> table{
      {Precision::Auto, "auto", "bf16 where the CPU has bf16 units (AMX, AVX512-BF16), else fp32"},
      {Precision::Fp32, "fp32", "float32 throughout"},
      {Precision::Bf16, "bf16", "bfloat16 autocast for convolutions and linear layers (CPU or CUDA)"},
      {Precision::Fp16, "fp16", "float16 autocast with dynamic loss scaling (CUDA only)"},
  };
  return table;
}

Precision parse_precision(const std::string& name, const char* key) { return precisions().parse_setting(name, key); }

const char* precision_name(Precision precision) { return precisions().name(precision); }

PrecisionChoice resolve_precision(Precision requested, const torch::Device& device, const CpuFeatures& cpu,
                                  const std::string& key) {
  const bool cpu_device = device.is_cpu();
  const bool bf16_units = cpu.amx_bf16 || cpu.avx512_bf16;
  // oneDNN (inside LibTorch) runs bf16 convolutions and GEMMs only on AVX-512 CPUs and up.
  const bool onednn_bf16 = torch::hasMKLDNN() && cpu.avx512;
  const auto units = cpu.amx_bf16 ? "AMX" : "AVX512-BF16";
  switch (requested) {
    case Precision::Fp32:
      return {Precision::Fp32, "as configured"};
    case Precision::Fp16:
      if (cpu_device) fail("{}: fp16 needs a CUDA device; on the CPU use bf16 or auto", key);
      return {Precision::Fp16, "as configured, with dynamic loss scaling"};
    case Precision::Bf16:
      if (!cpu_device) return {Precision::Bf16, "as configured"};
      if (!onednn_bf16) {
        fail("{}: bf16 on the CPU needs AVX-512 and oneDNN (its bf16 kernels); this CPU has {}: use fp32 or auto",
             key, cpu.summary());
      }
      if (bf16_units) return {Precision::Bf16, fmt::format("as configured, on {} through oneDNN", units)};
      return {Precision::Bf16, "as configured; this CPU has no bf16 units, so oneDNN emulates them: slower than fp32"};
    case Precision::Auto:
      if (!cpu_device) return {Precision::Fp32, "auto: fp32 on CUDA"};
      if (bf16_units && onednn_bf16) return {Precision::Bf16, fmt::format("auto: this CPU has {}", units)};
      return {Precision::Fp32, "auto: this CPU has no bf16 units"};
  }
  return {Precision::Fp32, "as configured"};
}

torch::ScalarType compute_dtype(Precision precision) {
  switch (precision) {
    case Precision::Bf16: return torch::kBFloat16;
    case Precision::Fp16: return torch::kHalf;
    case Precision::Auto:
    case Precision::Fp32: break;
  }
  return torch::kFloat;
}

AutocastScope::AutocastScope(Precision precision, const torch::Device& device) {
  const auto dtype = compute_dtype(precision);
  if (dtype == torch::kFloat) return;
  active_ = true;
  device_type_ = device.is_cuda() ? torch::kCUDA : torch::kCPU;
  const auto previous = compat::autocast_state(device_type_);
  was_enabled_ = previous.enabled;
  previous_dtype_ = previous.dtype;
  compat::set_autocast_state(device_type_, {true, dtype});
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  compat::set_autocast_state(device_type_, {was_enabled_, previous_dtype_});
}

WithoutAutocast::WithoutAutocast()
    : cpu_(compat::autocast_state(torch::kCPU).enabled), cuda_(compat::autocast_state(torch::kCUDA).enabled) {
  if (cpu_) compat::set_autocast_state(torch::kCPU, {false, compat::autocast_state(torch::kCPU).dtype});
  if (cuda_) compat::set_autocast_state(torch::kCUDA, {false, compat::autocast_state(torch::kCUDA).dtype});
}

WithoutAutocast::~WithoutAutocast() {
  if (cpu_) compat::set_autocast_state(torch::kCPU, {true, compat::autocast_state(torch::kCPU).dtype});
  if (cuda_) compat::set_autocast_state(torch::kCUDA, {true, compat::autocast_state(torch::kCUDA).dtype});
}

bool cpu_bf16_autocast_active() {
  const auto state = compat::autocast_state(torch::kCPU);
  return state.enabled && state.dtype == torch::kBFloat16;
}

}  // namespace gankit::compute
