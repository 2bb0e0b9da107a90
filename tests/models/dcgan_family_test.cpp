// The DCGAN family's members differ from DCGAN exactly where their papers say: spectral norm and
// no BatchNorm in SN-GAN's D, spectral norm and self-attention at 16x16 in SAGAN, label inputs in
// the cGAN, a class head in AC-GAN's D.
#include <gtest/gtest.h>

#include "gankit/error.h"
#include "gankit/models/registry.h"
#include "gankit/nn/parameter_count.h"
#include "gankit/nn/self_attention.h"
#include "gankit/nn/spectral_norm.h"
#include "support/test_support.h"

namespace {

using namespace gankit;
using namespace gankit::models;

Networks build(const std::string& name, int64_t classes = 0, int64_t channels = 3) {
  torch::manual_seed(0);
  ModelOptions options;
  options.name = name;
  options.z_dim = 16;
  options.width = 8;
  return make_networks(options, DataShape{channels, 32, classes});
}

template <typename Impl>
int count_modules(torch::nn::Module& module) {
  int n = 0;
  for (const auto& child : module.modules()) n += child->as<Impl>() != nullptr;
  return n;
}

TEST(SnDcgan, SpectralNormOnEveryConvOfDAndNoBatchNorm) {
  auto nets = build("sn-dcgan");
  auto& d = *nets.discriminator;
  EXPECT_EQ(count_modules<torch::nn::BatchNorm2dImpl>(d), 0);
  EXPECT_EQ(count_modules<nn::SNConv2dImpl>(d), 4);  // 3 down blocks + the logit conv at 32x32
  EXPECT_EQ(count_modules<torch::nn::Conv2dImpl>(d), 4);  // each one wrapped
  // G is DCGAN's, untouched.
  EXPECT_EQ(gankit::nn::count_parameters(*nets.generator),
            gankit::nn::count_parameters(*build("dcgan").generator));
  EXPECT_EQ(count_modules<nn::SNConvTranspose2dImpl>(*nets.generator), 0);
}

TEST(Sagan, SpectralNormInBothAndOneAttentionBlockEachAt16x16) {
  auto nets = build("sagan");
  auto& g = *nets.generator;
  auto& d = *nets.discriminator;
  EXPECT_EQ(count_modules<nn::SNConvTranspose2dImpl>(g), 4);
  EXPECT_EQ(count_modules<nn::SNConv2dImpl>(d), 4 + 3);  // convs + the attention's f, g, h
  EXPECT_EQ(count_modules<torch::nn::BatchNorm2dImpl>(d), 0);
  EXPECT_GT(count_modules<torch::nn::BatchNorm2dImpl>(g), 0);  // G keeps BatchNorm
  ASSERT_EQ(count_modules<nn::SelfAttentionImpl>(g), 1);
  ASSERT_EQ(count_modules<nn::SelfAttentionImpl>(d), 1);

  // At 32x32 with width w, the 16x16 feature maps have w channels in both G and D: record the
  // shape each attention block sees.
  std::vector<std::vector<int64_t>> seen;
  for (auto* net : {static_cast<torch::nn::Module*>(&g), static_cast<torch::nn::Module*>(&d)}) {
    for (const auto& child : net->modules()) {
      if (auto* attention = child->as<nn::SelfAttentionImpl>()) {
        seen.push_back({attention->options.channels()});
        EXPECT_EQ(attention->gamma.item<float>(), 0.0f);  // starts as the identity
      }
    }
  }
  EXPECT_EQ(seen, (std::vector<std::vector<int64_t>>{{8}, {8}}));
  g.eval();
  const auto images = g.forward(torch::randn({2, 16}), {});
  EXPECT_EQ(images.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
}

TEST(Sagan, NeedsImagesOfAtLeast32) {
  ModelOptions options;
  options.name = "sagan";
  EXPECT_TRUE(test::fails_with([&] { make_networks(options, DataShape{3, 16, 0}); }, {"sagan", ">= 32"}));
}

TEST(Cgan, GeneratorAndDiscriminatorDependOnTheLabel) {
  auto nets = build("cgan", 10, 1);
  auto& g = *nets.generator;
  auto& d = *nets.discriminator;
  g.eval();
  d.eval();
  const auto z = torch::randn({1, 16}).repeat({2, 1});  // the same z twice
  const auto labels = torch::tensor({3, 7}, torch::kLong);
  const auto images = g.forward(z, labels);
  EXPECT_FALSE(torch::allclose(images[0], images[1]));  // the label changes the image
  const auto same = images[0].unsqueeze(0).repeat({2, 1, 1, 1});
  const auto logits = d.forward(same, labels);
  EXPECT_NE(logits[0].item<float>(), logits[1].item<float>());  // and D's verdict
  // D's first conv sees the image plus one label-map channel.
  bool found = false;
  for (const auto& p : d.named_parameters()) {
    if (p.value().dim() == 4 && !found) {
      EXPECT_EQ(p.value().size(1), 2) << p.key();
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Acgan, DiscriminatorClassifiesAndIgnoresLabels) {
  auto nets = build("acgan", 10, 1);
  auto& d = *nets.discriminator;
  d.eval();
  const auto images = torch::rand({3, 1, 32, 32}) * 2 - 1;
  const auto a = d.score(images, torch::tensor({0, 1, 2}, torch::kLong));
  const auto b = d.score(images, torch::tensor({5, 5, 5}, torch::kLong));
  EXPECT_TRUE(torch::equal(a.logits, b.logits));
  EXPECT_TRUE(torch::equal(a.class_logits, b.class_logits));
  EXPECT_EQ(a.class_logits.sizes(), (std::vector<int64_t>{3, 10}));
}

TEST(ConditionalModels, RefuseUnlabelledData) {
  for (const char* name : {"cgan", "acgan"}) {
    ModelOptions options;
    options.name = name;
    EXPECT_TRUE(test::fails_with([&] { make_networks(options, DataShape{1, 32, 0}); },
                                 {name, "conditional", "labelled"}));
  }
}

}  // namespace
