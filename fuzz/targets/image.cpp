// Image bytes (data sets, --real folders, translate/inpaint inputs): io::decode_image on whatever
// stb reads: PNG, JPEG, BMP, GIF, and also PSD, PIC, PNM, HDR and TGA (TGA has no magic number, so
// almost any bytes reach its decoder).
// fuzz-instrument: src/gankit/io/image.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

GANKIT_FUZZ_TARGET(image) { gankit::fuzz::fuzz_image(data, size, std::string()); }
