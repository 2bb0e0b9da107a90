// Image bytes (data sets, --real folders, translate/inpaint inputs): io::decode_image on GIF. The
// first 4 bytes are forced to GIF8, so that the fuzzer stays in stb's GIF decoder.
// fuzz-instrument: src/gankit/io/image.cpp src/gankit/io/jpeg_decoder.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

GANKIT_FUZZ_TARGET(image_gif) { gankit::fuzz::fuzz_image(data, size, std::string("GIF8", 4)); }
