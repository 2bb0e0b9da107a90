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

}  // namespace
