// WGAN-GP and R1 against PyTorch (torch.autograd.grad with create_graph; fixtures from
// tests/data/make_fixtures.py): values and their gradients in the critic's parameters (double
// backward); and ‖∇D‖ against central finite differences in double precision.
#include "gankit/losses/penalty.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gankit/io/npy.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using namespace gankit::losses;

const fs::path kFixtures = fs::path(GANKIT_TEST_DATA_DIR) / "penalty";

torch::Tensor fixture(const std::string& name) { return gankit::io::read_npy(kFixtures / (name + ".npy")); }

/// The fixture's critic: [N,1,6,6] -> conv 3x3 to 2 channels -> tanh -> linear -> [N].
struct TinyCritic {
  torch::nn::Conv2d conv{torch::nn::Conv2dOptions(1, 2, 3)};
  torch::nn::Linear linear{2 * 4 * 4, 1};

  TinyCritic() {
    torch::NoGradGuard no_grad;
    conv->weight.copy_(fixture("conv_weight"));
    conv->bias.copy_(fixture("conv_bias"));
    linear->weight.copy_(fixture("linear_weight"));
    linear->bias.copy_(fixture("linear_bias"));
  }
  torch::Tensor operator()(const torch::Tensor& x) {
    return linear->forward(torch::tanh(conv->forward(x)).flatten(1)).squeeze(1);
  }
  Critic critic() {
    return [this](const torch::Tensor& x) { return (*this)(x); };
  }
  /// The parameters in the fixture's order and naming.
  std::vector<std::pair<std::string, torch::Tensor>> parameters() const {
    return {{"conv_weight", conv->weight},
            {"conv_bias", conv->bias},
            {"linear_weight", linear->weight},
            {"linear_bias", linear->bias}};
  }
  void to(torch::Dtype dtype) {
    conv->to(dtype);
    linear->to(dtype);
  }
};

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>();
}

/// The last bias does not change ∇ₓD, so it gets no gradient (PyTorch's fixture has zeros).
torch::Tensor grad_or_zero(const torch::Tensor& parameter) {
  return parameter.grad().defined() ? parameter.grad() : torch::zeros_like(parameter);
}

TEST(Penalty, ParsesNamesAndListsTheValidOnes) {
  EXPECT_EQ(parse_penalty("none"), Penalty::None);
  EXPECT_EQ(parse_penalty("gp"), Penalty::GradientPenalty);
  EXPECT_EQ(parse_penalty("r1"), Penalty::R1);
  EXPECT_TRUE(gankit::test::fails_with([] { parse_penalty("wgan-gp"); },
                                       {"unknown penalty 'wgan-gp'", "valid: none, gp, r1"}));
}

TEST(Penalty, GradientPenaltyMatchesPyTorchWithItsParameterGradients) {
  TinyCritic d;
  const auto gp = gradient_penalty(d.critic(), fixture("real"), fixture("fake"), fixture("epsilon"));
  EXPECT_EQ(gp.dim(), 0);
  EXPECT_NEAR(gp.item<double>(), fixture("gp").item<double>(), 1e-5);
  gp.backward();  // double backward: through ∇ₓD into D's parameters
  for (const auto& [name, parameter] : d.parameters()) {
    EXPECT_LT(max_abs_diff(grad_or_zero(parameter), fixture("gp_grad_" + name)), 1e-5) << name;
  }
  EXPECT_GT(grad_or_zero(d.conv->weight).abs().max().item<double>(), 1e-3);  // not vacuously zero
}

TEST(Penalty, R1MatchesPyTorchWithItsParameterGradients) {
  TinyCritic d;
  const auto real = fixture("real");
  const auto r1 = r1_penalty(d.critic(), real);
  EXPECT_NEAR(r1.item<double>(), fixture("r1").item<double>(), 1e-5);
  r1.backward();
  EXPECT_GT(grad_or_zero(d.linear->weight).abs().max().item<double>(), 1e-3);
  for (const auto& [name, parameter] : d.parameters()) {
    EXPECT_LT(max_abs_diff(grad_or_zero(parameter), fixture("r1_grad_" + name)), 1e-5) << name;
  }
  EXPECT_FALSE(real.requires_grad());  // the caller's images are left alone
}

TEST(Penalty, GradientNormAgreesWithFiniteDifferences) {
  TinyCritic d;
  d.to(torch::kDouble);
  const auto x = fixture("real").slice(0, 0, 2).to(torch::kDouble);  // [2,1,6,6]
  // Central differences of Σ D: the critic treats images independently, so this is each ∇D(x_n).
  const double h = 1e-6;
  auto numeric = torch::zeros_like(x);
  auto flat_x = x.view({-1}), flat_g = numeric.view({-1});
  {
    torch::NoGradGuard no_grad;
    for (int64_t i = 0; i < flat_x.numel(); ++i) {
      const double saved = flat_x[i].item<double>();
      flat_x[i] = saved + h;
      const double up = d(x).sum().item<double>();
      flat_x[i] = saved - h;
      const double down = d(x).sum().item<double>();
      flat_x[i] = saved;
      flat_g[i] = (up - down) / (2 * h);
    }
  }
  const auto norms = numeric.flatten(1).norm(2, 1);  // [2]
  EXPECT_GT(norms.min().item<double>(), 0.05);
  const double r1 = norms.pow(2).mean().item<double>();
  const double gp = (norms - 1).pow(2).mean().item<double>();
  EXPECT_NEAR(r1_penalty(d.critic(), x).item<double>(), r1, 1e-8);
  // ε = 1: x̂ is the real image itself.
  EXPECT_NEAR(
      gradient_penalty(d.critic(), x, torch::zeros_like(x), torch::ones({2}, torch::kDouble)).item<double>(),
      gp, 1e-8);
}

TEST(Penalty, DrawsEpsilonFromTheDefaultGeneratorAndTrainsOnlyTheCritic) {
  TinyCritic d;
  const auto real = fixture("real"), base = fixture("fake");
  auto g_scale = torch::ones({1}, torch::requires_grad());  // stands in for G's parameters
  const auto fake = base * g_scale;
  torch::manual_seed(5);
  const auto drawn = gradient_penalty(d.critic(), real, fake);
  torch::manual_seed(5);
  const auto epsilon = torch::rand({4});
  EXPECT_EQ(drawn.item<double>(), gradient_penalty(d.critic(), real, fake, epsilon).item<double>());
  EXPECT_NE(drawn.item<double>(),
            gradient_penalty(d.critic(), real, fake, torch::full({4}, 0.5)).item<double>());
  drawn.backward();
  EXPECT_FALSE(g_scale.grad().defined());
  EXPECT_TRUE(d.conv->weight.grad().defined());
}

}  // namespace
