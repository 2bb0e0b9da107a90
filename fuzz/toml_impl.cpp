// toml++'s implementation (the TOML parser), compiled from Debian's headers, instrumented, for the
// config targets. gankit normally links the same code from libtomlplusplus.so, which libFuzzer
// cannot see into and ASan cannot check; these definitions take precedence in the fuzz binaries.
// (config.cpp itself comes from the GCC build: clang 14 rejects its lambdas that capture
// structured bindings, a GCC extension before C++20.)
//
// Debian builds the library with NDEBUG, which compiles toml++'s internal assertions out (GCC has no
// __builtin_assume); here they are off too, so that the fuzzer checks the code as it runs in
// gankit. (With them on, `[` followed by a NUL byte fails parse_key's assertion: fuzz results.)
#define TOML_ASSERT(expr) static_cast<void>(0)
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
