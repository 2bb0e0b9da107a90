// Each adversarial loss against its formula, written out independently with plain math.
#include <gtest/gtest.h>

#include <cmath>

#include "gankit/error.h"
#include "gankit/losses/adversarial.h"

namespace {

using gankit::losses::AdversarialLoss;
using namespace gankit::losses;

const std::vector<double> kReal{2.0, -0.5, 0.25};
const std::vector<double> kFake{-1.0, 0.5, 3.0};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double mean(const std::vector<double>& v, double (*f)(double)) {
  double s = 0;
  for (double x : v) s += f(x);
  return s / v.size();
}
torch::Tensor tensor(const std::vector<double>& v) { return torch::tensor(v, torch::kDouble); }

TEST(AdversarialLoss, BceMatchesLogSigmoidFormula) {
  const double expected_d = mean(kReal, [](double x) { return -std::log(sigmoid(x)); }) +
                            mean(kFake, [](double x) { return -std::log(1 - sigmoid(x)); });
  const double expected_g = mean(kFake, [](double x) { return -std::log(sigmoid(x)); });
  EXPECT_NEAR(discriminator_loss(AdversarialLoss::Bce, tensor(kReal), tensor(kFake)).item<double>(), expected_d, 1e-9);
  EXPECT_NEAR(generator_loss(AdversarialLoss::Bce, tensor(kFake)).item<double>(), expected_g, 1e-9);
  EXPECT_NEAR(discriminator_score(AdversarialLoss::Bce, tensor(kReal)).item<double>(), mean(kReal, sigmoid), 1e-9);
}

TEST(AdversarialLoss, HingeMatchesFormula) {
  const double expected_d = mean(kReal, [](double x) { return std::max(0.0, 1 - x); }) +
                            mean(kFake, [](double x) { return std::max(0.0, 1 + x); });
  EXPECT_NEAR(discriminator_loss(AdversarialLoss::Hinge, tensor(kReal), tensor(kFake)).item<double>(), expected_d, 1e-9);
  EXPECT_NEAR(generator_loss(AdversarialLoss::Hinge, tensor(kFake)).item<double>(), -2.5 / 3, 1e-9);
}

TEST(AdversarialLoss, WassersteinAndLsgan) {
  EXPECT_NEAR(discriminator_loss(AdversarialLoss::Wasserstein, tensor(kReal), tensor(kFake)).item<double>(),
              2.5 / 3 - 1.75 / 3, 1e-9);
  const double expected_lsgan = 0.5 * (mean(kReal, [](double x) { return (x - 1) * (x - 1); }) +
                                       mean(kFake, [](double x) { return x * x; }));
  EXPECT_NEAR(discriminator_loss(AdversarialLoss::Lsgan, tensor(kReal), tensor(kFake)).item<double>(), expected_lsgan,
              1e-9);
  EXPECT_NEAR(generator_loss(AdversarialLoss::Lsgan, tensor(kFake)).item<double>(),
              0.5 * mean(kFake, [](double x) { return (x - 1) * (x - 1); }), 1e-9);
}

TEST(AdversarialLoss, ParsesNamesAndRejectsUnknownOnes) {
  EXPECT_EQ(parse_adversarial_loss("hinge"), AdversarialLoss::Hinge);
  try {
    parse_adversarial_loss("bse");
    FAIL() << "expected an error";
  } catch (const gankit::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown loss 'bse' (valid: bce, hinge, wasserstein, lsgan)"),
              std::string::npos);
  }
}

TEST(AdversarialLoss, SmoothedTargetsFollowTheFormula) {
  // Real target 0.9: -(0.9 log σ(x) + 0.1 log(1 - σ(x))) for real; fake target 0 as before.
  const auto real_targets = torch::full({3}, 0.9, torch::kDouble);
  const auto fake_targets = torch::zeros({3}, torch::kDouble);
  const double expected =
      mean(kReal, [](double x) { return -(0.9 * std::log(sigmoid(x)) + 0.1 * std::log(1 - sigmoid(x))); }) +
      mean(kFake, [](double x) { return -std::log(1 - sigmoid(x)); });
  EXPECT_NEAR(discriminator_loss(AdversarialLoss::Bce, tensor(kReal), tensor(kFake), real_targets, fake_targets)
                  .item<double>(),
              expected, 1e-9);
  const double expected_lsgan = 0.5 * (mean(kReal, [](double x) { return (x - 0.9) * (x - 0.9); }) +
                                       mean(kFake, [](double x) { return x * x; }));
  EXPECT_NEAR(discriminator_loss(AdversarialLoss::Lsgan, tensor(kReal), tensor(kFake), real_targets, fake_targets)
                  .item<double>(),
              expected_lsgan, 1e-9);
}

TEST(AdversarialLoss, TargetsSmoothRealOnlyAndFlipAtTheNoiseRate) {
  torch::manual_seed(0);
  const auto [real, fake] = discriminator_targets(4, 0.1, 0.0, torch::kCPU);
  EXPECT_TRUE(torch::allclose(real, torch::full({4}, 0.9)));
  EXPECT_TRUE(torch::equal(fake, torch::zeros({4})));  // one-sided: fake stays 0

  const int64_t n = 200000;
  const auto [noisy_real, noisy_fake] = discriminator_targets(n, 0.1, 0.05, torch::kCPU);
  const double real_flipped = (noisy_real == 0).to(torch::kDouble).mean().item<double>();
  const double fake_flipped = (noisy_fake > 0.5).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(real_flipped, 0.05, 0.003);  // binomial sd ~0.0005
  EXPECT_NEAR(fake_flipped, 0.05, 0.003);
  EXPECT_TRUE(torch::allclose(noisy_fake.masked_select(noisy_fake > 0.5), torch::full({1}, 0.9)));
  EXPECT_EQ(((noisy_real != 0) & (noisy_real != 0.9f)).sum().item<int64_t>(), 0);
}

}  // namespace
