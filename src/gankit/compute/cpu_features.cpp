#include "gankit/compute/cpu_features.h"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define GANKIT_X86 1
#endif

namespace gankit::compute {

namespace {

#ifdef GANKIT_X86
struct Registers {
  unsigned a = 0, b = 0, c = 0, d = 0;
};

Registers cpuid(unsigned leaf, unsigned subleaf) {
  Registers r;
  if (!__get_cpuid_count(leaf, subleaf, &r.a, &r.b, &r.c, &r.d)) return {};
  return r;
}

bool bit(unsigned value, int n) { return (value >> n) & 1u; }

/// XCR0: which register states the OS saves on a context switch.
uint64_t enabled_register_states() {
  uint32_t low = 0, high = 0;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (static_cast<uint64_t>(high) << 32) | low;
}
#endif

}  // namespace

std::string CpuFeatures::summary() const {
  std::string out;
  const auto add = [&](bool present, const char* name) {
    if (!present) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  add(amx_bf16, "AMX-BF16");
  add(avx512_bf16, "AVX512-BF16");
  add(avx512, "AVX-512");
  add(avx2, "AVX2");
  add(fma, "FMA");
  add(avx, "AVX");
  return out.empty() ? "SSE only" : out;
}

namespace {

CpuFeatures read_cpu_features() {
  CpuFeatures f;
#ifdef GANKIT_X86
  const auto vendor = cpuid(0, 0);
  char name[13] = {};
  std::memcpy(name, &vendor.b, 4);
  std::memcpy(name + 4, &vendor.d, 4);
  std::memcpy(name + 8, &vendor.c, 4);
  f.vendor = name;
  const auto basic = cpuid(1, 0);
  if (!bit(basic.c, 27)) return f;  // no OSXSAVE: no AVX state, nothing wider than SSE
  const uint64_t xcr0 = enabled_register_states();
  const bool ymm = (xcr0 & 0x6) == 0x6;              // SSE + AVX state
  const bool zmm = ymm && (xcr0 & 0xe0) == 0xe0;     // opmask + ZMM state
  const bool tiles = (xcr0 & 0x60000) == 0x60000;    // AMX TILECFG + TILEDATA
  const auto ext = vendor.a >= 7 ? cpuid(7, 0) : Registers{};
  const auto ext1 = vendor.a >= 7 ? cpuid(7, 1) : Registers{};
  f.avx = ymm && bit(basic.c, 28);
  f.fma = f.avx && bit(basic.c, 12);
  f.avx2 = f.avx && bit(ext.b, 5);
  // F (16), DQ (17), CD (28), BW (30), VL (31): what OpenBLAS's and oneDNN's AVX-512 kernels need.
  f.avx512 = zmm && bit(ext.b, 16) && bit(ext.b, 17) && bit(ext.b, 28) && bit(ext.b, 30) && bit(ext.b, 31);
  f.avx512_bf16 = f.avx512 && bit(ext1.a, 5);
  f.amx_bf16 = tiles && bit(ext.d, 22) && bit(ext.d, 24);
#endif
  return f;
}

}  // namespace

CpuFeatures detect_cpu_features() {
  static const CpuFeatures features = read_cpu_features();  // the CPU does not change under a process
  return features;
}

}  // namespace gankit::compute
