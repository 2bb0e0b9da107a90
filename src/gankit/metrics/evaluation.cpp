#include "gankit/metrics/evaluation.h"

#include <algorithm>
#include <chrono>

#include "gankit/error.h"
#include "gankit/metrics/intra_class_fid.h"
#include "gankit/metrics/real_features.h"

namespace gankit::metrics {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

FeatureProgress progress_of(const EvaluationOptions& options, const std::string& side) {
  if (!options.progress) return {};
  return [&options, side](int64_t done, int64_t total) { options.progress(side, done, total); };
}

/// Features of an array of real images, which must have the generated images' shape.
ImageFeatures array_features(const RealImages& real, const GeneratedImages& generated,
                             FeatureExtractor& extractor, const EvaluationOptions& options,
                             RealSummary& summary) {
  const auto& images = real.images;
  const auto& fake = generated.images;
  if (images.size(1) != fake.size(1) || images.size(2) != fake.size(2) || images.size(3) != fake.size(3)) {
    fail("{}: real images are {}x{}x{} but {} are {}x{}x{}: they must have the same shape", real.source,
         images.size(1), images.size(2), images.size(3), generated.name, fake.size(1), fake.size(2),
         fake.size(3));
  }
  summary = {real.source, images.size(0), false, {}};
  auto features =
      extract_features(extractor, images, real.source, options.batch_size, progress_of(options, "real"));
  if (real.labels.defined()) features.labels = real.labels.to(torch::kLong);
  return features;
}

/// Features of a data set fitted to the generated images' size, cached when options.cache_dir is set.
ImageFeatures data_set_features(data::DataOptions data, int64_t count, const GeneratedImages& generated,
                                FeatureExtractor& extractor, const EvaluationOptions& options,
                                RealSummary& summary) {
  data.image_size = generated.images.size(2);
  data.pairs.clear();
  const auto found = real_features(data, count, options.seed, extractor, options.cache_dir,
                                   progress_of(options, "real"), generated.images.size(1));
  summary = {found.description, found.count, found.from_cache, found.cache_file};
  return found.features;
}

}  // namespace

EvaluationResult evaluate_images(const GeneratedImages& generated, const RealImages& real,
                                 FeatureExtractor& extractor, const EvaluationOptions& options) {
  const int64_t wanted_real = options.real_count > 0 ? options.real_count : generated.images.size(0);
  check_counts(options.metrics, wanted_real, generated.images.size(0), options.scores);
  if (std::find(options.metrics.begin(), options.metrics.end(), "ifid") != options.metrics.end()) {
    require_class_labels(generated.labels, "generated");
    if (real.images.defined()) require_class_labels(real.labels, "real");
  }
  EvaluationResult result;
  auto start = Clock::now();
  const auto real_side =
      real.images.defined()
          ? array_features(real, generated, extractor, options, result.real)
          : data_set_features(*real.data_set, wanted_real, generated, extractor, options, result.real);
  result.real_seconds = seconds_since(start);

  start = Clock::now();
  auto fake_side = extract_features(extractor, generated.images, generated.name, options.batch_size,
                                    progress_of(options, "generated"));
  if (generated.labels.defined()) fake_side.labels = generated.labels.to(torch::kLong);
  result.features_seconds = seconds_since(start);
  if (fake_side.features.size(1) != real_side.features.size(1)) {
    fail("real and generated features differ in width ({} vs {})", real_side.features.size(1),
         fake_side.features.size(1));
  }
  start = Clock::now();
  result.scores = score_features(real_side, fake_side, options.metrics, options.scores);
  result.class_accuracy = labelled_class_accuracy(
      fake_side.logits, generated.labels, extractor.data_classes(), generated.name, /*labels_must_fit=*/true);
  result.statistics_seconds = seconds_since(start);
  result.n = generated.images.size(0);
  result.features = extractor.name();
  return result;
}

}  // namespace gankit::metrics
