// Spectral norm against torch.nn.utils.spectral_norm (fixtures from tests/data/make_fixtures.py): same σ,
// outputs and u, v over three training forwards and one eval forward; plus gradients, clone and checkpoints.
#include "gankit/nn/spectral_norm.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gankit/io/npy.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using gankit::nn::SNConv2d;
using gankit::nn::SNConvTranspose2d;
using gankit::nn::SNLinear;
using gankit::nn::SpectralNormOptions;

const fs::path kFixtures = fs::path(GANKIT_TEST_DATA_DIR) / "spectral_norm";

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>();
}

double scalar(const torch::Tensor& t) { return t.item<double>(); }

/// Loads PyTorch's weight_orig, bias, u, v, then replays the fixture's forwards.
template <typename Holder>
void expect_matches_pytorch(Holder sn, const std::string& name) {
  SCOPED_TRACE(name);
  const auto read = [&](const std::string& key) {
    return gankit::io::read_npy(kFixtures / name / (key + ".npy"));
  };
  {
    torch::NoGradGuard no_grad;
    sn->layer->weight.copy_(read("weight"));
    sn->layer->bias.copy_(read("bias"));
    sn->u.copy_(read("u"));
    sn->v.copy_(read("v"));
  }
  const auto input = read("input");
  const auto outputs = read("train_outputs");
  const auto sigmas = read("train_sigmas");
  sn->train();
  for (int64_t step = 0; step < 3; ++step) {
    const auto output = sn->forward(input);
    EXPECT_LT(max_abs_diff(output, outputs[step]), 1e-4) << "training forward " << step;
    EXPECT_NEAR(scalar(sn->sigma()), scalar(sigmas[step]), 1e-5) << "training forward " << step;
  }
  EXPECT_LT(max_abs_diff(sn->u, read("u_final")), 1e-5);
  EXPECT_LT(max_abs_diff(sn->v, read("v_final")), 1e-5);
  sn->eval();
  EXPECT_LT(max_abs_diff(sn->forward(input), read("eval_output")), 1e-4);
}

TEST(SpectralNorm, MatchesPyTorchLinear) {
  expect_matches_pytorch(SNLinear(torch::nn::LinearOptions(5, 4)), "linear");
  expect_matches_pytorch(SNLinear(torch::nn::LinearOptions(5, 4), SpectralNormOptions().power_iterations(2)),
                         "linear_pi2");
}

TEST(SpectralNorm, MatchesPyTorchConv2d) {
  expect_matches_pytorch(SNConv2d(torch::nn::Conv2dOptions(3, 4, 3)), "conv2d");
}

TEST(SpectralNorm, MatchesPyTorchConvTranspose2dWithOutputChannelsAsRows) {
  SNConvTranspose2d sn(torch::nn::ConvTranspose2dOptions(4, 3, 4).stride(2).padding(1));
  EXPECT_EQ(sn->u.size(0), 3);       // rows: output channels, dim 1 of [in, out, kh, kw]
  EXPECT_EQ(sn->v.size(0), 4 * 16);  // cols: in * kh * kw
  expect_matches_pytorch(sn, "conv_transpose2d");
}

TEST(SpectralNorm, SigmaConvergesToLargestSingularValue) {
  torch::manual_seed(0);
  SNConv2d sn(torch::nn::Conv2dOptions(3, 5, 3), SpectralNormOptions().power_iterations(100));
  sn->forward(torch::randn({1, 3, 4, 4}));
  const auto largest = torch::linalg::svdvals(sn->layer->weight.detach().reshape({5, -1}), c10::nullopt)[0];
  EXPECT_NEAR(scalar(sn->sigma()), scalar(largest), 1e-4);
}

