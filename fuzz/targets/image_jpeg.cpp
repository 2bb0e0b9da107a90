// Image bytes (data sets, --real folders, translate/inpaint inputs): io::decode_image on JPEG. The
// first 3 bytes are forced to \xff\xd8\xff, so that the fuzzer stays in the JPEG decoder (libjpeg-turbo).
// fuzz-instrument: src/gankit/io/image.cpp src/gankit/io/jpeg_decoder.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

GANKIT_FUZZ_TARGET(image_jpeg) { gankit::fuzz::fuzz_image(data, size, std::string("\xff\xd8\xff", 3)); }
