// Latent paths: ends exact, slerp against its formula, norms kept, straight lines straight.
#include <gtest/gtest.h>

#include <cmath>

#include "gankit/sample/latent_path.h"
#include "support/test_support.h"

namespace gankit::sample {
namespace {

TEST(LatentPath, EndsAreTheGivenPoints) {
  torch::manual_seed(1);
  const auto from = torch::randn({3, 8}), to = torch::randn({3, 8});
  for (bool spherical : {true, false}) {
    const auto path = latent_path(from, to, 5, spherical);
    ASSERT_EQ(path.sizes(), (std::vector<int64_t>{3, 5, 8}));
    EXPECT_TRUE(torch::allclose(path.select(1, 0), from, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(path.select(1, 4), to, 1e-5, 1e-6));
  }
}

TEST(LatentPath, SlerpFollowsTheGreatCircle) {
  // From (2,0) to (0,2): the quarter circle of radius 2, where the straight line would cut inside.
  const auto from = torch::tensor({{2.0f, 0.0f}}), to = torch::tensor({{0.0f, 2.0f}});
  const auto path = latent_path(from, to, 7, true);
  for (int64_t j = 0; j < 7; ++j) {
    const double angle = M_PI / 2 * j / 6.0;
    EXPECT_NEAR(path[0][j][0].item<float>(), 2 * std::cos(angle), 1e-5);
    EXPECT_NEAR(path[0][j][1].item<float>(), 2 * std::sin(angle), 1e-5);
  }
  // Unequal norms: slerp's formula sin((1-t)W)/sin(W) a + sin(tW)/sin(W) b, W the angle.
  const auto a = torch::tensor({{1.0f, 0.0f, 0.0f}}), b = torch::tensor({{1.0f, 3.0f, 0.0f}});
  const double omega = std::acos(1.0 / std::sqrt(10.0));
  const double t = 1.0 / 3;
  const auto third = latent_path(a, b, 4, true)[0][1];
  const double wa = std::sin((1 - t) * omega) / std::sin(omega), wb = std::sin(t * omega) / std::sin(omega);
  EXPECT_NEAR(third[0].item<float>(), wa + wb, 1e-5);
  EXPECT_NEAR(third[1].item<float>(), 3 * wb, 1e-5);
}

TEST(LatentPath, LerpIsAStraightLine) {
  const auto from = torch::tensor({{0.0f, 4.0f}}), to = torch::tensor({{2.0f, 0.0f}});
  const auto path = latent_path(from, to, 3, false);
  EXPECT_TRUE(torch::allclose(path[0][1], torch::tensor({1.0f, 2.0f})));
}

TEST(LatentPath, ParallelEndsFallBackToTheLine) {
  const auto from = torch::tensor({{1.0f, 1.0f}, {1.0f, 0.0f}}), to = torch::tensor({{3.0f, 3.0f}, {-2.0f, 0.0f}});
  const auto path = latent_path(from, to, 3, true);
  EXPECT_FALSE(torch::isnan(path).any().item<bool>());
  EXPECT_TRUE(torch::allclose(path[0][1], torch::tensor({2.0f, 2.0f})));
  EXPECT_TRUE(torch::allclose(path[1][1], torch::tensor({-0.5f, 0.0f})));
}

TEST(LatentPath, NeedsTwoSteps) {
  EXPECT_TRUE(test::fails_with([] { latent_path(torch::zeros({1, 2}), torch::ones({1, 2}), 1, true); },
                               {"at least 2 steps"}));
}

}  // namespace
}  // namespace gankit::sample
