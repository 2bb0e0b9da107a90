#include "gankit/compute/kernel_report.h"

#include <torch/torch.h>

#include "gankit/compute/blas_kernels.h"
#include "gankit/compute/precision.h"

namespace gankit::compute {

namespace {

double relative_error(const torch::Tensor& product, const torch::Tensor& exact) {
  return (product.to(torch::kDouble) - exact).abs().max().item<double>() / exact.abs().max().item<double>();
}

}  // namespace

GemmAgreement check_gemm_against_float64() {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(20261127);
  const auto a = torch::randn({777, 513}, generator, torch::kFloat);
  const auto b = torch::randn({513, 1031}, generator, torch::kFloat);
  const auto exact = torch::mm(a.to(torch::kDouble), b.to(torch::kDouble));
  GemmAgreement result;
  result.float32_relative_error = relative_error(torch::mm(a, b), exact);
  const auto cpu = detect_cpu_features();
  if (resolve_precision(Precision::Auto, torch::kCPU, cpu, "").precision == Precision::Bf16) {
    // Against the product of the bf16-rounded inputs: what is left is the kernel's own error.
    const auto a16 = a.to(torch::kBFloat16), b16 = b.to(torch::kBFloat16);
    const auto exact16 = torch::mm(a16.to(torch::kDouble), b16.to(torch::kDouble));
    result.bfloat16_relative_error = relative_error(torch::mm(a16, b16), exact16);
  }
  return result;
}

nlohmann::ordered_json kernel_report() {
  const auto cpu = detect_cpu_features();
  const auto blas = current_blas_kernels();
  const auto precision = resolve_precision(Precision::Auto, torch::kCPU, cpu, "train.precision");
  const auto agreement = check_gemm_against_float64();
  nlohmann::ordered_json report;
  report["cpu"] = {{"vendor", cpu.vendor}, {"features", cpu.summary()}};
  report["blas"] = {{"openblas", blas.openblas},   {"version", blas.version},
                    {"core", blas.core},           {"chosen_by", blas.chosen_by},
                    {"library_choice", blas.library_choice}, {"best_for_cpu", blas.best},
                    {"line", describe_blas_kernels()}};
  report["precision_auto"] = {{"cpu", precision_name(precision.precision)}, {"reason", precision.reason}};
  report["onednn"] = torch::hasMKLDNN();
  report["gemm_check"] = {{"shape", "777x513 @ 513x1031"},
                          {"float32_relative_error", agreement.float32_relative_error}};
  if (agreement.bfloat16_relative_error >= 0) {
    report["gemm_check"]["bfloat16_relative_error"] = agreement.bfloat16_relative_error;
  }
  return report;
}

}  // namespace gankit::compute
