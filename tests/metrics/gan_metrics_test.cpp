// The statistics behind FID, KID, IS and precision/recall, against closed forms and the reference
// implementations (fixtures from tests/data/make_fixtures_metrics.py: pytorch-fid's
// calculate_frechet_distance with scipy's sqrtm, numpy MMD^2, the original IS loop, brute-force
// nearest neighbours, Naeem et al.'s density and coverage as loops, per-class pytorch-fid).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "gankit/data/transforms.h"
#include "gankit/io/npy.h"
#include "gankit/metrics/density_coverage.h"
#include "gankit/metrics/feature_statistics.h"
#include "gankit/metrics/frechet_distance.h"
#include "gankit/metrics/inception_score.h"
#include "gankit/metrics/intra_class_fid.h"
#include "gankit/metrics/kernel_inception_distance.h"
#include "gankit/metrics/precision_recall.h"
#include "support/test_support.h"

namespace gankit::metrics {
namespace {

namespace fs = std::filesystem;
using test::fails_with;

const fs::path kFixtures = fs::path(GANKIT_TEST_DATA_DIR) / "metrics";

torch::Tensor fixture(const std::string& name) { return io::read_npy(kFixtures / (name + ".npy")); }

double expected(const std::string& key) {
  static const nlohmann::json values = [] {
    std::ifstream in(kFixtures / "expected.json");
    return nlohmann::json::parse(in);
  }();
  return values.at(key).get<double>();
}

double fd(const torch::Tensor& x, const torch::Tensor& y) {
  return frechet_distance(feature_statistics(x), feature_statistics(y));
}

double relative_error(double value, double reference) {
  return std::abs(value - reference) / std::abs(reference);
}

TEST(FeatureStatistics, AreTheMeanAndTheUnbiasedCovarianceInFloat64) {
  const auto x = torch::tensor({1.0f, 2.0f, 3.0f, 6.0f, 5.0f, 10.0f}).view({3, 2});
  const auto s = feature_statistics(x);
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.mean.scalar_type(), torch::kDouble);
  EXPECT_EQ(s.covariance.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::allclose(s.mean, torch::tensor({3.0, 6.0}, torch::kDouble)));
  // Deviations (-2,-4), (0,0), (2,4), divided by N - 1 = 2.
  EXPECT_TRUE(
      torch::allclose(s.covariance, torch::tensor({4.0, 8.0, 8.0, 16.0}, torch::kDouble).view({2, 2})));
}

TEST(FeatureStatistics, NeedTwoVectors) {
  EXPECT_TRUE(fails_with([] { feature_statistics(torch::rand({1, 8})); }, {"at least 2", "got 1"}));
  EXPECT_TRUE(fails_with([] { feature_statistics(torch::rand({8})); }, {"[N,D]"}));
}

TEST(FrechetDistance, OfASetWithItselfIsZero) {
  // wide_real: 40 samples of 64 dimensions, a covariance of rank 39 (25 null directions).
  for (const std::string name : {"real", "wide_real"}) {
    const auto statistics = feature_statistics(fixture(name));
    EXPECT_NEAR(frechet_distance(statistics, statistics), 0.0, 1e-10) << name;  // seen: ~1e-14
  }
}

TEST(FrechetDistance, MatchesTheClosedFormForGaussians) {
  // Diagonal covariances: |mu1 - mu2|^2 + sum (sigma1 - sigma2)^2 over the dimensions.
  auto generator = data::make_generator(3);
  const int64_t d = 16;
  const auto mu1 = torch::randn({d}, generator, torch::kDouble),
             mu2 = torch::randn({d}, generator, torch::kDouble);
  const auto sigma1 = torch::rand({d}, generator, torch::kDouble) + 0.1;
  const auto sigma2 = torch::rand({d}, generator, torch::kDouble) * 3 + 0.01;
  const double closed_form = ((mu1 - mu2).square().sum() + (sigma1 - sigma2).square().sum()).item<double>();
  const FeatureStatistics a{mu1, torch::diag(sigma1.square()), 100},
      b{mu2, torch::diag(sigma2.square()), 100};
  EXPECT_LT(relative_error(frechet_distance(a, b), closed_form), 1e-12);
  // A rotation (same for both) moves the Gaussians but not the distance: full covariances now.
  const auto rotation =
      std::get<0>(torch::linalg::qr(torch::randn({d, d}, generator, torch::kDouble), "reduced"));
  const FeatureStatistics ra{rotation.mv(mu1), rotation.mm(a.covariance).mm(rotation.t()), 100};
  const FeatureStatistics rb{rotation.mv(mu2), rotation.mm(b.covariance).mm(rotation.t()), 100};
  EXPECT_LT(relative_error(frechet_distance(ra, rb), closed_form), 1e-10);
}

TEST(FrechetDistance, MatchesPytorchFid) {
  const double value = fd(fixture("real"), fixture("fake"));
  EXPECT_LT(relative_error(value, expected("fd")), 1e-10) << value;        // seen: 2e-14
  EXPECT_LT(relative_error(value, expected("fd_exact")), 1e-12) << value;  // the 50-digit value
}

TEST(FrechetDistance, HandlesRankDeficientCovariances) {
  // D = 64 > N = 40: both covariances have rank 39 and their product is singular. scipy's sqrtm
  // (a Schur method on the non-symmetric product) returns square roots of rounding noise, ~1e-8,
  // for the 25 zero eigenvalues, which moves pytorch-fid's FD by ~1e-6 (seen: 1.1e-6 on 48.5,
  // 2.3e-8 relative) from the exact value; gankit treats that noise as 0. Hence 1e-7 relative
  // against scipy, and 1e-12 against the exact value computed in 50 digits.
  const double value = fd(fixture("wide_real"), fixture("wide_fake"));
  EXPECT_LT(relative_error(value, expected("fd_wide")), 1e-7) << value;
  EXPECT_LT(relative_error(value, expected("fd_wide_exact")), 1e-12) << value;
}

TEST(FrechetDistance, StatisticsOfDifferentDimensionsAreAnError) {
  const auto a = feature_statistics(torch::rand({10, 4})), b = feature_statistics(torch::rand({10, 5}));
  EXPECT_TRUE(
      fails_with([&] { frechet_distance(a, b); }, {"frechet_distance", "different dimensions (4 and 5)"}));
  EXPECT_TRUE(fails_with([&] { frechet_distance(a, FeatureStatistics{}); }, {"statistics b"}));
}

TEST(KernelInceptionDistance, Mmd2MatchesNumpyOnTheWholeSets) {
  const auto real = fixture("real"), fake = fixture("fake");
  EXPECT_NEAR(mmd2_unbiased(real, fake), expected("mmd2"), 1e-12);  // 300 and 250 samples
  EXPECT_NEAR(mmd2_unbiased(real.slice(0, 0, 250), fake), expected("mmd2_equal_sizes"), 1e-12);
  EXPECT_NEAR(mmd2_unbiased(fake, real), expected("mmd2"), 1e-12);  // symmetric
}

TEST(KernelInceptionDistance, SubsetsAsLargeAsBothSetsGiveTheWholeSetValue) {
  // Both sets of 250: every subset is a whole set, reordered.
  auto generator = data::make_generator(7);
  const auto result =
      kernel_inception_distance(fixture("real").slice(0, 0, 250), fixture("fake"), generator, 5);
  EXPECT_EQ(result.subsets, 5);
  EXPECT_EQ(result.subset_size, 250);  // min(1000, 250, 250)
  EXPECT_NEAR(result.mean, expected("mmd2_equal_sizes"), 1e-12);
  EXPECT_LT(result.std, 1e-12);
}

TEST(KernelInceptionDistance, IsSeededAndAveragesToTheWholeSetValue) {
  const auto real = fixture("real"), fake = fixture("fake");
  auto first = data::make_generator(11), second = data::make_generator(11), other = data::make_generator(12);
  const auto a = kernel_inception_distance(real, fake, first, 400, 100);
  const auto b = kernel_inception_distance(real, fake, second, 400, 100);
  const auto c = kernel_inception_distance(real, fake, other, 400, 100);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.std, b.std);
  EXPECT_NE(a.mean, c.mean);
  EXPECT_EQ(a.subset_size, 100);
  EXPECT_GT(a.std, 0);
  // Each pair of samples is as likely to be drawn, so a subset's MMD^2 has the whole-set value as
  // its expectation: the mean of 400 independent subsets lies within a few standard errors of it.
  const double standard_error = a.std / std::sqrt(400.0);
  EXPECT_NEAR(a.mean, expected("mmd2"), 4 * standard_error) << "standard error " << standard_error;
  EXPECT_NEAR(c.mean, expected("mmd2"), 4 * standard_error);
}

