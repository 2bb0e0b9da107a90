#include "gankit/train/fid_monitor.h"

#include "gankit/metrics/gan_scores.h"
#include "gankit/metrics/real_features.h"

namespace gankit::train {

FidMonitor::FidMonitor(const std::string& features, const data::DataOptions& data, int64_t samples)
    : extractor_(metrics::make_feature_extractor(features)), data_(data), samples_(samples) {}

Evaluation FidMonitor::evaluate(const torch::Tensor& images, const torch::Tensor& labels) {
  if (!real_) {
    real_ = metrics::real_features(data_, samples_, 0, *extractor_, metrics::default_feature_cache_dir()).features;
  }
  const auto fake = metrics::extract_features(*extractor_, images, "generated images");
  Evaluation evaluation;
  for (auto& score : metrics::score_features(*real_, fake, {"fid"})) evaluation.push_back(score);
  if (const auto accuracy = metrics::labelled_class_accuracy(fake.logits, labels, extractor_->data_classes(),
                                                             "generated images", /*labels_must_fit=*/false)) {
    evaluation.emplace_back("class_accuracy", *accuracy);
  }
  return evaluation;
}

}  // namespace gankit::train
