// What the CPU can do, read from cpuid at run time: the kernels and the precision gankit picks
// follow this, never the machine it was built on.
#pragma once
#include <string>

namespace gankit::compute {

/// Instruction-set extensions that change which kernels are fastest. Each is true only when the
/// CPU has it and the OS saves its registers (XCR0), so code may use it.
struct CpuFeatures {
  std::string vendor;  ///< "GenuineIntel", "AuthenticAMD", ... ("" off x86)
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  /// AVX-512 F, CD, BW, DQ and VL together (Skylake-SP and later, Zen 4 and later).
  bool avx512 = false;
  /// AVX512-BF16: vdpbf16ps (Cooper Lake, Sapphire Rapids, Zen 4 and later).
  bool avx512_bf16 = false;
  /// AMX tiles with bf16 (Sapphire Rapids and later).
  bool amx_bf16 = false;

  /// Names of the extensions present, widest first: "AMX-BF16 AVX512-BF16 AVX-512 AVX2 FMA AVX".
  std::string summary() const;
};

/// The CPU this process runs on (cpuid + xgetbv, read once); all false on other architectures.
CpuFeatures detect_cpu_features();

}  // namespace gankit::compute
