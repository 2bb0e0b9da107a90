// Image bytes (data sets, --real folders, translate/inpaint inputs): io::decode_image on any bytes:
// the format check (PNG, JPEG, BMP, GIF by magic number; stb's PSD, PIC, PNM, HDR and TGA refused),
// then libjpeg-turbo for JPEG and stb for the others.
// fuzz-instrument: src/gankit/io/image.cpp src/gankit/io/jpeg_decoder.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

GANKIT_FUZZ_TARGET(image) { gankit::fuzz::fuzz_image(data, size, std::string()); }
