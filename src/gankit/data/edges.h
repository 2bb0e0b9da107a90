// Inputs derived from a photo, the way the pix2pix paper built its edges2* and colourisation sets:
// a Canny-style edge map (luminance, Gaussian blur, Sobel gradients, non-maximum suppression,
// double threshold, hysteresis) and plain luminance. Images are uint8 [..,C,H,W], C = 1 or 3.
#pragma once
#include <torch/torch.h>

namespace gankit::data {

struct EdgeOptions {
  /// Standard deviation of the Gaussian blur before the gradients, in pixels.
  double sigma = 1.0;
  /// Hysteresis thresholds on the gradient magnitude, as fractions of the magnitude of a sharp
  /// black-to-white step: pixels above `high` start edges, pixels above `low` continue them.
  double low = 0.04;
  double high = 0.10;
};

/// uint8 [..,C,H,W] -> bool [..,H,W]: one-pixel-wide Canny edges of each image's luminance.
torch::Tensor canny_edges(const torch::Tensor& images, const EdgeOptions& options = {});

/// uint8 [..,C,H,W] -> uint8 [..,C,H,W]: black (0) edges on white (255), C channels like the input.
torch::Tensor edge_images(const torch::Tensor& images, const EdgeOptions& options = {});

/// uint8 [..,C,H,W] -> uint8 [..,C,H,W]: ITU-R 601 luminance (0.299 R + 0.587 G + 0.114 B)
/// replicated to C channels.
torch::Tensor gray_images(const torch::Tensor& images);

}  // namespace gankit::data
