#include "gankit/train/fid_monitor.h"

#include "gankit/metrics/gan_scores.h"
#include "gankit/metrics/real_features.h"

namespace gankit::train {

FidMonitor::FidMonitor(const std::string& features, const data::DataOptions& data, int64_t samples)
    : extractor_(metrics::make_feature_extractor(features)), data_(data), samples_(samples) {
  // The real images as the model sees them, minus random augmentation.
  data_.hflip = false;
  data_.load_size = 0;
}

Evaluation FidMonitor::evaluate(const torch::Tensor& images, const torch::Tensor& labels) {
  if (!real_) {
    real_ = metrics::real_features(data_, samples_, 0, *extractor_, metrics::default_feature_cache_dir()).features;
  }
  const auto fake = metrics::extract_features(*extractor_, images, "generated images");
  Evaluation evaluation;
  for (auto& score : metrics::score_features(*real_, fake, {"fid"})) evaluation.push_back(score);
  if (labels.defined() && extractor_->data_classes() > 0 && labels.max().item<int64_t>() < extractor_->data_classes()) {
    evaluation.emplace_back("class_accuracy", metrics::class_accuracy(fake.logits, labels));
  }
  return evaluation;
}

}  // namespace gankit::train
