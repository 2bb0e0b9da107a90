// `gankit eval` as one call: generated images (from a checkpoint or any tool) scored against real
// images (a data set fitted to their size, with cached features, or an array as it is).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gankit/data/data_options.h"
#include "gankit/metrics/feature_extractor.h"
#include "gankit/metrics/gan_scores.h"

namespace gankit::metrics {

/// The images to score.
struct GeneratedImages {
  torch::Tensor images;  ///< uint8 [N,C,H,W]
  torch::Tensor labels;  ///< int64 [N], or undefined
  std::string name;      ///< for messages ("generated images of CKPT", or the file)
};

/// The real images: an array used as it is (`images`, read from `source`), or a data set fitted
/// to the generated images' size as training fits it to the model's.
struct RealImages {
  torch::Tensor images;  ///< uint8 [N,C,H,W]; undefined: use `data_set`
  torch::Tensor labels;  ///< int64 [N] with `images` where known (intra-class FID), or undefined
  std::string source;
  std::optional<data::DataOptions> data_set;
};

struct EvaluationOptions {
  std::vector<std::string> metrics{"fid"};  ///< as parse_metrics gives them
  /// Real images to compare with; 0 = as many as generated (a seeded random subset).
  int64_t real_count = 0;
  /// Seeds the real subset (and, through `scores`, KID's subsets).
  uint64_t seed = 0;
  /// Images through the extractor at once.
  int64_t batch_size = 50;
  /// Where real-data features are cached; empty = neither read nor written.
  std::filesystem::path cache_dir;
  ScoreOptions scores;
  /// Called as features are computed: which side ("real", "generated"), then done and total.
  std::function<void(const std::string&, int64_t, int64_t)> progress;
};

/// What the real side was.
struct RealSummary {
  std::string source;
  int64_t n = 0;
  bool cached = false;
  std::filesystem::path cache;  ///< empty when not cached
};

struct EvaluationResult {
  Scores scores;                         ///< one per metric key (fid, kid, kid_std, ...)
  std::optional<double> class_accuracy;  ///< labelled samples with a classifier's logits
  int64_t n = 0;                         ///< generated images scored
  std::string features;                  ///< the extractor's name
  RealSummary real;
  double real_seconds = 0, features_seconds = 0, statistics_seconds = 0;
};

/// Scores `generated` against `real` with `extractor`. Too few images for a metric, a shape or
/// channel mismatch and unreadable real data are gankit::Errors naming the file.
EvaluationResult evaluate_images(const GeneratedImages& generated, const RealImages& real,
                                 FeatureExtractor& extractor, const EvaluationOptions& options);

}  // namespace gankit::metrics
