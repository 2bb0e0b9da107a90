// DiffAugment (Zhao et al. 2020): differentiable augmentations applied to every image D sees, real
// and fake, in D's and G's updates, so D cannot memorise a small data set. Same policies and
// magnitudes as the authors' DiffAugment_pytorch: color (brightness ±0.5, saturation ×[0,2],
// contrast ×[0.5,1.5]), translation (up to 1/8 of the size, zero fill), cutout (a square of half
// the size, zeroed).
#pragma once
#include <torch/torch.h>

#include <string>

namespace gankit::nn {

struct DiffAugmentPolicy {
  bool color = false;
  bool translation = false;
  bool cutout = false;

  bool any() const { return color || translation || cutout; }
  /// "" (off) or a comma-separated list of color, translation, cutout; throws gankit::Error
  /// naming the bad word and the valid ones.
  static DiffAugmentPolicy parse(const std::string& text);
};

/// images [N,C,H,W] in [-1, 1] -> augmented [N,C,H,W], each image with its own random
/// parameters drawn from torch's default generator on the images' device; differentiable in
/// `images`. Applies color, then translation, then cutout.
torch::Tensor diff_augment(const torch::Tensor& images, const DiffAugmentPolicy& policy);

}  // namespace gankit::nn
