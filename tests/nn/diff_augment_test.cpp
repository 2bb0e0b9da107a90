// DiffAugment against DiffAugment_pytorch's definitions: colour equals its formulas with the same draws,
// translation is an exact whole-pixel shift with zero fill, cutout zeroes one (clipped) rectangle,
// gradients flow to the images except where pixels were dropped, and one seeded run equals the
// reference's (tests/data/make_fixtures.py).
#include "gankit/nn/diff_augment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <utility>

#include "gankit/io/npy.h"
#include "support/test_support.h"

namespace {

using gankit::nn::diff_augment;
using gankit::nn::DiffAugmentPolicy;
using torch::indexing::Slice;

DiffAugmentPolicy only(bool color, bool translation, bool cutout) { return {color, translation, cutout}; }

/// image [C,H,W] shifted so that out[i,j] = image[i+dx, j+dy], zero outside: written with plain loops.
torch::Tensor shifted(const torch::Tensor& image, int64_t dx, int64_t dy) {
  auto out = torch::zeros_like(image);
  const int64_t h = image.size(1), w = image.size(2);
  auto src = image.accessor<float, 3>();
  auto dst = out.accessor<float, 3>();
  for (int64_t c = 0; c < image.size(0); ++c) {
    for (int64_t i = 0; i < h; ++i) {
      for (int64_t j = 0; j < w; ++j) {
        if (i + dx >= 0 && i + dx < h && j + dy >= 0 && j + dy < w) dst[c][i][j] = src[c][i + dx][j + dy];
      }
    }
  }
  return out;
}

TEST(DiffAugment, ParsesPolicies) {
  const auto none = DiffAugmentPolicy::parse("");
  EXPECT_FALSE(none.any());
  const auto all = DiffAugmentPolicy::parse("color,translation,cutout");
  EXPECT_TRUE(all.color && all.translation && all.cutout);
  const auto some = DiffAugmentPolicy::parse("cutout,translation");
  EXPECT_TRUE(!some.color && some.translation && some.cutout);
  EXPECT_TRUE(gankit::test::fails_with([] { DiffAugmentPolicy::parse("color,colour"); },
                                       {"'colour'", "valid: color, translation, cutout"}));
  EXPECT_TRUE(gankit::test::fails_with([] { DiffAugmentPolicy::parse("color,"); }, {"''", "valid:"}));
  EXPECT_TRUE(gankit::test::fails_with([] { DiffAugmentPolicy::parse("color, cutout"); }, {"' cutout'"}));
}

TEST(DiffAugment, KeepsShapeDtypeAndDeviceAndIsReproducible) {
  const auto policy = DiffAugmentPolicy::parse("color,translation,cutout");
  torch::manual_seed(0);
  const auto images = torch::rand({3, 3, 12, 10}, torch::kDouble) * 2 - 1;
  const auto out = diff_augment(images, policy);
  EXPECT_EQ(out.sizes(), images.sizes());
  EXPECT_EQ(out.scalar_type(), torch::kDouble);
  EXPECT_EQ(out.device(), images.device());
  EXPECT_FALSE(torch::equal(out, images));

  torch::manual_seed(7);
  const auto first = diff_augment(images, policy);
  torch::manual_seed(7);
  EXPECT_TRUE(torch::equal(diff_augment(images, policy), first));
  EXPECT_FALSE(torch::equal(diff_augment(images, policy), first));  // the generator moved on
  EXPECT_TRUE(torch::equal(diff_augment(images, DiffAugmentPolicy{}), images));
}

TEST(DiffAugment, ColorFollowsTheFormulasWithTheDrawnNumbers) {
  torch::manual_seed(0);
  const auto x = torch::rand({4, 3, 5, 6}, torch::kDouble) * 2 - 1;
  torch::manual_seed(3);
  const auto out = diff_augment(x, only(true, false, false));
  torch::manual_seed(3);  // the same draws, in the reference's order
  const auto brightness = torch::rand({4, 1, 1, 1}, torch::kDouble) - 0.5;
  const auto saturation = torch::rand({4, 1, 1, 1}, torch::kDouble) * 2;
  const auto contrast = torch::rand({4, 1, 1, 1}, torch::kDouble) + 0.5;
  auto expected = x + brightness;
  auto mean = expected.mean({1}, true);
  expected = (expected - mean) * saturation + mean;
  mean = expected.mean({1, 2, 3}, true);
  expected = (expected - mean) * contrast + mean;
  EXPECT_TRUE(torch::allclose(out, expected, 1e-12, 1e-12));
  // Brightness alone moves the per-image mean by the draw in [-0.5, 0.5): a sanity bound on the draws.
  EXPECT_TRUE((brightness.abs() <= 0.5).all().item<bool>());
}

TEST(DiffAugment, TranslationIsAWholePixelShiftWithinAnEighth) {
  torch::manual_seed(1);
  const int64_t n = 200, h = 16, w = 8;  // shifts up to int(16/8+0.5) = 2 rows and int(8/8+0.5) = 1 column
  const auto x = torch::randn({n, 2, h, w});
  const auto out = diff_augment(x, only(false, true, false));
  std::set<std::pair<int64_t, int64_t>> seen;
  for (int64_t i = 0; i < n; ++i) {
    int matches = 0;
    for (int64_t dx = -3; dx <= 3; ++dx) {
      for (int64_t dy = -2; dy <= 2; ++dy) {
        if (torch::equal(out[i], shifted(x[i], dx, dy))) ++matches, seen.insert({dx, dy});
      }
    }
    EXPECT_EQ(matches, 1) << "image " << i;
  }
  // Every shift in [-2,2] x [-1,1] and none outside (200 draws of 15 values: all appear).
  EXPECT_EQ(seen.size(), 15u);
  for (const auto& [dx, dy] : seen) {
    EXPECT_LE(std::abs(dx), 2);
    EXPECT_LE(std::abs(dy), 1);
  }
}

TEST(DiffAugment, CutoutZeroesOneHalfSizeRectangleClippedAtTheBorders) {
  torch::manual_seed(2);
  const int64_t n = 200, h = 10, w = 6;  // rectangle int(10/2+0.5) = 5 rows by int(6/2+0.5) = 3 columns
  const auto x = torch::rand({n, 2, h, w}) + 0.5;  // no zeros of its own
  const auto out = diff_augment(x, only(false, false, true));
  int clipped = 0, whole = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto zero = out[i] == 0;  // [C,H,W]
    ASSERT_TRUE(torch::equal(zero[0], zero[1])) << "same pixels in every channel";
    ASSERT_TRUE(torch::equal(out[i].masked_select(~zero), x[i].masked_select(~zero)));
    const auto rows = zero[0].any(1).nonzero().flatten(), cols = zero[0].any(0).nonzero().flatten();
    ASSERT_GT(rows.numel(), 0) << "image " << i;
    const int64_t r0 = rows.min().item<int64_t>(), r1 = rows.max().item<int64_t>();
    const int64_t c0 = cols.min().item<int64_t>(), c1 = cols.max().item<int64_t>();
    // Exactly the rectangle [r0,r1] x [c0,c1] is zero.
    EXPECT_EQ(zero[0].sum().item<int64_t>(), (r1 - r0 + 1) * (c1 - c0 + 1)) << "image " << i;
    EXPECT_TRUE(zero[0].index({Slice(r0, r1 + 1), Slice(c0, c1 + 1)}).all().item<bool>());
    // Full size, or cut by a border; the centre stays inside, so at least half of it remains.
    const int64_t height = r1 - r0 + 1, width = c1 - c0 + 1;
    EXPECT_TRUE(height == 5 || ((r0 == 0 || r1 == h - 1) && height >= 3 && height < 5)) << height;
    EXPECT_TRUE(width == 3 || ((c0 == 0 || c1 == w - 1) && width == 2)) << width;
    (height == 5 && width == 3) ? ++whole : ++clipped;
  }
  EXPECT_GT(whole, 0);
  EXPECT_GT(clipped, 0);
}

