#include "gankit/io/gif.h"

#include <gif_lib.h>

#include <array>
#include <memory>
#include <new>
#include <unordered_map>

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"

namespace gankit::io {

namespace {

const char* gif_error(int code) {
  const char* message = GifErrorString(code);  // NULL for codes giflib does not know
  return message != nullptr ? message : "unknown giflib error";
}

void check_frames(const std::vector<GifFrame>& frames) {
  if (frames.empty()) fail("GIF: no frames to encode");
  const GifFrame& first = frames.front();
  for (size_t i = 0; i < frames.size(); ++i) {
    const GifFrame& frame = frames[i];
    if (frame.channels != 1 && frame.channels != 3) {
      fail("GIF frame {}: channels must be 1 (grey) or 3 (RGB), got {}", i, frame.channels);
    }
    // The logical screen stores each side in 16 bits.
    if (frame.width <= 0 || frame.height <= 0 || frame.width > 65535 || frame.height > 65535) {
      fail("GIF frame {}: width and height must be 1..65535, got {}x{}", i, frame.width, frame.height);
    }
    if (frame.width != first.width || frame.height != first.height || frame.channels != first.channels) {
      fail(
          "GIF frame {} is {}x{} with {} channel(s) but frame 0 is {}x{} with {}: all frames "
          "must match",
          i, frame.width, frame.height, frame.channels, first.width, first.height, first.channels);
    }
    const size_t expected = size_t(frame.width) * size_t(frame.height) * size_t(frame.channels);
    if (frame.pixels.size() != expected) {
      fail("GIF frame {}: {}x{}x{} needs {} pixel values, got {}", i, frame.width, frame.height,
           frame.channels, expected, frame.pixels.size());
    }
    if (frame.delay_cs < 0 || frame.delay_cs > 65535) {
      fail("GIF frame {}: delay_cs must be 0..65535 hundredths of a second, got {}", i, frame.delay_cs);
    }
  }
}

struct ColorMapDeleter {
  void operator()(ColorMapObject* map) const { GifFreeMapObject(map); }
};
using ColorMap = std::unique_ptr<ColorMapObject, ColorMapDeleter>;

/// A GIF colour map: giflib wants a power-of-two size of at least 2, so unused entries are black.
ColorMap make_color_map(const std::vector<GifColorType>& colors) {
  std::vector<GifColorType> padded = colors;
  padded.resize(size_t(1) << GifBitSize(int(colors.size())), GifColorType{0, 0, 0});
  if (padded.size() < 2) padded.resize(2, GifColorType{0, 0, 0});
  ColorMap map(GifMakeMapObject(int(padded.size()), padded.data()));
  if (!map) fail("GIF: cannot make a colour map ({})", gif_error(E_GIF_ERR_NOT_ENOUGH_MEM));
  return map;
}

ColorMap grey_color_map() {
  std::vector<GifColorType> greys(256);
  for (int i = 0; i < 256; ++i) greys[i] = {GifByteType(i), GifByteType(i), GifByteType(i)};
  return make_color_map(greys);
}

/// An RGB frame as palette indices plus its palette.
struct IndexedFrame {
  std::vector<GifPixelType> indices;
  std::vector<GifColorType> colors;
};

/// Exact palette, or nothing if the frame has more than 256 distinct colours.
bool index_exactly(const GifFrame& frame, IndexedFrame& out) {
  const size_t count = size_t(frame.width) * size_t(frame.height);
  std::unordered_map<uint32_t, GifPixelType> index_of;
  out.indices.resize(count);
  out.colors.clear();
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* rgb = &frame.pixels[3 * i];
    const uint32_t key = (uint32_t(rgb[0]) << 16) | (uint32_t(rgb[1]) << 8) | rgb[2];
    auto [it, inserted] = index_of.emplace(key, GifPixelType(out.colors.size()));
    if (inserted) {
      if (out.colors.size() == 256) return false;
      out.colors.push_back({rgb[0], rgb[1], rgb[2]});
    }
    out.indices[i] = it->second;
  }
  return true;
}

/// Median cut with giflib. GifQuantizeBuffer builds its palette from colours truncated to 5 bits
/// a channel (white comes back as 248), so each entry is then replaced by the mean of the pixels
/// mapped to it: the best colours for that assignment.
void quantize(const GifFrame& frame, size_t frame_index, IndexedFrame& out) {
  const size_t count = size_t(frame.width) * size_t(frame.height);
  std::vector<GifByteType> red(count), green(count), blue(count);
  for (size_t i = 0; i < count; ++i) {
    red[i] = frame.pixels[3 * i];
    green[i] = frame.pixels[3 * i + 1];
    blue[i] = frame.pixels[3 * i + 2];
  }
  int palette_size = 256;
  out.colors.assign(256, GifColorType{0, 0, 0});
  out.indices.resize(count);
  if (GifQuantizeBuffer(unsigned(frame.width), unsigned(frame.height), &palette_size, red.data(),
                        green.data(), blue.data(), out.indices.data(), out.colors.data()) == GIF_ERROR) {
    fail("GIF frame {}: colour quantization failed ({})", frame_index, gif_error(E_GIF_ERR_NOT_ENOUGH_MEM));
  }
  std::vector<std::array<uint64_t, 4>> sums(256, {0, 0, 0, 0});  // r, g, b, pixel count
  for (size_t i = 0; i < count; ++i) {
    auto& sum = sums[out.indices[i]];
    sum[0] += red[i];
    sum[1] += green[i];
    sum[2] += blue[i];
    sum[3] += 1;
  }
  for (size_t c = 0; c < 256; ++c) {
    const uint64_t n = sums[c][3];
    if (n == 0) continue;
    out.colors[c] = {GifByteType((sums[c][0] + n / 2) / n), GifByteType((sums[c][1] + n / 2) / n),
                     GifByteType((sums[c][2] + n / 2) / n)};
  }
  out.colors.resize(size_t(std::max(palette_size, 1)));
}

/// Where giflib's output goes. giflib is C: nothing may throw through it.
struct Sink {
  std::string bytes;
  bool failed = false;
};

int append_to_sink(GifFileType* gif, const GifByteType* data, int length) {
  auto* sink = static_cast<Sink*>(gif->UserData);
  try {
    sink->bytes.append(reinterpret_cast<const char*>(data), size_t(length));
    return length;
  } catch (const std::bad_alloc&) {
    sink->failed = true;
    return 0;
  }
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int ignored = 0;
    EGifCloseFile(gif, &ignored);
  }
};

