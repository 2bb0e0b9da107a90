// Walks the whole model table: build tiny, forward, save, reload. Plus the reference
// architectures' exact parameter counts, computed with PyTorch (pytorch/examples dcgan; the
// Keras seeds' MLP): G 3,576,704 / D 2,765,568 for DCGAN-64 RGB is the number the PyTorch DCGAN
// tutorial prints.
#include <gtest/gtest.h>

#include <sstream>

#include "gankit/error.h"
#include "gankit/models/dcgan.h"
#include "gankit/models/inpaint_net.h"
#include "gankit/models/registry.h"
#include "gankit/models/unet.h"
#include "gankit/nn/parameter_count.h"

namespace {

using namespace gankit::models;

using gankit::nn::count_parameters;

/// G's output for `input` after a save and a reload into a freshly built G, to compare with the
/// original's: the archive must hold every weight the forward pass uses.
template <typename Module, typename Build, typename Forward>
torch::Tensor reloaded_output(Module& generator, Build&& build, Forward&& forward) {
  std::stringstream buffer;
  torch::serialize::OutputArchive out;
  generator->save(out);
  out.save_to(buffer);
  auto fresh = build();
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  fresh->load(in);
  fresh->eval();
  return forward(fresh);
}

void check_noise_to_image(const ModelEntry& entry, const ModelOptions& options) {
  const DataShape shape{3, 32, entry.conditional ? 10 : 0};  // 32: SAGAN's attention sits at 16x16
  auto nets = make_networks(options, shape);
  const auto z = torch::randn({4, 8});
  const auto labels = entry.conditional ? torch::arange(4, torch::kLong) : torch::Tensor();
  nets.generator->eval();
  const auto images = nets.generator->forward(z, labels);
  ASSERT_EQ(images.sizes(), (std::vector<int64_t>{4, 3, 32, 32}));
  EXPECT_LE(images.abs().max().item<float>(), 1.0f);
  nets.discriminator->eval();  // training forwards move spectral norm's u: compare like with like
  const auto logits = nets.discriminator->forward(images, labels);
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{4}));
  const auto scores = nets.discriminator->score(images, labels);
  EXPECT_TRUE(torch::equal(scores.logits, logits));
  if (std::string(entry.name) == "acgan") {
    ASSERT_EQ(scores.class_logits.sizes(), (std::vector<int64_t>{4, 10}));
  } else {
    EXPECT_FALSE(scores.class_logits.defined());
  }
  const auto again = reloaded_output(
      nets.generator, [&] { return make_networks(options, shape).generator; },
      [&](auto& g) { return g->forward(z, labels); });
  EXPECT_TRUE(torch::equal(again, images));
}

void check_image_to_image(const ModelOptions& options) {
  const DataShape shape{3, 32, 0};
  auto nets = make_translation_networks(options, shape);
  const auto input = torch::rand({2, 3, 32, 32}) * 2 - 1;
  nets.generator->eval();
  const auto output = nets.generator->forward(input);
  ASSERT_EQ(output.sizes(), input.sizes());
  EXPECT_LE(output.abs().max().item<float>(), 1.0f);
  nets.discriminator->eval();
  const auto patches = nets.discriminator->forward(torch::cat({input, output}, 1));
  EXPECT_EQ(patches.size(0), 2);
  const auto again = reloaded_output(
      nets.generator, [&] { return make_translation_networks(options, shape).generator; },
      [&](auto& g) { return g->forward(input); });
  EXPECT_TRUE(torch::equal(again, output));
}

void check_inpainting(const ModelOptions& options) {
  const DataShape shape{3, 32, 0};
  auto nets = make_inpainting_networks(options, shape);
  const auto images = torch::rand({2, 3, 32, 32}) * 2 - 1;
  const auto masks = torch::zeros({2, 1, 32, 32})
                         .index_put_({torch::indexing::Slice(), 0, torch::indexing::Slice(8, 24),
                                      torch::indexing::Slice(8, 24)},
                                     1.0);
  nets.generator->eval();
  const auto painted = nets.generator->forward(make_inpaint_input(images, masks));
  ASSERT_EQ(painted.sizes(), images.sizes());
  const auto completed = complete(nets.generator, images, masks);
  EXPECT_TRUE(torch::equal(completed * (1 - masks), images * (1 - masks)));  // known pixels kept exactly
  nets.critic->eval();
  ASSERT_EQ(nets.critic->forward(completed, {}).sizes(), (std::vector<int64_t>{2}));
  const auto again = reloaded_output(
      nets.generator, [&] { return make_inpainting_networks(options, shape).generator; },
      [&](auto& g) { return g->forward(make_inpaint_input(images, masks)); });
  EXPECT_TRUE(torch::equal(again, painted));
}