TEST(DiffAugment, MatchesTheReferenceImplementationDrawForDraw) {
  const auto dir = std::filesystem::path(GANKIT_TEST_DATA_DIR) / "diff_augment";
  const auto x = gankit::io::read_npy(dir / "input.npy");
  torch::manual_seed(31);  // torch's CPU generator gives Python and C++ the same numbers
  const auto out = diff_augment(x, DiffAugmentPolicy::parse("color,translation,cutout"));
  EXPECT_LT((out - gankit::io::read_npy(dir / "output_seed31.npy")).abs().max().item<double>(), 1e-6);
}

TEST(DiffAugment, GradientsFlowExceptThroughDroppedPixels) {
  torch::manual_seed(4);
  const auto x = (torch::rand({8, 3, 16, 16}) + 0.5).requires_grad_(true);

  const auto translated = diff_augment(x, only(false, true, false));
  translated.sum().backward();
  // Each kept pixel appears once in the output (gradient 1); dropped ones get exactly 0.
  const auto grad = x.grad().clone();
  EXPECT_TRUE(((grad == 0) | (grad == 1)).all().item<bool>());
  const auto kept = grad == 1;
  EXPECT_EQ(kept.sum().item<int64_t>(), (translated != 0).sum().item<int64_t>());
  EXPECT_TRUE(torch::equal(std::get<0>(x.detach().masked_select(kept).sort()),
                           std::get<0>(translated.detach().masked_select(translated != 0).sort())));

  x.mutable_grad().zero_();
  const auto cut = diff_augment(x, only(false, false, true));
  cut.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), (cut != 0).to(torch::kFloat)));

  x.mutable_grad().zero_();
  diff_augment(x, DiffAugmentPolicy::parse("color,translation,cutout")).pow(2).sum().backward();
  EXPECT_GT(x.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
