// Animations from image tensors: the bridge between torch images and the GIF writer.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <vector>

#include "gankit/io/gif.h"

namespace gankit::io {

/// uint8 [C,H,W] (C = 1 or 3) as one GIF frame shown for `delay_cs` hundredths of a second.
GifFrame to_gif_frame(const torch::Tensor& chw, int delay_cs);

/// Writes uint8 [C,H,W] images as a looping GIF, atomically: each frame `delay_cs`, the last
/// held `last_delay_cs` so a viewer sees where the sequence ends.
void write_animation(const std::filesystem::path& path, const std::vector<torch::Tensor>& frames, int delay_cs,
                     int last_delay_cs);

}  // namespace gankit::io
