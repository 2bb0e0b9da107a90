// Animated GIFs: decoded back with giflib (and stb_image for the first frame).
#include "gankit/io/gif.h"

#include <gif_lib.h>
#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gankit/error.h"
#include "support/test_support.h"

namespace gankit::io {
namespace {

/// A decoded GIF: giflib's in-memory form, freed with DGifCloseFile.
struct Decoded {
  struct Closer {
    void operator()(GifFileType* gif) const {
      int ignored = 0;
      DGifCloseFile(gif, &ignored);
    }
  };
  std::unique_ptr<GifFileType, Closer> gif;

  /// Frame `index` as interleaved RGB, through its local colour map or the global one.
  std::vector<uint8_t> rgb(int index) const {
    const SavedImage& image = gif->SavedImages[index];
    const ColorMapObject* map = image.ImageDesc.ColorMap ? image.ImageDesc.ColorMap : gif->SColorMap;
    const size_t count = size_t(image.ImageDesc.Width) * size_t(image.ImageDesc.Height);
    std::vector<uint8_t> out(3 * count);
    for (size_t i = 0; i < count; ++i) {
      const GifColorType color = map->Colors[image.RasterBits[i]];
      out[3 * i] = color.Red;
      out[3 * i + 1] = color.Green;
      out[3 * i + 2] = color.Blue;
    }
    return out;
  }
};

struct Reader {
  const std::string* bytes;
  size_t offset = 0;
};

int read_from(GifFileType* gif, GifByteType* out, int length) {
  auto* reader = static_cast<Reader*>(gif->UserData);
  const size_t n = std::min(size_t(length), reader->bytes->size() - reader->offset);
  std::memcpy(out, reader->bytes->data() + reader->offset, n);
  reader->offset += n;
  return int(n);
}

Decoded decode(const std::string& bytes) {
  Reader reader{&bytes};
  int error = 0;
  Decoded decoded;
  decoded.gif.reset(DGifOpen(&reader, read_from, &error));
  if (!decoded.gif) throw std::runtime_error(GifErrorString(error));
  if (DGifSlurp(decoded.gif.get()) != GIF_OK) {
    throw std::runtime_error(GifErrorString(decoded.gif->Error));
  }
  return decoded;
}

/// The NETSCAPE2.0 block asks for a loop count; DGifSlurp keeps it with the first image.
bool loops_forever(const GifFileType* gif) {
  const SavedImage& first = gif->SavedImages[0];
  for (int i = 0; i + 1 < first.ExtensionBlockCount; ++i) {
    const ExtensionBlock& block = first.ExtensionBlocks[i];
    const ExtensionBlock& next = first.ExtensionBlocks[i + 1];
    if (block.Function == APPLICATION_EXT_FUNC_CODE && block.ByteCount == 11 &&
        std::memcmp(block.Bytes, "NETSCAPE2.0", 11) == 0) {
      return next.Function == CONTINUE_EXT_FUNC_CODE && next.ByteCount == 3 && next.Bytes[0] == 1 &&
             next.Bytes[1] == 0 && next.Bytes[2] == 0;
    }
  }
  return false;
}

GifFrame grey_frame(int width, int height, int seed, int delay_cs = 20) {
  GifFrame frame{width, height, 1, {}, delay_cs};
  for (int i = 0; i < width * height; ++i) frame.pixels.push_back(uint8_t((i * 7 + seed * 31) % 256));
  return frame;
}

/// A smooth colour gradient: far more than 256 colours, so it must be quantized.
GifFrame gradient_frame(int width, int height) {
  GifFrame frame{width, height, 3, {}, 20};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      frame.pixels.push_back(uint8_t(255 * x / (width - 1)));
      frame.pixels.push_back(uint8_t(255 * y / (height - 1)));
      frame.pixels.push_back(uint8_t(255 - 255 * (x + y) / (width + height - 2)));
    }
  }
  return frame;
}

TEST(Gif, GreyFramesRoundTripExactlyWithDelaysAndLoop) {
  // 16x16 covers all 256 grey levels in one frame.
  const std::vector<GifFrame> frames = {grey_frame(16, 16, 0, 10), grey_frame(16, 16, 1, 50),
                                        grey_frame(16, 16, 2, 0)};
  const Decoded decoded = decode(encode_gif(frames));
  const GifFileType* gif = decoded.gif.get();
  ASSERT_EQ(gif->ImageCount, 3);
  EXPECT_EQ(gif->SWidth, 16);
  EXPECT_EQ(gif->SHeight, 16);
  EXPECT_TRUE(loops_forever(gif));
  for (int i = 0; i < 3; ++i) {
    GraphicsControlBlock control{};
    ASSERT_EQ(DGifSavedExtensionToGCB(decoded.gif.get(), i, &control), GIF_OK);
    EXPECT_EQ(control.DelayTime, frames[i].delay_cs);
    EXPECT_EQ(control.TransparentColor, NO_TRANSPARENT_COLOR);
    const std::vector<uint8_t> rgb = decoded.rgb(i);
    for (size_t p = 0; p < frames[i].pixels.size(); ++p) {
      ASSERT_EQ(rgb[3 * p], frames[i].pixels[p]) << "frame " << i << " pixel " << p;
      ASSERT_EQ(rgb[3 * p + 1], frames[i].pixels[p]);
      ASSERT_EQ(rgb[3 * p + 2], frames[i].pixels[p]);
    }
  }
}

