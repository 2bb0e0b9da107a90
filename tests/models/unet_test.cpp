// pix2pix's U-Net generator against PyTorch: parameter counts of the reference configurations
// (junyanz/pytorch-CycleGAN-and-pix2pix prints 54.414 M for unet_256), outputs of the reference
// definition in tests/data/make_fixtures_pix2pix.py with the same weights, shapes, dropout, errors.
#include "gankit/models/unet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gankit/io/npy.h"
#include "gankit/nn/parameter_count.h"
#include "support/reference_weights.h"

namespace {

namespace fs = std::filesystem;
using gankit::models::UnetGenerator;
using gankit::models::UnetGeneratorOptions;

const fs::path kFixture = fs::path(GANKIT_TEST_DATA_DIR) / "image_to_image" / "unet";

int64_t count_dropouts(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& child : module.modules(/*include_self=*/false))
    n += child->as<torch::nn::Dropout>() != nullptr;
  return n;
}

TEST(UnetGenerator, ParameterCountsMatchPyTorchReference) {
  UnetGenerator unet_256(UnetGeneratorOptions(3, 3, 8));  // ngf 64
  EXPECT_EQ(gankit::nn::count_parameters(*unet_256), 54413955);
  EXPECT_EQ(count_dropouts(*unet_256), 3);
  UnetGenerator unet_128(UnetGeneratorOptions(3, 3, 7));
  EXPECT_EQ(gankit::nn::count_parameters(*unet_128), 41828995);
  EXPECT_EQ(count_dropouts(*unet_128), 2);
  EXPECT_EQ(count_dropouts(*UnetGenerator(UnetGeneratorOptions(3, 3, 8).dropout(false))), 0);
}

TEST(UnetGenerator, MatchesPyTorchReferenceInEvalMode) {
  // num_downs 6 (one dropout level, 1x1 bottleneck at 64x64), ngf 1, 1 -> 2 channels
  UnetGenerator unet(UnetGeneratorOptions(1, 2, 6).width(1));
  gankit::test::load_reference_weights(*unet, kFixture);
  unet->eval();
  torch::NoGradGuard no_grad;
  const auto output = unet->forward(gankit::io::read_npy(kFixture / "input.npy"));
  EXPECT_LE(gankit::test::max_abs_diff(output, gankit::io::read_npy(kFixture / "output.npy")), 1e-4);
}

TEST(UnetGenerator, KeepsTheImageSizeAt256And128) {
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  // Width 8 keeps it quick; the shapes do not depend on it. Training mode with batch 1, as pix2pix
  // trains: the 1x1 bottleneck has no BatchNorm, so this works.
  UnetGenerator unet_256(UnetGeneratorOptions(3, 3, 8).width(8));
  const auto y256 = unet_256->forward(torch::randn({1, 3, 256, 256}));
  EXPECT_EQ(y256.sizes(), torch::IntArrayRef({1, 3, 256, 256}));
  EXPECT_LE(y256.abs().max().item<float>(), 1.0f);
  UnetGenerator unet_128(UnetGeneratorOptions(1, 3, 7).width(8));
  unet_128->eval();
  EXPECT_EQ(unet_128->forward(torch::randn({2, 1, 128, 256})).sizes(), torch::IntArrayRef({2, 3, 128, 256}));
}

TEST(UnetGenerator, DropoutOnlyInTrainingMode) {
  torch::manual_seed(1);
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 3, 64, 64});
  UnetGenerator unet(UnetGeneratorOptions(3, 3, 6).width(4));
  unet->train();
  EXPECT_FALSE(torch::equal(unet->forward(x), unet->forward(x)));
  unet->eval();
  const auto eval = unet->forward(x);
  EXPECT_TRUE(torch::equal(unet->forward(x), eval));

  UnetGenerator plain(UnetGeneratorOptions(3, 3, 6).width(4).dropout(false));
  plain->train();  // BatchNorm's batch statistics are deterministic
  EXPECT_TRUE(torch::equal(plain->forward(x), plain->forward(x)));
}

TEST(UnetGenerator, BackpropagatesToEveryParameter) {
  // In-place activations must not overwrite anything autograd saved (the skips are reused).
  torch::manual_seed(3);
  UnetGenerator unet(UnetGeneratorOptions(3, 3, 6).width(2));
  unet->forward(torch::randn({1, 3, 64, 64})).abs().mean().backward();
  for (const auto& item : unet->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
  }
}

TEST(UnetGenerator, RejectsInputsItCannotTake) {
  UnetGenerator unet(UnetGeneratorOptions(3, 3, 5).width(2));
  try {
    unet->forward(torch::zeros({1, 3, 100, 96}));
    FAIL() << "accepted 100x96";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("multiples of 2^num_downs = 32 (num_downs 5), got 100x96"),
              std::string::npos)
        << e.what();
  }
  try {
    unet->forward(torch::zeros({1, 1, 32, 32}));
    FAIL() << "accepted 1 channel";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected input [N,3,H,W], got [1, 1, 32, 32]"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(UnetGenerator(UnetGeneratorOptions(3, 3, 4)), c10::Error);  // fewer than 5 levels
}

TEST(UnetGenerator, ReferenceInitialisation) {
  torch::manual_seed(2);
  UnetGenerator unet(UnetGeneratorOptions(3, 3, 7));
  for (const auto& item : unet->named_parameters()) {
    const auto& p = item.value();
    if (p.dim() == 4) {  // conv weights ~ N(0, 0.02)
      EXPECT_NEAR(p.std().item<double>(), 0.02, 0.002) << item.key();
    } else if (item.key().find("weight") != std::string::npos) {  // BatchNorm gamma ~ N(1, 0.02)
      EXPECT_NEAR(p.mean().item<double>(), 1.0, 0.02) << item.key();
    } else {  // BatchNorm beta and the output conv's bias
      EXPECT_EQ(p.abs().max().item<double>(), 0.0) << item.key();
    }
  }
}

}  // namespace
