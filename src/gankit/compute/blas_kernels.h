// Which GEMM kernels the BLAS under LibTorch runs, and the fix when they are narrower than the CPU.
// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels when it loads; on CPUs newer than it
// knows (Sapphire Rapids seen) it falls back to SSE3 ("Prescott"): 14 against 91 GFLOP/s a thread
// with the AVX-512 kernels. The choice can only be changed before the library loads, by the
// environment variable OPENBLAS_CORETYPE, so gankit re-executes itself with it set.
#pragma once
#include <string>

#include "gankit/compute/cpu_features.h"

namespace gankit::compute {

/// The widest vector unit an OpenBLAS x86-64 kernel family ("Haswell", "SkylakeX", ...) uses.
enum class VectorWidth { Unknown = -1, Sse = 0, Avx = 1, Avx2 = 2, Avx512 = 3 };

/// The family's width; Unknown for a name this table lacks (case-insensitive).
VectorWidth openblas_core_width(const std::string& core);

/// The OpenBLAS kernel family that suits `cpu` best; "" when nothing beats the SSE kernels.
std::string best_openblas_core(const CpuFeatures& cpu);

/// The decision, without side effects: the family to force, or "" to keep what the library chose.
/// Nothing is forced when the user set OPENBLAS_CORETYPE, when the library's choice is unknown to
/// the table, or when it is already as wide as the CPU allows.
std::string openblas_core_to_force(const std::string& library_choice, const CpuFeatures& cpu, bool user_set);

/// What the process runs on, for the banner and `gankit info --kernels`.
struct BlasKernels {
  bool openblas = false;       ///< false: another BLAS (MKL in PyTorch's LibTorch), left alone
  std::string version;         ///< "OpenBLAS 0.3.21 ..." (openblas_get_config)
  std::string core;            ///< the kernels in use (openblas_get_corename)
  std::string chosen_by;       ///< "openblas" (its own detection), "user" (OPENBLAS_CORETYPE) or "gankit"
  std::string library_choice;  ///< what OpenBLAS picked on its own, when gankit overrode it
  std::string best;            ///< what suits this CPU best ("" if nothing beats SSE)
};

/// Reads the BLAS this process has loaded.
BlasKernels current_blas_kernels();

/// Called first in main, before any tensor work: when OpenBLAS chose kernels narrower than the CPU
/// allows and the user did not choose, re-executes this program (same pid, same arguments) with
/// OPENBLAS_CORETYPE set. Returns when there is nothing to do, or when the re-execution failed.
void use_best_blas_kernels(char** argv);

/// One line for run banners: "BLAS: OpenBLAS SkylakeX kernels (gankit's choice: ...)".
std::string describe_blas_kernels();

}  // namespace gankit::compute