TEST(ModelRegistry, EveryModelBuildsRunsSavesAndReloads) {
  for (const auto& entry : model_table()) {
    SCOPED_TRACE(entry.name);
    torch::manual_seed(0);
    ModelOptions options;
    options.name = entry.name;
    options.z_dim = 8;
    options.width = 8;
    switch (entry.kind) {
      case ModelKind::NoiseToImage:
        check_noise_to_image(entry, options);
        break;
      case ModelKind::ImageToImage:
        check_image_to_image(options);
        break;
      case ModelKind::Inpainting:
        check_inpainting(options);
        break;
    }
  }
}

TEST(ModelRegistry, KindNamesAreTheStoredOnes) {
  // Checkpoints store these names: changing one would orphan every saved run of that kind.
  EXPECT_STREQ(kind_name(ModelKind::NoiseToImage), "adversarial");
  EXPECT_STREQ(kind_name(ModelKind::ImageToImage), "pix2pix");
  EXPECT_STREQ(kind_name(ModelKind::Inpainting), "inpaint");
  EXPECT_EQ(model_kinds().find("pix2pix"), ModelKind::ImageToImage);
  EXPECT_FALSE(model_kinds().find("translation").has_value());
  EXPECT_TRUE(generates_from_noise(ModelKind::NoiseToImage));
  EXPECT_FALSE(generates_from_noise(ModelKind::Inpainting));
  EXPECT_TRUE(takes_an_image(ModelKind::ImageToImage));
  EXPECT_TRUE(takes_a_mask(ModelKind::Inpainting));
  EXPECT_FALSE(takes_a_mask(ModelKind::ImageToImage));
}

