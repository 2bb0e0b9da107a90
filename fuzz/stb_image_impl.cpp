// stb_image compiled from Debian's libstb-dev headers, instrumented, for the image targets. gankit
// normally links the same code from libstb.so, which libFuzzer cannot see into and ASan cannot
// check; these definitions take precedence in the fuzz binaries. Same version, default settings.
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