TEST(SpectralNorm, GradientsReachTheWeightAndUMovesOnlyInTraining) {
  torch::manual_seed(0);
  SNConv2d sn(torch::nn::Conv2dOptions(2, 3, 3).padding(1));
  const auto input = torch::randn({2, 2, 5, 5});

  sn->train();
  auto u_before = sn->u.clone();
  sn->forward(input).pow(2).sum().backward();
  EXPECT_FALSE(torch::equal(sn->u, u_before));
  ASSERT_TRUE(sn->layer->weight.grad().defined());
  EXPECT_GT(sn->layer->weight.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(sn->layer->bias.grad().abs().sum().item<double>(), 0.0);
  EXPECT_FALSE(sn->u.requires_grad());

  sn->eval();
  u_before = sn->u.clone();
  const auto v_before = sn->v.clone();
  sn->forward(input).sum().backward();
  EXPECT_TRUE(torch::equal(sn->u, u_before));
  EXPECT_TRUE(torch::equal(sn->v, v_before));
}

TEST(SpectralNorm, ForwardLeavesTheParameterInPlaceEvenWhenTheLayerThrows) {
  torch::manual_seed(0);
  SNLinear sn(torch::nn::LinearOptions(5, 4));
  const auto parameter = sn->named_parameters()["layer.weight"];
  sn->forward(torch::randn({2, 5}));
  EXPECT_TRUE(sn->layer->weight.is_same(parameter));
  EXPECT_THROW(sn->forward(torch::randn({2, 7})), c10::Error);  // wrong input width
  EXPECT_TRUE(sn->layer->weight.is_same(parameter));
  EXPECT_EQ(sn->parameters().size(), 2u);  // weight and bias only; u, v are buffers
  EXPECT_EQ(sn->buffers().size(), 2u);
}

TEST(SpectralNorm, CloneIsAnIndependentCopy) {
  torch::manual_seed(0);
  SNConv2d sn(torch::nn::Conv2dOptions(2, 3, 3));
  auto copy = std::dynamic_pointer_cast<gankit::nn::SNConv2dImpl>(sn->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(torch::equal(copy->layer->weight, sn->layer->weight));
  EXPECT_TRUE(torch::equal(copy->u, sn->u));
  EXPECT_TRUE(torch::equal(copy->v, sn->v));
  EXPECT_TRUE(copy->named_parameters()["layer.weight"].is_same(copy->layer->weight));
  EXPECT_TRUE(copy->named_buffers()["u"].is_same(copy->u));

  const auto u_original = sn->u.clone();
  copy->forward(torch::randn({1, 2, 4, 4}));  // iterates the copy's u only
  {
    torch::NoGradGuard no_grad;
    copy->layer->weight.add_(1.0);
  }
  EXPECT_TRUE(torch::equal(sn->u, u_original));
  EXPECT_FALSE(torch::equal(copy->u, u_original));
  EXPECT_FALSE(torch::equal(copy->layer->weight, sn->layer->weight));
}

TEST(SpectralNorm, CheckpointRestoresWeightAndVectorsExactly) {
  gankit::test::TempDir dir;
  torch::manual_seed(0);
  SNConvTranspose2d saved(torch::nn::ConvTranspose2dOptions(3, 2, 4).stride(2).padding(1));
  saved->forward(torch::randn({1, 3, 4, 4}));  // u, v no longer the initial draws
  torch::save(saved, (dir / "sn.pt").string());

  torch::manual_seed(1);
  SNConvTranspose2d loaded(torch::nn::ConvTranspose2dOptions(3, 2, 4).stride(2).padding(1));
  ASSERT_FALSE(torch::equal(loaded->u, saved->u));
  torch::load(loaded, (dir / "sn.pt").string());
  EXPECT_TRUE(gankit::test::same_tensor(loaded->layer->weight, saved->layer->weight));
  EXPECT_TRUE(gankit::test::same_tensor(loaded->layer->bias, saved->layer->bias));
  EXPECT_TRUE(gankit::test::same_tensor(loaded->u, saved->u));
  EXPECT_TRUE(gankit::test::same_tensor(loaded->v, saved->v));
  saved->eval(), loaded->eval();
  const auto input = torch::randn({1, 3, 4, 4});
  EXPECT_TRUE(torch::equal(loaded->forward(input), saved->forward(input)));
}

}  // namespace
