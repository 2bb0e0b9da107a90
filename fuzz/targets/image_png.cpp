// Image bytes (data sets, --real folders, translate/inpaint inputs): io::decode_image on PNG. The
// first 8 bytes are forced to \x89PNG\r\n\x1a\n, so that the fuzzer stays in stb's PNG decoder.
// fuzz-instrument: src/gankit/io/image.cpp src/gankit/io/jpeg_decoder.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

GANKIT_FUZZ_TARGET(image_png) { gankit::fuzz::fuzz_image(data, size, std::string("\x89PNG\r\n\x1a\n", 8)); }
