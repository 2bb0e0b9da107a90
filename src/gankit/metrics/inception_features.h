// The Inception-v3 feature extractor (`inception:FILE`): pytorch-fid's network and weights,
// pool3 (2048-d) as features and its 1008 logits for the Inception Score.
#pragma once
#include <filesystem>
#include <memory>

#include "gankit/metrics/feature_extractor.h"

namespace gankit::metrics {

/// Opens pytorch-fid's weights file (gankit::Error naming it when the layout is wrong).
std::unique_ptr<FeatureExtractor> make_inception_features(const std::filesystem::path& path, torch::Device device);

}  // namespace gankit::metrics
