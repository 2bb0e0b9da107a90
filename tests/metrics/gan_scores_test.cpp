// score_features: the metrics by name, each equal to its metric function, and the errors for too
// few samples; parse_metrics; class_accuracy.
#include <gtest/gtest.h>

#include "gankit/metrics/density_coverage.h"
#include "gankit/metrics/feature_statistics.h"
#include "gankit/metrics/frechet_distance.h"
#include "gankit/metrics/gan_scores.h"
#include "gankit/metrics/inception_score.h"
#include "gankit/metrics/intra_class_fid.h"
#include "gankit/metrics/kernel_inception_distance.h"
#include "gankit/metrics/precision_recall.h"
#include "support/test_support.h"

namespace gankit::metrics {
namespace {

using test::fails_with;

ImageFeatures random_features(int64_t n, int64_t d, double shift, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return {torch::randn({n, d}, generator) + shift, torch::randn({n, 10}, generator) * 3};
}

double value_of(const Scores& scores, const std::string& name) {
  for (const auto& [key, value] : scores) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no score " << name;
  return 0;
}

TEST(ParseMetrics, KeepsTheReportingOrderAndDropsDuplicates) {
  EXPECT_EQ(parse_metrics("pr,fid,fid"), (std::vector<std::string>{"fid", "pr"}));
  // "all" is every metric that needs no labels; ifid and cas are asked for by name.
  EXPECT_EQ(parse_metrics("all"), (std::vector<std::string>{"fid", "kid", "is", "pr", "dc"}));
  EXPECT_EQ(parse_metrics("cas,all,ifid"), (std::vector<std::string>{"fid", "kid", "is", "pr", "dc", "ifid", "cas"}));
  EXPECT_TRUE(fails_with([] { parse_metrics("fid,lpips"); }, {"unknown metric 'lpips'", "fid, kid, is, pr, dc, ifid, cas, all"}));
  EXPECT_TRUE(fails_with([] { parse_metrics("fid,"); }, {"unknown metric ''"}));
}

TEST(ScoreFeatures, EachScoreIsItsMetricFunction) {
  const auto real = random_features(300, 8, 0.0, 1), fake = random_features(200, 8, 0.5, 2);
  ScoreOptions options;
  options.kid_subsets = 7, options.kid_subset_size = 50, options.is_splits = 4, options.pr_k = 3, options.seed = 9;
  options.dc_k = 4;
  const auto scores = score_features(real, fake, parse_metrics("all"), options);
  std::vector<std::string> keys;
  for (const auto& score : scores) keys.push_back(score.first);
  EXPECT_EQ(keys, (std::vector<std::string>{"fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "density", "coverage"}));

  EXPECT_DOUBLE_EQ(value_of(scores, "fid"),
                   frechet_distance(feature_statistics(real.features), feature_statistics(fake.features)));
  auto generator = at::make_generator<at::CPUGeneratorImpl>(9);
  const auto kid = kernel_inception_distance(real.features, fake.features, generator, 7, 50);
  EXPECT_DOUBLE_EQ(value_of(scores, "kid"), kid.mean);
  EXPECT_DOUBLE_EQ(value_of(scores, "kid_std"), kid.std);
  const auto is = inception_score(fake.logits, 4);
  EXPECT_DOUBLE_EQ(value_of(scores, "is"), is.mean);
  const auto pr = precision_recall(real.features, fake.features, 3);
  EXPECT_DOUBLE_EQ(value_of(scores, "precision"), pr.precision);
  EXPECT_DOUBLE_EQ(value_of(scores, "recall"), pr.recall);
  const auto dc = density_coverage(real.features, fake.features, 4);
  EXPECT_DOUBLE_EQ(value_of(scores, "density"), dc.density);
  EXPECT_DOUBLE_EQ(value_of(scores, "coverage"), dc.coverage);
  // A shifted set is farther than a fresh draw of the same distribution.
  const auto same = score_features(real, random_features(200, 8, 0.0, 3), {"fid"});
  EXPECT_LT(value_of(same, "fid"), value_of(scores, "fid"));
}

TEST(ScoreFeatures, IntraClassFidUsesBothSidesLabels) {
  auto real = random_features(300, 8, 0.0, 1), fake = random_features(200, 8, 0.5, 2);
  real.labels = torch::arange(300, torch::kLong).remainder(4);
  fake.labels = torch::arange(200, torch::kLong).remainder(4);
  const auto scores = score_features(real, fake, {"ifid"});
  const auto ifid = intra_class_fid(real.features, real.labels, fake.features, fake.labels);
  EXPECT_DOUBLE_EQ(value_of(scores, "intra_fid"), ifid.mean);
  EXPECT_DOUBLE_EQ(value_of(scores, "intra_fid_max"), ifid.max);
  EXPECT_DOUBLE_EQ(value_of(scores, "intra_fid_worst_class"), static_cast<double>(ifid.worst));
  fake.labels = torch::Tensor();
  EXPECT_TRUE(fails_with([&] { score_features(real, fake, {"ifid"}); }, {"generated images' class labels"}));
}

TEST(ScoreFeatures, TooFewSamplesSayHowManyAreNeeded) {
  const auto many = random_features(20, 4, 0, 1);
  EXPECT_TRUE(fails_with([&] { score_features(many, random_features(1, 4, 0, 2), {"fid"}); },
                         {"fid needs at least 2 generated images, got 1"}));
  EXPECT_TRUE(fails_with([&] { score_features(random_features(1, 4, 0, 2), many, {"kid"}); },
                         {"kid needs at least 2 real images, got 1"}));
  EXPECT_TRUE(fails_with([&] { score_features(many, random_features(5, 4, 0, 2), {"is"}); },
                         {"is (with 10 splits) needs at least 10 generated images, got 5"}));
  EXPECT_TRUE(fails_with([&] { score_features(random_features(3, 4, 0, 2), many, {"pr"}); },
                         {"precision/recall (k = 3) needs at least 4 real images, got 3"}));
  EXPECT_TRUE(fails_with([&] { check_counts({"fid", "pr"}, 20, 3); }, {"precision/recall (k = 3) needs at least 4 generated images, got 3"}));
  EXPECT_TRUE(fails_with([&] { check_counts({"dc"}, 5, 20); }, {"density/coverage (k = 5) needs at least 6 real images, got 5"}));
  EXPECT_NO_THROW(check_counts({"fid", "kid", "is", "pr", "dc"}, 10, 10));
  EXPECT_TRUE(fails_with([&] { score_features(many, random_features(20, 5, 0, 2), {"fid"}); },
                         {"differ in width (4 vs 5)"}));
}

TEST(ClassAccuracy, CountsArgMaxHits) {
  const auto logits = torch::tensor({{2.0, 1.0, 0.0}, {0.0, 3.0, 1.0}, {0.0, 0.0, 1.0}, {5.0, 0.0, 0.0}});
  EXPECT_DOUBLE_EQ(class_accuracy(logits, torch::tensor({0, 1, 2, 1})), 0.75);
}

}  // namespace
}  // namespace gankit::metrics

namespace gankit::metrics {
namespace {

TEST(LabelledClassAccuracy, OnlyWithLabelsAndClassesAndLabelsThatFit) {
  const auto logits = torch::tensor({{5.0, 0.0, 0.0}, {0.0, 5.0, 0.0}, {0.0, 0.0, 5.0}, {5.0, 0.0, 0.0}});
  const auto labels = torch::tensor({0, 1, 1, 0}, torch::kLong);
  EXPECT_EQ(labelled_class_accuracy(logits, labels, 3, "s.npy", true), 0.75);
  EXPECT_FALSE(labelled_class_accuracy(logits, torch::Tensor(), 3, "s.npy", true));  // unlabelled
  EXPECT_FALSE(labelled_class_accuracy(logits, labels, 0, "s.npy", true));           // Inception: no classes
  const auto beyond = torch::tensor({0, 1, 7, 0}, torch::kLong);
  EXPECT_FALSE(labelled_class_accuracy(logits, beyond, 3, "s.npy", false));
  try {
    labelled_class_accuracy(logits, beyond, 3, "s.npy", true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "s.npy: labels go up to 7, but the classifier knows 3 classes");
  }
}

}  // namespace
}  // namespace gankit::metrics