TEST(KernelInceptionDistance, TooFewSamplesOrMismatchedSetsAreErrors) {
  auto generator = data::make_generator(1);
  const auto x = torch::rand({10, 4});
  EXPECT_TRUE(fails_with(
      [&] {
        mmd2_unbiased(x, torch::rand({1, 4}));
      },
      {"at least 2 samples", "got 10 and 1"}));
  EXPECT_TRUE(fails_with(
      [&] {
        mmd2_unbiased(x, torch::rand({10, 3}));
      },
      {"different dimensions (4 and 3)"}));
  EXPECT_TRUE(fails_with(
      [&] {
        kernel_inception_distance(torch::rand({1, 4}), x, generator);
      },
      {"kernel_inception_distance", "at least 2 samples", "got 1 and 10"}));
  EXPECT_TRUE(fails_with([&] { kernel_inception_distance(x, x, generator, 0); }, {"at least 1 subset"}));
  EXPECT_TRUE(
      fails_with([&] { kernel_inception_distance(x, x, generator, 10, 1); }, {"subset size", "got 1"}));
}

TEST(InceptionScore, MatchesTheOriginalSplitLoop) {
  const auto logits = fixture("logits");  // 103 rows: chunks of 10 and 11
  const auto ten = inception_score(logits);
  EXPECT_NEAR(ten.mean, expected("is_mean"), 1e-12);
  EXPECT_NEAR(ten.std, expected("is_std"), 1e-12);
  const auto three = inception_score(logits, 3);
  EXPECT_NEAR(three.mean, expected("is_mean_splits3"), 1e-12);
  EXPECT_NEAR(three.std, expected("is_std_splits3"), 1e-12);
}

