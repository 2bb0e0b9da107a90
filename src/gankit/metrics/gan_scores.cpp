#include "gankit/metrics/gan_scores.h"

#include <fmt/ranges.h>

#include <algorithm>

#include "gankit/error.h"
#include "gankit/metrics/density_coverage.h"
#include "gankit/metrics/feature_statistics.h"
#include "gankit/metrics/frechet_distance.h"
#include "gankit/metrics/inception_score.h"
#include "gankit/metrics/intra_class_fid.h"
#include "gankit/metrics/kernel_inception_distance.h"
#include "gankit/metrics/precision_recall.h"

namespace gankit::metrics {

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names{"fid", "kid", "is", "pr", "dc", "ifid", "cas"};
  return names;
}

bool needs_labels(const std::string& metric) { return metric == "ifid" || metric == "cas"; }

std::vector<std::string> parse_metrics(const std::string& comma_separated) {
  const auto& known = metric_names();
  std::vector<bool> wanted(known.size(), false);
  size_t start = 0;
  while (start <= comma_separated.size()) {
    auto end = comma_separated.find(',', start);
    if (end == std::string::npos) end = comma_separated.size();
    const std::string name = comma_separated.substr(start, end - start);
    if (name == "all") {
      for (size_t i = 0; i < known.size(); ++i) wanted[i] = wanted[i] || !needs_labels(known[i]);
    } else {
      const auto it = std::find(known.begin(), known.end(), name);
      if (it == known.end()) {
        fail("unknown metric '{}' in '{}' (known: {}, all)", name, comma_separated, fmt::join(known, ", "));
      }
      wanted[it - known.begin()] = true;
    }
    start = end + 1;
  }
  std::vector<std::string> metrics;
  for (size_t i = 0; i < known.size(); ++i) {
    if (wanted[i]) metrics.push_back(known[i]);
  }
  return metrics;
}

namespace {

void need(int64_t have, int64_t needed, const std::string& metric, const char* which) {
  if (have < needed) {
    fail("{} needs at least {} {} images, got {}", metric, needed, which, have);
  }
}

}  // namespace

void check_counts(const std::vector<std::string>& metrics, int64_t n_real, int64_t n_fake,
                  const ScoreOptions& options) {
  for (const auto& metric : metrics) {
    if (metric == "fid" || metric == "kid") {
      need(n_fake, 2, metric, "generated"), need(n_real, 2, metric, "real");
    } else if (metric == "is") {
      need(n_fake, options.is_splits, fmt::format("is (with {} splits)", options.is_splits), "generated");
    } else if (metric == "pr") {
      const auto name = fmt::format("precision/recall (k = {})", options.pr_k);
      need(n_fake, options.pr_k + 1, name, "generated"), need(n_real, options.pr_k + 1, name, "real");
    } else if (metric == "dc") {
      const auto name = fmt::format("density/coverage (k = {})", options.dc_k);
      need(n_fake, options.dc_k + 1, name, "generated"), need(n_real, options.dc_k + 1, name, "real");
    } else if (metric == "ifid") {
      need(n_fake, 2, "intra-class FID", "generated"), need(n_real, 2, "intra-class FID", "real");
    } else if (metric == "cas") {
      // Trained on the images, not their features: `gankit eval` computes it and checks its counts.
    } else {
      fail("unknown metric '{}' (known: {})", metric, fmt::join(metric_names(), ", "));
    }
  }
}

Scores score_features(const ImageFeatures& real, const ImageFeatures& fake, const std::vector<std::string>& metrics,
                      const ScoreOptions& options) {
  const int64_t n_real = real.features.size(0), n_fake = fake.features.size(0);
  if (real.features.size(1) != fake.features.size(1)) {
    fail("real and generated features differ in width ({} vs {}): not from the same extractor",
         real.features.size(1), fake.features.size(1));
  }
  check_counts(metrics, n_real, n_fake, options);
  Scores scores;
  for (const auto& metric : metrics) {
    if (metric == "fid") {
      scores.emplace_back("fid", frechet_distance(feature_statistics(real.features), feature_statistics(fake.features)));
    } else if (metric == "kid") {
      auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
      const auto kid = kernel_inception_distance(real.features, fake.features, generator, options.kid_subsets,
                                                 options.kid_subset_size);
      scores.emplace_back("kid", kid.mean);
      scores.emplace_back("kid_std", kid.std);
    } else if (metric == "is") {
      const auto is = inception_score(fake.logits, options.is_splits);
      scores.emplace_back("is", is.mean);
      scores.emplace_back("is_std", is.std);
    } else if (metric == "pr") {
      const auto pr = precision_recall(real.features, fake.features, options.pr_k);
      scores.emplace_back("precision", pr.precision);
      scores.emplace_back("recall", pr.recall);
    } else if (metric == "dc") {
      const auto dc = density_coverage(real.features, fake.features, options.dc_k);
      scores.emplace_back("density", dc.density);
      scores.emplace_back("coverage", dc.coverage);
    } else if (metric == "ifid") {
      const auto ifid = intra_class_fid(real.features, real.labels, fake.features, fake.labels);
      scores.emplace_back("intra_fid", ifid.mean);
      scores.emplace_back("intra_fid_max", ifid.max);
      scores.emplace_back("intra_fid_worst_class", static_cast<double>(ifid.worst));
    }
  }
  return scores;
}

double class_accuracy(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (logits.size(0) == 0) fail("class accuracy of no images");
  return logits.argmax(1).eq(labels.to(torch::kLong)).to(torch::kDouble).mean().item<double>();
}

std::optional<double> labelled_class_accuracy(const torch::Tensor& logits, const torch::Tensor& labels,
                                              int64_t classes, const std::string& what, bool labels_must_fit) {
  if (!labels.defined() || classes <= 0 || labels.numel() == 0) return std::nullopt;
  const int64_t top = labels.max().item<int64_t>();
  if (top >= classes) {
    if (!labels_must_fit) return std::nullopt;
    fail("{}: labels go up to {}, but the classifier knows {} classes", what, top, classes);
  }
  return class_accuracy(logits, labels);
}

}  // namespace gankit::metrics
