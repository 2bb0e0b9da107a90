// The BLAS kernel choice: the decision table on made-up CPUs, and the real mechanism through the
// CLI (a preloaded stand-in for OpenBLAS's corename query plays a CPU OpenBLAS does not know).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gankit/compute/blas_kernels.h"
#include "gankit/compute/kernel_report.h"
#include "support/cli.h"

namespace {

using namespace gankit::compute;

CpuFeatures avx2_amd() {
  CpuFeatures cpu;
  cpu.vendor = "AuthenticAMD";
  cpu.avx = cpu.avx2 = cpu.fma = true;
  return cpu;
}

CpuFeatures avx512_intel(bool bf16) {
  CpuFeatures cpu;
  cpu.vendor = "GenuineIntel";
  cpu.avx = cpu.avx2 = cpu.fma = cpu.avx512 = true;
  cpu.avx512_bf16 = cpu.amx_bf16 = bf16;
  return cpu;
}

TEST(BlasKernels, KnowsTheWidthOfOpenBlasKernelFamilies) {
  EXPECT_EQ(openblas_core_width("Prescott"), VectorWidth::Sse);
  EXPECT_EQ(openblas_core_width("NEHALEM"), VectorWidth::Sse);
  EXPECT_EQ(openblas_core_width("Sandybridge"), VectorWidth::Avx);
  EXPECT_EQ(openblas_core_width("Haswell"), VectorWidth::Avx2);
  EXPECT_EQ(openblas_core_width("Zen"), VectorWidth::Avx2);
  EXPECT_EQ(openblas_core_width("SkylakeX"), VectorWidth::Avx512);
  EXPECT_EQ(openblas_core_width("Cooperlake"), VectorWidth::Avx512);
  EXPECT_EQ(openblas_core_width("SapphireRapids"), VectorWidth::Avx512);
  EXPECT_EQ(openblas_core_width("ARMV8"), VectorWidth::Unknown);
  EXPECT_EQ(openblas_core_width(""), VectorWidth::Unknown);
}

TEST(BlasKernels, BestFamilyFollowsTheCpu) {
  EXPECT_EQ(best_openblas_core(CpuFeatures{}), "");
  EXPECT_EQ(best_openblas_core(avx2_amd()), "Zen");
  auto intel_avx2 = avx2_amd();
  intel_avx2.vendor = "GenuineIntel";
  EXPECT_EQ(best_openblas_core(intel_avx2), "Haswell");
  EXPECT_EQ(best_openblas_core(avx512_intel(false)), "SkylakeX");
  EXPECT_EQ(best_openblas_core(avx512_intel(true)), "Cooperlake");
}

TEST(BlasKernels, ForcesWiderKernelsOnlyWhenTheLibraryFellBackAndTheUserDidNotChoose) {
  // Sapphire Rapids under OpenBLAS 0.3.21: detected as Prescott.
  EXPECT_EQ(openblas_core_to_force("Prescott", avx512_intel(true), false), "Cooperlake");
  EXPECT_EQ(openblas_core_to_force("Prescott", avx512_intel(false), false), "SkylakeX");
  EXPECT_EQ(openblas_core_to_force("Sandybridge", avx2_amd(), false), "Zen");
  EXPECT_EQ(openblas_core_to_force("Haswell", avx512_intel(false), false), "SkylakeX");
  // As wide as the CPU allows already, or the same width under another name: nothing to do.
  EXPECT_EQ(openblas_core_to_force("Haswell", avx2_amd(), false), "");
  EXPECT_EQ(openblas_core_to_force("SkylakeX", avx512_intel(true), false), "");
  // The user's own OPENBLAS_CORETYPE is left alone, even when narrower.
  EXPECT_EQ(openblas_core_to_force("Prescott", avx512_intel(true), true), "");
  // A name gankit does not know (another architecture, a newer OpenBLAS): left alone.
  EXPECT_EQ(openblas_core_to_force("NeoverseN1", avx512_intel(true), false), "");
  // A CPU without AVX: nothing beats the SSE kernels.
  EXPECT_EQ(openblas_core_to_force("Prescott", CpuFeatures{}, false), "");
}

TEST(BlasKernels, KernelsInUseAgreeWithFloat64) {
  const auto agreement = check_gemm_against_float64();
  EXPECT_LT(agreement.float32_relative_error, 1e-5);
  // bf16 products accumulate in float32: against the exact product of the rounded inputs.
  if (agreement.bfloat16_relative_error >= 0) EXPECT_LT(agreement.bfloat16_relative_error, 1e-2);
}

/// `gankit info --kernels` under `environment` (e.g. "env -u OPENBLAS_CORETYPE"), as JSON.
nlohmann::json kernel_report_under(const std::string& environment, const std::filesystem::path& cwd) {
  const auto out = cwd / "kernels.json";
  const std::string command = "cd '" + cwd.string() + "' && " + environment + " '" + GANKIT_CLI_PATH +
                              "' info --kernels >'" + out.string() + "' 2>&1 </dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << gankit::test::slurp(out);
  return nlohmann::json::parse(gankit::test::slurp(out));
}

const std::string kFakePrescott = std::string("LD_PRELOAD='") + GANKIT_FAKE_OPENBLAS_CORE + "'";

TEST(BlasKernelsCli, ReexecutesWithTheCpusBestKernelsWhenOpenBlasFellBack) {
  const auto best = best_openblas_core(detect_cpu_features());
  if (openblas_core_width(best) <= VectorWidth::Sse) GTEST_SKIP() << "this CPU has nothing wider than SSE";
  gankit::test::TempDir dir;
  const auto report = kernel_report_under("env -u OPENBLAS_CORETYPE " + kFakePrescott, dir.path());
  const auto& blas = report["blas"];
  EXPECT_EQ(blas["chosen_by"], "gankit");
  EXPECT_EQ(blas["library_choice"], "Prescott");
  EXPECT_EQ(blas["core"], best);
  EXPECT_NE(blas["line"].get<std::string>().find("gankit's choice: OpenBLAS picked Prescott"), std::string::npos)
      << blas["line"];
  // The kernels OpenBLAS really runs now (OPENBLAS_CORETYPE=best) agree with float64.
  EXPECT_LT(report["gemm_check"]["float32_relative_error"].get<double>(), 1e-5);
}

TEST(BlasKernelsCli, LeavesTheUsersOwnChoiceAlone) {
  gankit::test::TempDir dir;
  const auto report = kernel_report_under("OPENBLAS_CORETYPE=Prescott " + kFakePrescott, dir.path());
  EXPECT_EQ(report["blas"]["chosen_by"], "user");
  EXPECT_EQ(report["blas"]["core"], "Prescott");
  EXPECT_NE(report["blas"]["line"].get<std::string>().find("OPENBLAS_CORETYPE, left as set"), std::string::npos);
  // Real OpenBLAS, really on its SSE3 kernels.
  const auto real = kernel_report_under("OPENBLAS_CORETYPE=Prescott", dir.path());
  EXPECT_EQ(real["blas"]["core"], "Prescott");
  EXPECT_LT(real["gemm_check"]["float32_relative_error"].get<double>(), 1e-5);
}

TEST(BlasKernelsCli, TheRealLibraryEndsUpAsWideAsTheCpuAllows) {
  gankit::test::TempDir dir;
  const auto report = kernel_report_under("env -u OPENBLAS_CORETYPE", dir.path());
  const auto& blas = report["blas"];
  if (!blas["openblas"].get<bool>()) GTEST_SKIP() << "this LibTorch does not use OpenBLAS";
  const auto best = blas["best_for_cpu"].get<std::string>();
  if (best.empty()) GTEST_SKIP() << "nothing beats SSE here";
  // Whether OpenBLAS knew this CPU (its own choice) or gankit stepped in.
  EXPECT_EQ(openblas_core_width(blas["core"]), openblas_core_width(best)) << blas["line"];
  EXPECT_NE(blas["chosen_by"], "user");
}

}  // namespace