TEST(InceptionScore, RangesFromOneForUniformToKForConfidentEvenPredictions) {
  const int64_t classes = 10, splits = 5, count = classes * splits * 2;
  const auto uniform = inception_score(torch::zeros({count, classes}), splits);
  EXPECT_NEAR(uniform.mean, 1.0, 1e-12);
  EXPECT_NEAR(uniform.std, 0.0, 1e-12);
  // Every chunk holds each class twice, predicted with certainty.
  const auto labels = torch::arange(count, torch::kLong).remainder(classes);
  for (const double confidence : {50.0, 1e4}) {  // 1e4: the other classes' p underflows to 0
    const auto logits = torch::one_hot(labels, classes).to(torch::kFloat) * confidence;
    const auto confident = inception_score(logits, splits);
    EXPECT_NEAR(confident.mean, static_cast<double>(classes), 1e-9) << confidence;
    EXPECT_NEAR(confident.std, 0.0, 1e-9) << confidence;
  }
}

TEST(InceptionScore, NeedsAPredictionPerSplit) {
  EXPECT_TRUE(fails_with(
      [] {
        inception_score(torch::rand({9, 10}));
      },
      {"inception_score", "9", "10 splits"}));
  EXPECT_TRUE(fails_with([] { inception_score(torch::rand({9, 10}), 0); }, {"at least 1 split"}));
  EXPECT_TRUE(fails_with([] { inception_score(torch::rand({10})); }, {"[N,K]"}));
}

TEST(PrecisionRecall, MatchesBruteForce) {
  const auto real = fixture("real"), fake = fixture("fake");
  const auto k3 = precision_recall(real, fake);
  EXPECT_NEAR(k3.precision, expected("precision_k3"), 1e-12);
  EXPECT_NEAR(k3.recall, expected("recall_k3"), 1e-12);
  const auto k5 = precision_recall(real, fake, 5);
  EXPECT_NEAR(k5.precision, expected("precision_k5"), 1e-12);
  EXPECT_NEAR(k5.recall, expected("recall_k5"), 1e-12);
}

TEST(PrecisionRecall, AgreesWithBruteForceAcrossRowBlocks) {
  // 2100 x 2100 distances exceed one block (2^22 values), so radii and counts span two blocks.
  auto generator = data::make_generator(5);
  const auto real = torch::randn({2100, 4}, generator, torch::kDouble);
  const auto fake = torch::randn({2100, 4}, generator, torch::kDouble) * 1.3 + 0.4;
  const int64_t k = 3;
  const auto radius = [&](const torch::Tensor& set) {
    auto d = torch::cdist(set, set, 2.0, /*compute_mode=*/2);  // direct differences, no Gram trick
    d.fill_diagonal_(std::numeric_limits<double>::infinity());
    return std::get<0>(d.kthvalue(k, 1));
  };
  const auto inside = [&](const torch::Tensor& centres, const torch::Tensor& points) {
    const auto d = torch::cdist(points, centres, 2.0, 2);
    return d.le(radius(centres).unsqueeze(0)).any(1).to(torch::kDouble).mean().item<double>();
  };
  const auto result = precision_recall(real, fake, k);
  EXPECT_NEAR(result.precision, inside(real, fake), 1e-12);
  EXPECT_NEAR(result.recall, inside(fake, real), 1e-12);
  EXPECT_GT(result.precision, 0.1);
  EXPECT_LT(result.precision, 0.99);
}