TEST(Gif, FewColoursRoundTripExactly) {
  // White, black and two colours that median cut on 5-bit colours would merge or shift.
  const uint8_t palette[4][3] = {{255, 255, 255}, {0, 0, 0}, {31, 119, 180}, {33, 117, 182}};
  GifFrame frame{9, 5, 3, {}, 20};
  for (int i = 0; i < 45; ++i) {
    const uint8_t* color = palette[(i * i) % 4];
    frame.pixels.insert(frame.pixels.end(), color, color + 3);
  }
  const Decoded decoded = decode(encode_gif({frame, frame}));
  ASSERT_EQ(decoded.gif->ImageCount, 2);
  EXPECT_EQ(decoded.rgb(0), frame.pixels);
  EXPECT_EQ(decoded.rgb(1), frame.pixels);
  EXPECT_NE(decoded.gif->SavedImages[0].ImageDesc.ColorMap, nullptr);  // RGB: local colour maps
}

TEST(Gif, GradientIsQuantizedClosely) {
  const GifFrame frame = gradient_frame(96, 64);
  const Decoded decoded = decode(encode_gif({frame}));
  const std::vector<uint8_t> rgb = decoded.rgb(0);
  ASSERT_EQ(rgb.size(), frame.pixels.size());
  double total_error = 0;
  int worst = 0;
  for (size_t i = 0; i < rgb.size(); ++i) {
    const int error = std::abs(int(rgb[i]) - int(frame.pixels[i]));
    total_error += error;
    worst = std::max(worst, error);
  }
  const double mean_error = total_error / double(rgb.size());
  // Median cut alone gives 7.75 here (its palette is built from 5-bit colours); the palette
  // refined to pixel means gives 7.0.
  EXPECT_LT(mean_error, 7.5);
  EXPECT_LT(worst, 64);
  EXPECT_LE(decoded.gif->SavedImages[0].ImageDesc.ColorMap->ColorCount, 256);
}

TEST(Gif, StbReadsTheFirstFrame) {
  const GifFrame first = grey_frame(12, 7, 3);
  const std::string bytes = encode_gif({first, grey_frame(12, 7, 4)});
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), int(bytes.size()), &width,
                            &height, &channels, 1),
      stbi_image_free);
  ASSERT_NE(pixels, nullptr) << stbi_failure_reason();
  ASSERT_EQ(width, 12);
  ASSERT_EQ(height, 7);
  EXPECT_EQ(std::vector<uint8_t>(pixels.get(), pixels.get() + 12 * 7), first.pixels);
}

TEST(Gif, WriteGifWritesTheEncodedBytes) {
  test::TempDir dir;
  const auto path = dir / "progress.gif";
  const std::vector<GifFrame> frames = {gradient_frame(10, 6), gradient_frame(10, 6)};
  write_gif(path, frames);
  const auto content = test::slurp(path);
  EXPECT_EQ(content, encode_gif(frames));
  EXPECT_EQ(content.substr(0, 6), "GIF89a");
}

TEST(Gif, BadFramesAreErrors) {
  EXPECT_TRUE(test::fails_with([] { encode_gif({}); }, {"no frames"}));
  const std::vector<GifFrame> taller = {grey_frame(4, 4, 0), grey_frame(4, 5, 0)};
  EXPECT_TRUE(test::fails_with([&] { encode_gif(taller); }, {"frame 1 is 4x5 with 1 channel(s) but frame 0 is 4x4"}));
  const std::vector<GifFrame> grey_then_rgb = {grey_frame(4, 4, 0), gradient_frame(4, 4)};
  EXPECT_TRUE(test::fails_with([&] { encode_gif(grey_then_rgb); }, {"all frames must match"}));
  GifFrame short_frame = grey_frame(4, 4, 0);
  short_frame.pixels.pop_back();
  EXPECT_TRUE(test::fails_with([&] { encode_gif({short_frame}); }, {"4x4x1 needs 16 pixel values, got 15"}));
  GifFrame rgba{2, 2, 4, std::vector<uint8_t>(16), 20};
  EXPECT_TRUE(test::fails_with([&] { encode_gif({rgba}); }, {"channels must be 1 (grey) or 3 (RGB)"}));
  GifFrame empty{0, 0, 1, {}, 20};
  EXPECT_TRUE(test::fails_with([&] { encode_gif({empty}); }, {"width and height must be 1..65535"}));
  GifFrame slow = grey_frame(2, 2, 0, 70000);
  EXPECT_TRUE(test::fails_with([&] { encode_gif({slow}); }, {"delay_cs must be 0..65535"}));
}

}  // namespace
}  // namespace gankit::io
