// Image bytes (data sets, --real folders, translate/inpaint inputs): io::decode_image on JPEG. The
// first 2 bytes are forced to \xff\xd8, so that the fuzzer stays in stb's JPEG decoder.
// fuzz-instrument: src/gankit/io/image.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

GANKIT_FUZZ_TARGET(image_jpeg) { gankit::fuzz::fuzz_image(data, size, std::string("\xff\xd8", 2)); }