TEST(PrecisionRecall, IsOneForIdenticalSetsAndZeroForFarApartOnes) {
  const auto real = fixture("real");
  const auto same = precision_recall(real, real.clone());
  EXPECT_EQ(same.precision, 1.0);
  EXPECT_EQ(same.recall, 1.0);
  const auto apart = precision_recall(real, fixture("fake") + 100);
  EXPECT_EQ(apart.precision, 0.0);
  EXPECT_EQ(apart.recall, 0.0);
}

TEST(PrecisionRecall, NeedsKPlusOneSamplesAndOneDimension) {
  const auto x = torch::rand({10, 4});
  EXPECT_TRUE(fails_with(
      [&] {
        precision_recall(x, torch::rand({3, 4}));
      },
      {"k = 3", "at least 4", "got 10 real and 3 fake"}));
  EXPECT_TRUE(fails_with([&] { precision_recall(torch::rand({5, 4}), x, 5); }, {"k = 5", "at least 6"}));
  EXPECT_TRUE(fails_with(
      [&] {
        precision_recall(x, torch::rand({10, 5}));
      },
      {"different dimensions (4 and 5)"}));
  EXPECT_TRUE(fails_with([&] { precision_recall(x, x, 0); }, {"k must be at least 1"}));
}

TEST(DensityCoverage, MatchesNaeemEtAlsDefinitionsOnBruteForceDistances) {
  const auto real = fixture("real"), fake = fixture("fake");
  const auto k5 = density_coverage(real, fake);
  EXPECT_NEAR(k5.density, expected("density_k5"), 1e-12);
  EXPECT_NEAR(k5.coverage, expected("coverage_k5"), 1e-12);
  const auto k3 = density_coverage(real, fake, 3);
  EXPECT_NEAR(k3.density, expected("density_k3"), 1e-12);
  EXPECT_NEAR(k3.coverage, expected("coverage_k3"), 1e-12);
}

TEST(DensityCoverage, AgreesWithBruteForceAcrossRowBlocks) {
  // 2100 x 2300 distances exceed one block (2^22 values): radii and counts span two blocks.
  auto generator = data::make_generator(7);
  const auto real = torch::randn({2100, 4}, generator, torch::kDouble);
  const auto fake = torch::randn({2300, 4}, generator, torch::kDouble) * 0.8 + 0.3;
  const int64_t k = 5;
  auto within = torch::cdist(real, real, 2.0, /*compute_mode=*/2);  // direct differences
  within.fill_diagonal_(std::numeric_limits<double>::infinity());
  const auto radii = std::get<0>(within.kthvalue(k, 1));
  const auto inside = torch::cdist(real, fake, 2.0, 2).le(radii.unsqueeze(1));  // [N,M]
  const auto result = density_coverage(real, fake, k);
  EXPECT_NEAR(result.density, inside.sum().item<double>() / (k * 2300.0), 1e-12);
  EXPECT_NEAR(result.coverage, inside.any(1).to(torch::kDouble).mean().item<double>(), 1e-12);
  EXPECT_GT(result.coverage, 0.1);
  EXPECT_LT(result.coverage, 0.99);
}

