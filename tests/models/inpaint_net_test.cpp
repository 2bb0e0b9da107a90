// The inpainting generator against the reference definition in tests/data/make_fixtures_pix2pix.py
// (same weights, eval mode), its shapes and input checks, make_inpaint_input, and the critic it is
// paired with (DCGAN's discriminator without BatchNorm).
#include "gankit/models/inpaint_net.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gankit/io/npy.h"
#include "gankit/models/dcgan.h"
#include "gankit/nn/parameter_count.h"
#include "support/reference_weights.h"

namespace {

namespace fs = std::filesystem;
using gankit::models::InpaintGenerator;
using gankit::models::InpaintGeneratorOptions;

const fs::path kFixture = fs::path(GANKIT_TEST_DATA_DIR) / "image_to_image" / "inpaint";

TEST(InpaintGenerator, ParameterCountMatchesPyTorchReference) {
  EXPECT_EQ(gankit::nn::count_parameters(*InpaintGenerator()), 4888483);  // 4 -> 3, width 64
}

TEST(InpaintGenerator, MatchesPyTorchReferenceInEvalMode) {
  InpaintGenerator g(InpaintGeneratorOptions().width(2));
  gankit::test::load_reference_weights(*g, kFixture);
  g->eval();
  torch::NoGradGuard no_grad;
  const auto output = g->forward(gankit::io::read_npy(kFixture / "input.npy"));  // [1,4,16,12]
  EXPECT_LE(gankit::test::max_abs_diff(output, gankit::io::read_npy(kFixture / "output.npy")), 1e-4);
}

TEST(InpaintGenerator, KeepsTheImageSize) {
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  InpaintGenerator g(InpaintGeneratorOptions().width(8));
  const auto images = torch::rand({2, 3, 64, 64}) * 2 - 1;
  const auto mask = torch::zeros({2, 1, 64, 64});
  mask.slice(2, 16, 48).slice(3, 16, 48).fill_(1);  // centre 32x32 hole
  const auto output = g->forward(gankit::models::make_inpaint_input(images, mask));
  EXPECT_EQ(output.sizes(), torch::IntArrayRef({2, 3, 64, 64}));
  EXPECT_LE(output.abs().max().item<float>(), 1.0f);
  g->eval();
  EXPECT_EQ(g->forward(torch::zeros({1, 4, 20, 36})).sizes(), torch::IntArrayRef({1, 3, 20, 36}));
}

TEST(InpaintGenerator, BackpropagatesToEveryParameter) {
  torch::manual_seed(1);
  InpaintGenerator g(InpaintGeneratorOptions().width(4));
  g->forward(torch::randn({2, 4, 16, 16})).abs().mean().backward();
  for (const auto& item : g->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
  }
}

TEST(InpaintGenerator, RejectsInputsItCannotTake) {
  InpaintGenerator g(InpaintGeneratorOptions().width(2));
  try {
    g->forward(torch::zeros({1, 4, 30, 32}));
    FAIL() << "accepted 30x32";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("multiples of 4, got 30x32"), std::string::npos) << e.what();
  }
  try {
    g->forward(torch::zeros({1, 3, 32, 32}));  // the image without its mask
    FAIL() << "accepted 3 channels";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected input [N,4,H,W] (masked image and mask)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(InpaintGenerator(InpaintGeneratorOptions().width(3)), c10::Error);
}

TEST(InpaintGenerator, InputBlanksTheHoleAndAddsTheMask) {
  const auto images = torch::rand({2, 3, 8, 8}) + 0.5;
  auto mask = torch::zeros({2, 1, 8, 8});
  mask.slice(2, 2, 5).slice(3, 1, 7).fill_(1);
  const auto input = gankit::models::make_inpaint_input(images, mask);
  ASSERT_EQ(input.sizes(), torch::IntArrayRef({2, 4, 8, 8}));
  EXPECT_TRUE(torch::equal(input.slice(1, 3, 4), mask));
  EXPECT_TRUE(torch::equal(input.slice(1, 0, 3), images * (1 - mask)));
  EXPECT_THROW(gankit::models::make_inpaint_input(images, mask.slice(2, 0, 4)), c10::Error);
}

TEST(InpaintGenerator, CriticIsDcganWithoutBatchNorm) {
  // The pairing documented in inpaint_net.h: a WGAN-GP critic must not batch-normalise.
  torch::manual_seed(3);
  gankit::models::DcganDiscriminator critic(
      gankit::models::DcganOptions(3, 64).discriminator_batch_norm(false));
  for (const auto& child : critic->modules()) EXPECT_EQ(child->as<torch::nn::BatchNorm2d>(), nullptr);
  EXPECT_EQ(critic->forward(torch::rand({2, 3, 64, 64}), {}).sizes(), torch::IntArrayRef({2}));
}

}  // namespace
