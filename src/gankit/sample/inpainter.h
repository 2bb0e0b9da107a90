// Inpainting at use time: complete the hole of an image with a trained generator (`gankit
// inpaint`). Known pixels of the result are exactly the (fitted) input's.
#pragma once
#include <torch/torch.h>

#include <filesystem>

#include "gankit/compute/precision.h"
#include "gankit/checkpoint/checkpoint.h"
#include "gankit/models/inpaint_net.h"

namespace gankit::sample {

struct Completion {
  torch::Tensor input;   ///< uint8 [C,S,S]: the image as the model saw it (fitted to its size)
  torch::Tensor mask;    ///< float [1,S,S], 1 = hole
  torch::Tensor output;  ///< uint8 [C,S,S]: input outside the hole, G's painting inside
};

class Inpainter {
 public:
  /// Loads G from an inpaint checkpoint; any other kind is a gankit::Error naming the file.
  /// G runs at `precision`, resolved for its device (`--precision`).
  explicit Inpainter(const std::filesystem::path& checkpoint,
                 compute::Precision precision = compute::Precision::Fp32);

  const checkpoint::CheckpointHeader& header() const { return header_; }

  /// Completes `image` (fitted to the model's size with the run's data.fit). The hole is the
  /// mask PNG (white = hole; it must be S x S) or, without one, the centre square of side S/2.
  Completion complete_file(const std::filesystem::path& image, const std::filesystem::path& mask = {});

 private:
  checkpoint::CheckpointHeader header_;
  compute::PrecisionChoice precision_;
  models::InpaintGenerator generator_{nullptr};
};

}  // namespace gankit::sample