TEST(ModelRegistry, UnknownNameListsValidOnes) {
  try {
    find_model("dcgan2");
    FAIL();
  } catch (const gankit::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model 'dcgan2' (valid: mlp, mlp-torch, dcgan"), std::string::npos);
  }
}

TEST(ModelRegistry, DcganRejectsSizesItCannotBuild) {
  ModelOptions options;
  try {
    make_networks(options, DataShape{1, 28, 0});
    FAIL();
  } catch (const gankit::Error& e) {
    EXPECT_NE(std::string(e.what()).find("power of two"), std::string::npos);
  }
}

TEST(Dcgan, ParameterCountsMatchPyTorchReference) {
  ModelOptions options;  // z 100, reference width 64
  auto rgb64 = make_networks(options, DataShape{3, 64, 0});
  EXPECT_EQ(count_parameters(*rgb64.generator), 3576704);
  EXPECT_EQ(count_parameters(*rgb64.discriminator), 2765568);
  auto gray32 = make_networks(options, DataShape{1, 32, 0});
  EXPECT_EQ(count_parameters(*gray32.generator), 1066880);
  EXPECT_EQ(count_parameters(*gray32.discriminator), 661248);
}

TEST(Mlp, ParameterCountsMatchKerasReference) {
  ModelOptions options;
  options.name = "mlp";
  auto nets = make_networks(options, DataShape{1, 28, 0});
  EXPECT_EQ(count_parameters(*nets.generator), 1489936);
  EXPECT_EQ(count_parameters(*nets.discriminator), 533505);
}

/// Every Linear layer's weights and biases, and every BatchNorm1d's options, of `module`.
struct MlpLayers {
  std::vector<torch::nn::LinearImpl*> linears;
  std::vector<torch::nn::BatchNormOptions> batch_norms;
};

MlpLayers mlp_layers(torch::nn::Module& module) {
  MlpLayers layers;
  module.apply([&](torch::nn::Module& child) {
    if (auto* linear = child.as<torch::nn::Linear>()) layers.linears.push_back(linear);
    if (auto* bn = child.as<torch::nn::BatchNorm1d>()) layers.batch_norms.push_back(bn->options);
  });
  return layers;
}

TEST(Mlp, KerasModelHasGlorotWeightsZeroBiasesAndKerasBatchNorm) {
  torch::manual_seed(2);
  ModelOptions options;
  options.name = "mlp";
  auto nets = make_networks(options, DataShape{1, 28, 0});
  for (torch::nn::Module* module : {static_cast<torch::nn::Module*>(nets.generator.get()),
                                     static_cast<torch::nn::Module*>(nets.discriminator.get())}) {
    auto layers = mlp_layers(*module);
    ASSERT_FALSE(layers.linears.empty());
    for (auto* linear : layers.linears) {
      const double fan_out = linear->weight.size(0), fan_in = linear->weight.size(1);
      // Glorot uniform: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)), std b / sqrt(3).
      const double bound = std::sqrt(6.0 / (fan_in + fan_out));
      EXPECT_LE(linear->weight.abs().max().item<double>(), bound);
      EXPECT_NEAR(linear->weight.std().item<double>(), bound / std::sqrt(3.0), 0.1 * bound);
      EXPECT_EQ(linear->bias.abs().max().item<double>(), 0.0);
    }
    for (const auto& bn : layers.batch_norms) {
      EXPECT_DOUBLE_EQ(bn.momentum().value(), 0.2);  // Keras momentum 0.8
      EXPECT_DOUBLE_EQ(bn.eps(), 1e-3);
    }
  }
  EXPECT_EQ(mlp_layers(*nets.generator).batch_norms.size(), 3u);
}

TEST(Mlp, TorchModelHasPyTorchsLinearInitAndBatchNormDefaults) {
  torch::manual_seed(2);
  ModelOptions options;
  options.name = "mlp-torch";
  auto nets = make_networks(options, DataShape{1, 28, 0});
  EXPECT_EQ(count_parameters(*nets.generator), 1489936);  // the same layers as mlp
  EXPECT_EQ(count_parameters(*nets.discriminator), 533505);
  for (torch::nn::Module* module : {static_cast<torch::nn::Module*>(nets.generator.get()),
                                     static_cast<torch::nn::Module*>(nets.discriminator.get())}) {
    auto layers = mlp_layers(*module);
    ASSERT_FALSE(layers.linears.empty());
    for (auto* linear : layers.linears) {
      // nn.Linear's reset_parameters: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
      const double bound = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(1)));
      EXPECT_LE(linear->weight.abs().max().item<double>(), bound);
      EXPECT_NEAR(linear->weight.std().item<double>(), bound / std::sqrt(3.0), 0.1 * bound);
      EXPECT_LE(linear->bias.abs().max().item<double>(), bound);
      EXPECT_GT(linear->bias.abs().max().item<double>(), 0.5 * bound);
    }
    for (const auto& bn : layers.batch_norms) {
      EXPECT_DOUBLE_EQ(bn.momentum().value(), 0.1);
      EXPECT_DOUBLE_EQ(bn.eps(), 1e-5);
    }
  }
}

TEST(Dcgan, ReferenceInitialisation) {
  torch::manual_seed(1);
  ModelOptions options;
  auto nets = make_networks(options, DataShape{1, 32, 0});
  for (const auto& item : nets.generator->named_parameters()) {
    const auto& name = item.key();
    const auto& p = item.value();
    if (p.dim() == 4) {  // conv weights ~ N(0, 0.02)
      EXPECT_NEAR(p.std().item<double>(), 0.02, 0.002) << name;
      EXPECT_NEAR(p.mean().item<double>(), 0.0, 0.002) << name;
    } else if (name.find("weight") != std::string::npos) {  // BatchNorm gamma ~ N(1, 0.02)
      EXPECT_NEAR(p.mean().item<double>(), 1.0, 0.01) << name;
    } else {
      EXPECT_EQ(p.abs().max().item<double>(), 0.0) << name;  // BatchNorm beta = 0
    }
  }
}

TEST(Dcgan, GeneratorLayoutFollowsRadford) {
  // 32x32: [N,100] -> 4x4x256 -> 8x8x128 -> 16x16x64 -> 32x32x1
  DcganGenerator g(DcganOptions(1, 32));
  std::vector<std::vector<int64_t>> shapes;
  for (const auto& p : g->parameters()) if (p.dim() == 4) shapes.push_back(p.sizes().vec());
  const std::vector<std::vector<int64_t>> expected{{100, 256, 4, 4}, {256, 128, 4, 4}, {128, 64, 4, 4}, {64, 1, 4, 4}};
  EXPECT_EQ(shapes, expected);
}

}  // namespace
