// Pixel-level transforms on uint8 images: fitting to the model's size, channel conversion, the
// random jitter of a training batch, and the uint8 <-> [-1,1] float mapping every model uses.
// Images are [N,C,H,W] or [C,H,W] unless a function says otherwise.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "gankit/enum_table.h"

namespace gankit::data {

/// How an image reaches a square target size (data.fit).
enum class Fit {
  resize,       ///< shorter side to size, then centre crop (torchvision Resize + CenterCrop)
  pad,          ///< zero-pad, centred; an image larger than size is an error
  center_crop,  ///< centre crop; an image smaller than size is an error
  none,         ///< the image must already be size x size
};

/// Every fit with its name (data.fit).
const EnumTable<Fit>& fits();
/// Parses a name of fits(); anything else is a gankit::Error listing them.
Fit parse_fit(const std::string& text);
const char* fit_name(Fit fit);

/// Where images are brought before they reach a batch. 0 means "keep the data's own".
struct FitSpec {
  int64_t size = 0;  ///< side of the square result
  Fit fit = Fit::resize;
  int64_t channels = 0;  ///< 1 or 3
};

/// Bilinear resize to height x width (antialiased when shrinking, like PIL), rounded back to uint8.
torch::Tensor resize(const torch::Tensor& images, int64_t height, int64_t width);

/// [..,H,W] -> [..,size,size] following `fit`; `name` (file or data set) is used in errors.
/// size <= 0 returns the images unchanged.
torch::Tensor fit_to_size(const torch::Tensor& images, int64_t size, Fit fit,
                          const std::string& name);

/// [..,C,H,W] -> [..,channels,H,W]: 1 -> 3 repeats gray, 3 -> 1 is ITU-R 601 luma; 0 or C = as is.
torch::Tensor convert_channels(const torch::Tensor& images, int64_t channels);

/// A CPU generator with a fixed seed, for the random transforms below.
torch::Generator make_generator(uint64_t seed);

/// [N,C,H,W] -> [N,C,size,size]: an independent random window per image.
///
/// `images` may be rows [first_row, first_row + N) of a larger batch of `batch_rows` (a rank's part
/// of a data-parallel global batch): the draws are those of the whole batch, so each image gets
/// the crop (flip) it would get in one process.
torch::Tensor random_crop(const torch::Tensor& images, int64_t size, torch::Generator& generator,
                          int64_t first_row = 0, int64_t batch_rows = 0);

/// [N,C,H,W]: each image mirrored left-right with probability 1/2.
torch::Tensor random_hflip(const torch::Tensor& images, torch::Generator& generator, int64_t first_row = 0,
                          int64_t batch_rows = 0);

/// uint8 -> float32 in [-1,1] (x / 127.5 - 1), any shape.
torch::Tensor to_unit_range(const torch::Tensor& images);

/// float in [-1,1] -> uint8 (clamped, rounded; NaN -> 128), any shape.
torch::Tensor from_unit_range(const torch::Tensor& images);

}  // namespace gankit::data
