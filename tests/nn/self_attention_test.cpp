// SAGAN self-attention: the identity at γ = 0, and PyTorch's block (tests/data/make_fixtures.py, after
// heykeetae/Self-Attention-GAN's Self_Attn) with the same weights, plain and spectrally normalised in eval
// mode.
#include "gankit/nn/self_attention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gankit/io/npy.h"
#include "gankit/nn/spectral_norm.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using gankit::nn::SelfAttention;
using gankit::nn::SelfAttentionOptions;

const fs::path kFixtures = fs::path(GANKIT_TEST_DATA_DIR) / "self_attention";

/// Copies the fixture's tensors into `block`: "query_weight" -> query.weight (query.layer.weight with SN).
torch::Tensor load_fixture(SelfAttention& block, const std::string& name, bool sn) {
  const auto read = [&](const std::string& key) {
    return gankit::io::read_npy(kFixtures / name / (key + ".npy"));
  };
  torch::NoGradGuard no_grad;
  auto parameters = block->named_parameters();
  auto buffers = block->named_buffers();
  for (const std::string conv : {"query", "key", "value"}) {
    const std::string prefix = sn ? conv + ".layer." : conv + ".";
    parameters[prefix + "weight"].copy_(read(conv + "_weight"));
    parameters[prefix + "bias"].copy_(read(conv + "_bias"));
    if (sn) {
      buffers[conv + ".u"].copy_(read(conv + "_u"));
      buffers[conv + ".v"].copy_(read(conv + "_v"));
    }
  }
  block->gamma.copy_(read("gamma"));
  return read("input");
}

TEST(SelfAttention, StartsAsTheIdentityAndKeepsTheShape) {
  torch::manual_seed(0);
  for (bool sn : {false, true}) {
    SelfAttention block(SelfAttentionOptions(16).spectral_norm(sn));
    EXPECT_EQ(block->gamma.item<float>(), 0.0f);
    const auto x = torch::randn({2, 16, 5, 3});
    EXPECT_TRUE(torch::equal(block->forward(x), x));
  }
  // Fewer channels than the reduction: query and key keep one channel.
  SelfAttention small(SelfAttentionOptions(4).spectral_norm(false));
  EXPECT_EQ(small->named_parameters()["query.weight"].sizes(), torch::IntArrayRef({1, 4, 1, 1}));
  EXPECT_EQ(small->named_parameters()["value.weight"].sizes(), torch::IntArrayRef({4, 4, 1, 1}));
  EXPECT_EQ(small->forward(torch::randn({1, 4, 2, 2})).sizes(), torch::IntArrayRef({1, 4, 2, 2}));
}

TEST(SelfAttention, UsesSpectralNormWhenAsked) {
  SelfAttention sn(SelfAttentionOptions(16));
  SelfAttention plain(SelfAttentionOptions(16).spectral_norm(false));
  EXPECT_TRUE(sn->query.ptr()->as<gankit::nn::SNConv2dImpl>() != nullptr);
  EXPECT_TRUE(plain->query.ptr()->as<torch::nn::Conv2dImpl>() != nullptr);
  EXPECT_EQ(sn->named_parameters()["query.layer.weight"].sizes(), torch::IntArrayRef({2, 16, 1, 1}));
  EXPECT_EQ(sn->named_buffers().size(), 6u);  // u and v of query, key, value
  EXPECT_EQ(plain->parameters().size(), 7u);  // three weights, three biases, γ
}

TEST(SelfAttention, MatchesPyTorchReference) {
  SelfAttention block(SelfAttentionOptions(16).spectral_norm(false));
  const auto x = load_fixture(block, "plain", false);
  const auto expected = gankit::io::read_npy(kFixtures / "plain" / "output.npy");
  EXPECT_LT((block->forward(x) - expected).abs().max().item<double>(), 1e-5);
  EXPECT_GT((expected - x).abs().max().item<double>(), 0.1);  // γ = 0.7: the attention term counts
}

TEST(SelfAttention, MatchesPyTorchReferenceWithSpectralNormInEval) {
  SelfAttention block(SelfAttentionOptions(16));
  const auto x = load_fixture(block, "sn_eval", true);
  block->eval();
  const auto expected = gankit::io::read_npy(kFixtures / "sn_eval" / "output.npy");
  EXPECT_LT((block->forward(x) - expected).abs().max().item<double>(), 1e-5);
}

TEST(SelfAttention, GradientsReachGammaAndTheConvolutions) {
  torch::manual_seed(0);
  SelfAttention block(SelfAttentionOptions(8).spectral_norm(false));
  {
    torch::NoGradGuard no_grad;
    block->gamma.fill_(0.5);
  }
  block->forward(torch::randn({2, 8, 3, 3})).pow(2).sum().backward();
  for (const auto& parameter : block->named_parameters()) {
    ASSERT_TRUE(parameter->grad().defined()) << parameter.key();
    EXPECT_GT(parameter->grad().abs().sum().item<double>(), 0.0) << parameter.key();
  }
}

TEST(SelfAttention, CloneIsIndependent) {
  torch::manual_seed(0);
  SelfAttention block(SelfAttentionOptions(8));
  auto copy = std::dynamic_pointer_cast<gankit::nn::SelfAttentionImpl>(block->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(copy->query.ptr()->as<gankit::nn::SNConv2dImpl>() != nullptr);
  EXPECT_NE(copy->query.ptr().get(), block->query.ptr().get());
  {
    torch::NoGradGuard no_grad;
    copy->gamma.fill_(1.0);
    copy->named_parameters()["value.layer.weight"].add_(1.0);
  }
  EXPECT_EQ(block->gamma.item<float>(), 0.0f);
  EXPECT_FALSE(torch::equal(copy->named_parameters()["value.layer.weight"],
                            block->named_parameters()["value.layer.weight"]));
  EXPECT_TRUE(torch::equal(copy->named_parameters()["key.layer.weight"],
                           block->named_parameters()["key.layer.weight"]));
}

}  // namespace