void check(int status, GifFileType* gif, const char* step) {
  if (status == GIF_ERROR) fail("GIF: {} failed ({})", step, gif_error(gif->Error));
}

/// Browsers loop a GIF only if it says so: NETSCAPE2.0, sub-block 1, loop count 0 = forever.
void put_loop_forever(GifFileType* gif) {
  static const char kApplication[] = "NETSCAPE2.0";
  static const GifByteType kLoopForever[] = {1, 0, 0};
  check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, "writing the loop extension");
  check(EGifPutExtensionBlock(gif, 11, kApplication), gif, "writing the loop extension");
  check(EGifPutExtensionBlock(gif, 3, kLoopForever), gif, "writing the loop extension");
  check(EGifPutExtensionTrailer(gif), gif, "writing the loop extension");
}

void put_frame(GifFileType* gif, const GifFrame& frame, std::vector<GifPixelType>& indices,
               const ColorMapObject* local_map) {
  GraphicsControlBlock control{};
  control.DisposalMode = DISPOSE_DO_NOT;  // every frame covers the whole screen
  control.UserInputFlag = false;
  control.DelayTime = frame.delay_cs;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType extension[4];
  const size_t length = EGifGCBToExtension(&control, extension);
  check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(length), extension), gif, "writing a frame delay");
  check(EGifPutImageDesc(gif, 0, 0, frame.width, frame.height, false, local_map), gif,
        "writing a frame header");
  // EGifPutLine masks the line in place, hence indices of our own rather than frame.pixels.
  for (int row = 0; row < frame.height; ++row) {
    check(EGifPutLine(gif, indices.data() + size_t(row) * size_t(frame.width), frame.width), gif,
          "writing pixels");
  }
}

}  // namespace

std::string encode_gif(const std::vector<GifFrame>& frames) {
  check_frames(frames);
  const GifFrame& first = frames.front();
  const bool grey = first.channels == 1;

  Sink sink;
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(EGifOpen(&sink, append_to_sink, &error));
  if (!gif) fail("GIF: cannot start encoding ({})", gif_error(error));
  EGifSetGifVersion(gif.get(), true);  // GIF89a: delays and the loop extension

  // Grey frames share one global grey ramp; RGB frames bring their own palettes.
  const ColorMap global_map = grey ? grey_color_map() : nullptr;
  check(EGifPutScreenDesc(gif.get(), first.width, first.height, 8, 0, global_map.get()), gif.get(),
        "writing the screen descriptor");
  put_loop_forever(gif.get());

  IndexedFrame indexed;
  for (size_t i = 0; i < frames.size(); ++i) {
    const GifFrame& frame = frames[i];
    if (grey) {
      indexed.indices.assign(frame.pixels.begin(), frame.pixels.end());
      put_frame(gif.get(), frame, indexed.indices, nullptr);
    } else {
      if (!index_exactly(frame, indexed)) quantize(frame, i, indexed);
      const ColorMap local_map = make_color_map(indexed.colors);
      put_frame(gif.get(), frame, indexed.indices, local_map.get());
    }
  }

  if (EGifCloseFile(gif.release(), &error) == GIF_ERROR) {
    fail("GIF: finishing the file failed ({})", gif_error(error));
  }
  if (sink.failed) fail("GIF: out of memory while encoding");
  return std::move(sink.bytes);
}

void write_gif(const std::filesystem::path& path, const std::vector<GifFrame>& frames) {
  write_file_atomically(path, encode_gif(frames));
}

}  // namespace gankit::io
