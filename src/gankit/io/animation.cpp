#include "gankit/io/animation.h"

#include "gankit/error.h"

namespace gankit::io {

GifFrame to_gif_frame(const torch::Tensor& chw, int delay_cs) {
  if (chw.dim() != 3 || (chw.size(0) != 1 && chw.size(0) != 3) || chw.scalar_type() != torch::kUInt8) {
    fail("an animation frame must be uint8 [C,H,W] with C = 1 or 3, got {} {}", c10::str(chw.sizes()),
         c10::toString(chw.scalar_type()));
  }
  const auto hwc = chw.permute({1, 2, 0}).contiguous().cpu();
  GifFrame frame;
  frame.channels = static_cast<int>(chw.size(0));
  frame.height = static_cast<int>(chw.size(1));
  frame.width = static_cast<int>(chw.size(2));
  frame.delay_cs = delay_cs;
  frame.pixels.assign(hwc.data_ptr<uint8_t>(), hwc.data_ptr<uint8_t>() + hwc.numel());
  return frame;
}

void write_animation(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, int delay_cs,
                     int last_delay_cs) {
  std::vector<GifFrame> gif;
  gif.reserve(frames.size());
  for (const auto& frame : frames) gif.push_back(to_gif_frame(frame, delay_cs));
  if (!gif.empty()) gif.back().delay_cs = last_delay_cs;
  write_gif(path, gif);
}

}  // namespace gankit::io
