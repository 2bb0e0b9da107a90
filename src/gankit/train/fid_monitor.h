// FID during training (train.eval_every with train.eval_features): the generator's images are
// scored against the training data at every evaluation, and the checkpoint with the lowest FID
// so far is kept as checkpoints/best.pt.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <optional>

#include "gankit/data/data_options.h"
#include "gankit/metrics/feature_extractor.h"
#include "gankit/train/recipe.h"

namespace gankit::train {

class FidMonitor {
 public:
  /// Opens the extractor `features` names (so a bad file fails before training starts). The
  /// real features (`samples` images of `data`, fitted as training sees them) are computed at
  /// the first evaluation, or read from the feature cache.
  FidMonitor(const std::string& features, const data::DataOptions& data, int64_t samples);

  /// fid of `images` (uint8 [N,C,H,W]), and class_accuracy when they have labels and the
  /// extractor is a domain classifier of the same classes.
  Evaluation evaluate(const torch::Tensor& images, const torch::Tensor& labels);

  int64_t samples() const { return samples_; }

 private:
  std::unique_ptr<metrics::FeatureExtractor> extractor_;
  data::DataOptions data_;
  int64_t samples_;
  std::optional<metrics::ImageFeatures> real_;
};

}  // namespace gankit::train
