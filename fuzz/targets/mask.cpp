// Inpainting masks (gankit inpaint --mask): data::read_mask at the size the file's header
// declares, and io::image_channels (the header-only look at an image file that data sets use).
// fuzz-instrument: src/gankit/data/masks.cpp src/gankit/io/image.cpp src/gankit/io/jpeg_decoder.cpp fuzz/stb_image_impl.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../image_fuzz.h"

#include <cstdlib>

#include "gankit/data/masks.h"

GANKIT_FUZZ_TARGET(mask) {
  static gankit::fuzz::ScratchFile file("mask.png");
  const auto& path = file.write(data, size);
  gankit::fuzz::PixelLimit limit(gankit::fuzz::kFuzzMaxPixels);
  // The size the mask must have: the image's own (decoded through gankit, which checks the bytes
  // before stb sees them), so that read_mask gets past its size check.
  int64_t height = 1, width = 1;
  try {
    const auto image = gankit::io::decode_image(std::string(reinterpret_cast<const char*>(data), size), "m");
    height = image.size(1);
    width = image.size(2);
  } catch (const gankit::Error&) {
  }
  try {
    const auto mask = gankit::data::read_mask(path, height, width);
    if (mask.sizes() != torch::IntArrayRef({1, 1, height, width})) std::abort();
    if (!mask.eq(0).logical_or(mask.eq(1)).all().item<bool>()) std::abort();
  } catch (const gankit::Error&) {
  }
  try {
    const int c = gankit::io::image_channels(path);
    if (c != 1 && c != 3) std::abort();
  } catch (const gankit::Error&) {
  }
}
