// The body shared by the image targets: io::decode_image (gankit's format and header checks, then libjpeg-turbo or stb_image).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gankit/error.h"
#include "gankit/io/image.h"

namespace gankit::fuzz {

/// Limits images to 4 megapixels while it lives (decoding 64 of them is slow, not more exposed),
/// then puts the previous limit back (the replay test shares the process with other tests).
class PixelLimit {
 public:
  explicit PixelLimit(int64_t pixels) : old_(io::max_image_pixels()) { io::set_max_image_pixels(pixels); }
  ~PixelLimit() { io::set_max_image_pixels(old_); }

 private:
  int64_t old_;
};

constexpr int64_t kFuzzMaxPixels = int64_t{1} << 22;

/// Decodes data[0..size) with its first bytes replaced by `magic` (so that a target stays in one
/// decoder of stb's; empty for any format) and checks what comes back.
inline void fuzz_image(const uint8_t* data, size_t size, const std::string& magic) {
  if (size < magic.size()) return;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  bytes.replace(0, magic.size(), magic);
  PixelLimit limit(kFuzzMaxPixels);
  try {
    const auto chw = io::decode_image(bytes, "fuzz.img");
    const bool sane = chw.dim() == 3 && (chw.size(0) == 1 || chw.size(0) == 3) && chw.size(1) > 0 &&
                      chw.size(2) > 0 && chw.size(1) * chw.size(2) <= kFuzzMaxPixels &&
                      chw.scalar_type() == torch::kUInt8 && chw.is_contiguous();
    if (!sane) std::abort();
  } catch (const Error&) {
  }
}

}  // namespace gankit::fuzz
