// The domain-classifier feature extractor (`classifier:FILE`): a `gankit classifier train`
// network's penultimate activations as features, its logits as the data set's class predictions.
#pragma once
#include <filesystem>
#include <memory>

#include "gankit/metrics/feature_extractor.h"

namespace gankit::metrics {

/// Opens a classifier file (gankit::Error naming it when it is not one).
std::unique_ptr<FeatureExtractor> make_classifier_features(const std::filesystem::path& path, torch::Device device);

}  // namespace gankit::metrics
