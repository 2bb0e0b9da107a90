// toml++'s implementation (the TOML parser), compiled from Debian's headers, instrumented, for the
// config targets. gankit normally links the same code from libtomlplusplus.so, which libFuzzer
// cannot see into and ASan cannot check; these definitions take precedence in the fuzz binaries.
// (config.cpp itself comes from the GCC build: clang 14 rejects its lambdas that capture
// structured bindings, a GCC extension before C++20.)
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
