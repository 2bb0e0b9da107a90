// pix2pix at use time: translate images with a trained U-Net (`gankit translate`).
#pragma once
#include <torch/torch.h>

#include <filesystem>

#include "gankit/compute/precision.h"
#include "gankit/checkpoint/checkpoint.h"
#include "gankit/models/unet.h"

namespace gankit::sample {

struct Translation {
  torch::Tensor input;   ///< uint8 [C,S,S], as the model saw it
  torch::Tensor output;  ///< uint8 [C,S,S]
  torch::Tensor target;  ///< uint8 [C,S,S] when the file was an A|B pair, else undefined
};

class Translator {
 public:
  /// Loads G from a pix2pix checkpoint; any other kind is a gankit::Error naming the file.
  /// G runs at `precision`, resolved for its device (`--precision`).
  explicit Translator(const std::filesystem::path& checkpoint,
                 compute::Precision precision = compute::Precision::Fp32);

  const checkpoint::CheckpointHeader& header() const { return header_; }

  /// Translates one image file. A file twice as wide as high is taken as an A|B pair, as the
  /// training data: its input side (data.direction) is translated and the other side kept as
  /// the target. Any other image is the input, fitted to the model's size (data.fit).
  Translation translate_file(const std::filesystem::path& path);

 private:
  checkpoint::CheckpointHeader header_;
  compute::PrecisionChoice precision_;
  models::UnetGenerator generator_{nullptr};
};

/// Input files for `gankit translate`: files as given, folders expanded to their images (sorted).
std::vector<std::filesystem::path> list_inputs(const std::vector<std::filesystem::path>& inputs);

}  // namespace gankit::sample
