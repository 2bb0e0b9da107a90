// The GAN metrics of one evaluation, computed from two sets of features: FID, KID, IS and
// improved precision/recall, by name, with the checks that turn too few samples into a clear error.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gankit/metrics/feature_extractor.h"

namespace gankit::metrics {

/// The metric names `--metrics` accepts, in the order results are reported.
const std::vector<std::string>& metric_names();  // fid, kid, is, pr, dc, ifid, cas

/// Whether `metric` scores labelled (class-conditional) images only: ifid, cas.
bool needs_labels(const std::string& metric);

/// "fid,kid" -> {"fid", "kid"} in metric_names() order, duplicates dropped; "all" = every one
/// that does not need labels (those are asked for by name).
/// An unknown or empty name throws gankit::Error listing the known ones.
std::vector<std::string> parse_metrics(const std::string& comma_separated);

struct ScoreOptions {
  int64_t kid_subsets = 100;
  int64_t kid_subset_size = 1000;
  int64_t is_splits = 10;
  int64_t pr_k = 3;
  /// Density/coverage: k of the real samples' k-NN balls (Naeem et al. use 5).
  int64_t dc_k = 5;
  /// Seeds KID's subsets: the same seed gives the same KID.
  uint64_t seed = 0;
};

using Scores = std::vector<std::pair<std::string, double>>;

/// Scores `fake` against `real` for each of `metrics`: fid; kid, kid_std; is, is_std (of the
/// fake logits alone); precision, recall; density, coverage; intra_fid, intra_fid_max,
/// intra_fid_worst_class (ifid: both sides need labels). cas is skipped: it trains classifiers on
/// the images themselves (train::classification_accuracy_score). Too few samples for a metric (fewer
/// than 2 for FID and KID, fewer than the splits for IS, k or fewer for precision/recall and
/// density/coverage) or features of different
/// widths throw gankit::Error saying how many it needs.
Scores score_features(const ImageFeatures& real, const ImageFeatures& fake, const std::vector<std::string>& metrics,
                      const ScoreOptions& options = {});

/// Throws the error score_features would for `n_real` real and `n_fake` generated images, so
/// that a request that cannot be met fails before any features are computed.
void check_counts(const std::vector<std::string>& metrics, int64_t n_real, int64_t n_fake,
                  const ScoreOptions& options = {});

/// The fraction of rows of `logits` [N,K] whose arg-max is `labels` [N].
double class_accuracy(const torch::Tensor& logits, const torch::Tensor& labels);

/// class_accuracy of labelled generated images `what`, scored by an extractor that knows the
/// data's `classes` (a domain classifier): nullopt without labels or classes. Labels beyond its
/// classes are a gankit::Error when `labels_must_fit` (a user's request), else nullopt (FID
/// during training goes on without it).
std::optional<double> labelled_class_accuracy(const torch::Tensor& logits, const torch::Tensor& labels,
                                              int64_t classes, const std::string& what, bool labels_must_fit);

}  // namespace gankit::metrics