TEST(DensityCoverage, CatchesCopiesOutliersAndModeDropping) {
  const auto real = fixture("real");
  // A copy of the real set covers every real sample; far-off fakes cover none and add no density.
  EXPECT_EQ(density_coverage(real, real.clone()).coverage, 1.0);
  const auto apart = density_coverage(real, fixture("fake") + 100);
  EXPECT_EQ(apart.density, 0.0);
  EXPECT_EQ(apart.coverage, 0.0);
  // Ten modes far apart (4-D clusters); fakes drawn afresh from all ten, or from five only.
  auto generator = data::make_generator(13);
  const auto centres = torch::randn({10, 4}, generator, torch::kDouble) * 50;
  const auto draw = [&](int64_t modes, int64_t per_mode, double spread) {
    const auto which = torch::arange(modes, torch::kLong).repeat_interleave(per_mode);
    return centres.index_select(0, which) + torch::randn({modes * per_mode, 4}, generator, torch::kDouble) * spread;
  };
  const auto reals = draw(10, 60, 1.0);
  const auto all_modes = density_coverage(reals, draw(10, 60, 1.0));
  const auto five_modes = density_coverage(reals, draw(5, 120, 1.0));
  const auto huddled = density_coverage(reals, draw(10, 60, 0.3));
  // Alike sets: density ~1 and coverage ~1 - 2^-k (Naeem et al.'s expectations).
  EXPECT_NEAR(all_modes.density, 1.0, 0.2);
  EXPECT_GT(all_modes.coverage, 0.9);
  // Dropping modes costs coverage (the dropped modes' balls hold no fake), not density: each
  // fake is still where real samples are.
  EXPECT_LT(five_modes.coverage, 0.55);
  EXPECT_NEAR(five_modes.density, all_modes.density, 0.2);
  // Fakes huddled at the modes' centres sit in more real balls than real samples do.
  EXPECT_GT(huddled.density, 1.4);
  EXPECT_LT(huddled.coverage, all_modes.coverage);
}

TEST(DensityCoverage, NeedsKPlusOneSamplesAndOneDimension) {
  const auto x = torch::rand({10, 4});
  EXPECT_TRUE(fails_with([&] { density_coverage(x, torch::rand({5, 4})); },
                         {"density_coverage", "k = 5", "at least 6", "got 10 real and 5 fake"}));
  EXPECT_TRUE(fails_with([&] { density_coverage(x, torch::rand({10, 5})); }, {"different dimensions (4 and 5)"}));
  EXPECT_TRUE(fails_with([&] { density_coverage(x, x, 0); }, {"k must be at least 1"}));
}

/// Labels i % 3 for an n-row set, as make_fixtures_metrics.py gives them.
torch::Tensor every_third(int64_t n) { return torch::arange(n, torch::kLong).remainder(3); }

TEST(IntraClassFid, IsPytorchFidPerClassAveraged) {
  const auto real = fixture("real"), fake = fixture("fake");
  const auto result = intra_class_fid(real, every_third(real.size(0)), fake, every_third(fake.size(0)));
  EXPECT_NEAR(result.mean, expected("intra_fid_mean"), 1e-6 * expected("intra_fid_mean"));
  EXPECT_NEAR(result.max, expected("intra_fid_max"), 1e-6 * expected("intra_fid_max"));
  EXPECT_EQ(result.worst, static_cast<int64_t>(expected("intra_fid_worst")));
  EXPECT_EQ(result.classes, 3);
}

TEST(IntraClassFid, SeesRightImagesUnderWrongLabelsWhereFidCannot) {
  // Two well-separated classes; the fakes are the reals themselves, labelled right or swapped.
  auto generator = data::make_generator(11);
  const auto labels = torch::arange(400, torch::kLong).remainder(2);
  const auto real = torch::randn({400, 6}, generator, torch::kDouble) + labels.unsqueeze(1).to(torch::kDouble) * 8;
  const auto right = intra_class_fid(real, labels, real.clone(), labels);
  const auto swapped = intra_class_fid(real, labels, real.clone(), 1 - labels);
  EXPECT_NEAR(right.mean, 0.0, 1e-6);
  EXPECT_GT(swapped.mean, 300.0);  // ~ |8 * 1_6|^2 = 384 per class
}

TEST(IntraClassFid, MissingLabelsAndThinClassesAreErrorsNamingTheClass) {
  const auto x = torch::randn({12, 3});
  const auto labels = torch::arange(12, torch::kLong).remainder(3);
  EXPECT_TRUE(fails_with([&] { intra_class_fid(x, torch::Tensor(), x, labels); }, {"real images' class labels"}));
  EXPECT_TRUE(fails_with([&] { intra_class_fid(x, labels, x, torch::Tensor()); }, {"generated images' class labels"}));
  EXPECT_TRUE(fails_with([&] { intra_class_fid(x, labels.slice(0, 0, 5), x, labels); }, {"real labels", "12 images"}));
  auto one_of_class_7 = labels.clone();
  one_of_class_7[0] = 7;
  EXPECT_TRUE(fails_with([&] { intra_class_fid(x, labels, x, one_of_class_7); },
                         {"class 7 has 1 generated and 0 real images", "at least 2 of each"}));
  EXPECT_TRUE(fails_with([&] { intra_class_fid(x, labels, torch::randn({12, 4}), labels); }, {"do not match"}));
}

}  // namespace
}  // namespace gankit::metrics
