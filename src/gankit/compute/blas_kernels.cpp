#include "gankit/compute/blas_kernels.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace gankit::compute {

namespace {

/// Set by gankit when it re-executes: what OpenBLAS had chosen on its own. Also marks the variable
/// OPENBLAS_CORETYPE as gankit's, not the user's, and stops a second re-execution.
constexpr const char* kLibraryChoiceVariable = "GANKIT_OPENBLAS_LIBRARY_CHOICE";
constexpr const char* kCoreVariable = "OPENBLAS_CORETYPE";

/// OpenBLAS 0.3.x's x86-64 DYNAMIC_ARCH kernel families (driver/others/dynamic.c), by width.
constexpr std::array<std::pair<const char*, VectorWidth>, 25> kCoreWidths{{
    {"katmai", VectorWidth::Sse},        {"coppermine", VectorWidth::Sse},  {"northwood", VectorWidth::Sse},
    {"prescott", VectorWidth::Sse},      {"banias", VectorWidth::Sse},      {"core2", VectorWidth::Sse},
    {"penryn", VectorWidth::Sse},        {"dunnington", VectorWidth::Sse},  {"nehalem", VectorWidth::Sse},
    {"atom", VectorWidth::Sse},          {"athlon", VectorWidth::Sse},      {"opteron", VectorWidth::Sse},
    {"opteron_sse3", VectorWidth::Sse},  {"barcelona", VectorWidth::Sse},   {"nano", VectorWidth::Sse},
    {"bobcat", VectorWidth::Sse},        {"sandybridge", VectorWidth::Avx}, {"bulldozer", VectorWidth::Avx},
    {"piledriver", VectorWidth::Avx},    {"steamroller", VectorWidth::Avx}, {"excavator", VectorWidth::Avx},
    {"haswell", VectorWidth::Avx2},      {"zen", VectorWidth::Avx2},        {"skylakex", VectorWidth::Avx512},
    {"cooperlake", VectorWidth::Avx512},
}};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

/// A string-returning OpenBLAS query, or "" when the loaded BLAS is not OpenBLAS.
std::string openblas_query(const char* symbol) {
  using Query = char* (*)();
  const auto query = reinterpret_cast<Query>(dlsym(RTLD_DEFAULT, symbol));
  const char* text = query ? query() : nullptr;
  std::string out = text ? text : "";
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

}  // namespace

VectorWidth openblas_core_width(const std::string& core) {
  const auto name = lower(core);
  if (name == "sapphirerapids") return VectorWidth::Avx512;  // OpenBLAS 0.3.22 and later
  for (const auto& [known, width] : kCoreWidths) {
    if (name == known) return width;
  }
  return VectorWidth::Unknown;
}

std::string best_openblas_core(const CpuFeatures& cpu) {
  // Cooperlake = SkylakeX's single-precision kernels plus bf16 GEMM; known since OpenBLAS 0.3.11.
  if (cpu.avx512_bf16) return "Cooperlake";
  if (cpu.avx512) return "SkylakeX";
  if (cpu.avx2 && cpu.fma) return cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell";
  if (cpu.avx) return "Sandybridge";
  return "";
}

std::string openblas_core_to_force(const std::string& library_choice, const CpuFeatures& cpu, bool user_set) {
  const auto best = best_openblas_core(cpu);
  if (user_set || best.empty()) return "";
  const auto have = openblas_core_width(library_choice);
  if (have == VectorWidth::Unknown || have >= openblas_core_width(best)) return "";
  return best;
}

BlasKernels current_blas_kernels() {
  BlasKernels k;
  k.core = openblas_query("openblas_get_corename");
  k.openblas = !k.core.empty();
  if (!k.openblas) return k;
  k.version = openblas_query("openblas_get_config");
  k.best = best_openblas_core(detect_cpu_features());
  if (const char* library_choice = environment(kLibraryChoiceVariable)) {
    k.chosen_by = "gankit";
    k.library_choice = library_choice;
  } else {
    k.chosen_by = environment(kCoreVariable) ? "user" : "openblas";
  }
  return k;
}

void use_best_blas_kernels(char** argv) {
  if (environment(kLibraryChoiceVariable)) return;  // already re-executed once
  const auto library_choice = openblas_query("openblas_get_corename");
  if (library_choice.empty()) return;
  const auto core = openblas_core_to_force(library_choice, detect_cpu_features(), environment(kCoreVariable));
  if (core.empty()) return;
  setenv(kCoreVariable, core.c_str(), 1);
  setenv(kLibraryChoiceVariable, library_choice.c_str(), 1);
  execv("/proc/self/exe", argv);
  // Not re-executed (no /proc, say): run with the library's kernels, and say so in the banner.
  unsetenv(kCoreVariable);
  unsetenv(kLibraryChoiceVariable);
}

std::string describe_blas_kernels() {
  const auto k = current_blas_kernels();
  if (!k.openblas) return "BLAS: not OpenBLAS; its own kernel choice";
  const auto cpu = detect_cpu_features();
  std::string why;
  if (k.chosen_by == "gankit") {
    why = fmt::format("gankit's choice: OpenBLAS picked {} on this {} CPU", k.library_choice, cpu.summary());
  } else if (k.chosen_by == "user") {
    why = "OPENBLAS_CORETYPE, left as set";
    const auto width = openblas_core_width(k.core);
    if (!k.best.empty() && width != VectorWidth::Unknown && width < openblas_core_width(k.best)) {
      why += fmt::format("; this CPU would run {}", k.best);
    }
  } else {
    why = "OpenBLAS's own choice";
  }
  return fmt::format("BLAS: OpenBLAS {} kernels ({})", k.core, why);
}

}  // namespace gankit::compute
