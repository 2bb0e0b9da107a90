// Image bytes (data sets, --real folders, translate/inpaint inputs): io::decode_image on BMP. The
// first 2 bytes are forced to BM, so that the fuzzer stays in stb's BMP decoder.
// fuzz-instrument: src/gankit/io/image.cpp src/gankit/io/jpeg_decoder.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

GANKIT_FUZZ_TARGET(image_bmp) { gankit::fuzz::fuzz_image(data, size, std::string("BM", 2)); }
