// Animated GIFs (giflib): training progress and latent interpolations as one looping file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gankit::io {

/// One frame: interleaved 8-bit pixels, row-major, `channels` 1 (grey) or 3 (RGB).
struct GifFrame {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
  int delay_cs = 20;  // how long the frame shows, in hundredths of a second
};

/// Encodes frames (all the same size and channel count) as a GIF that loops forever (NETSCAPE2.0
/// application extension). Grey frames use an exact 256-grey palette. RGB frames get a local
/// colour map each: exact where a frame has at most 256 distinct colours, otherwise giflib's
/// GifQuantizeBuffer (median cut) with each palette entry refined to the mean of its pixels.
/// Throws gankit::Error on no frames, frames that differ in size or channels, a pixel count that
/// is not width*height*channels, or a delay outside 0..65535.
std::string encode_gif(const std::vector<GifFrame>& frames);

/// encode_gif, written atomically.
void write_gif(const std::filesystem::path& path, const std::vector<GifFrame>& frames);

}  // namespace gankit::io
