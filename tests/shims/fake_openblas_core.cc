// Preloaded (LD_PRELOAD) ahead of OpenBLAS by the kernel tests: answers OpenBLAS's corename query
// as OpenBLAS does on a CPU it does not know, with its SSE3 kernels ("Prescott"), unless
// OPENBLAS_CORETYPE asks for others. Lets the re-execution be tested on any x86-64 CPU. The real
// OpenBLAS still runs every GEMM, with the kernels OPENBLAS_CORETYPE names.
#include <cstdlib>

extern "C" const char* openblas_get_corename() {
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  return forced != nullptr && *forced != '\0' ? forced : "Prescott";
}
