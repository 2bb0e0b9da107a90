// pix2pix's 70x70 PatchGAN against PyTorch: the reference parameter count (NLayerDiscriminator,
// 6 input channels: 2,768,705), outputs of tests/data/make_fixtures_pix2pix.py's reference with the
// same weights, the 30x30 logit map at 256x256, and inputs too small for it.
#include "gankit/models/patchgan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "gankit/io/npy.h"
#include "gankit/nn/parameter_count.h"
#include "support/reference_weights.h"

namespace {

namespace fs = std::filesystem;
using gankit::models::PatchDiscriminator;
using gankit::models::PatchDiscriminatorOptions;

const fs::path kFixture = fs::path(GANKIT_TEST_DATA_DIR) / "image_to_image" / "patchgan";

TEST(PatchDiscriminator, ParameterCountMatchesPyTorchReference) {
  PatchDiscriminator d(PatchDiscriminatorOptions(6));  // ndf 64, n_layers 3
  EXPECT_EQ(gankit::nn::count_parameters(*d), 2768705);
}

TEST(PatchDiscriminator, MatchesPyTorchReferenceInEvalMode) {
  PatchDiscriminator d(PatchDiscriminatorOptions(6).width(2));
  gankit::test::load_reference_weights(*d, kFixture);
  d->eval();
  torch::NoGradGuard no_grad;
  const auto logits = d->forward(gankit::io::read_npy(kFixture / "input.npy"));  // 32x24 -> 2x1
  EXPECT_LE(gankit::test::max_abs_diff(logits, gankit::io::read_npy(kFixture / "output.npy")), 1e-4);
}

TEST(PatchDiscriminator, GivesA30x30LogitMapAt256) {
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  PatchDiscriminator d(PatchDiscriminatorOptions(6).width(8));  // the map's size does not depend on width
  const auto pair = torch::cat({torch::rand({2, 3, 256, 256}), torch::rand({2, 3, 256, 256})}, 1);
  EXPECT_EQ(d->forward(pair).sizes(), torch::IntArrayRef({2, 1, 30, 30}));
  EXPECT_EQ(d->forward(pair.slice(2, 0, 128).slice(3, 0, 128)).sizes(), torch::IntArrayRef({2, 1, 14, 14}));
  // Smallest input for n_layers 3: 24 -> 12 -> 6 -> 3 -> 2 -> 1
  EXPECT_EQ(d->forward(torch::zeros({1, 6, 24, 24})).sizes(), torch::IntArrayRef({1, 1, 1, 1}));
}

TEST(PatchDiscriminator, BackpropagatesToEveryParameter) {
  torch::manual_seed(1);
  PatchDiscriminator d(PatchDiscriminatorOptions(6).width(2));
  d->forward(torch::randn({2, 6, 32, 32})).mean().backward();
  for (const auto& item : d->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
  }
}

TEST(PatchDiscriminator, RejectsInputsItCannotTake) {
  PatchDiscriminator d(PatchDiscriminatorOptions(6).width(2));
  try {
    d->forward(torch::zeros({1, 6, 23, 64}));
    FAIL() << "accepted 23x64";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("23x64 is too small for n_layers 3 (at least 24x24)"),
              std::string::npos)
        << e.what();
  }
  try {
    d->forward(torch::zeros({1, 3, 64, 64}));  // the target alone, without its source
    FAIL() << "accepted 3 channels";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected [N,6,H,W] (source and target joined along channels)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
