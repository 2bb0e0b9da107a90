// What `gankit info --kernels` prints: the CPU's features, the BLAS kernels in use and why, what
// train.precision = auto picks here, and a check that the GEMM kernels in use agree with float64.
#pragma once
#include <nlohmann/json.hpp>

namespace gankit::compute {

/// Max |float32 - float64| of one 777x513 by 513x1031 product (odd sizes reach every kernel edge
/// case), relative to the largest |entry|, through the BLAS in use; and the same through oneDNN's
/// bf16 GEMM where this CPU runs it.
struct GemmAgreement {
  double float32_relative_error = 0;
  double bfloat16_relative_error = -1;  ///< -1: not measured (no bf16 GEMM on this CPU)
};
GemmAgreement check_gemm_against_float64();

/// The whole report, as one JSON object.
nlohmann::ordered_json kernel_report();

}  // namespace gankit::compute
