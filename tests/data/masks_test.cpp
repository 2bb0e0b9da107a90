// Inpainting masks: the centre square's exact pixels, rectangle sizes within [size/8, size/2],
// free-form strokes that are neither empty nor everything, determinism per seed, user mask PNGs.
#include "gankit/data/masks.h"

#include <gtest/gtest.h>

#include <set>

#include "gankit/data/transforms.h"
#include "gankit/io/image.h"
#include "support/test_support.h"

namespace gankit::data {
namespace {

using test::fails_with;
using test::same_tensor;

torch::Tensor masks_for(MaskKind kind, int64_t n, int64_t size, uint64_t seed) {
  auto generator = make_generator(seed);
  return make_masks(kind, n, size, generator);
}

/// Lengths of the maximal runs of holes along the last dimension of a [S,S] 0/1 mask.
std::vector<int64_t> hole_runs(const torch::Tensor& mask) {
  std::vector<int64_t> runs;
  const auto rows = mask.accessor<float, 2>();
  for (int64_t y = 0; y < mask.size(0); ++y) {
    int64_t run = 0;
    for (int64_t x = 0; x <= mask.size(1); ++x) {
      if (x < mask.size(1) && rows[y][x] > 0) {
        ++run;
      } else if (run > 0) {
        runs.push_back(run);
        run = 0;
      }
    }
  }
  return runs;
}

TEST(Masks, ParsesKindsAndListsTheValidOnes) {
  EXPECT_EQ(parse_mask_kind("center"), MaskKind::Center);
  EXPECT_EQ(parse_mask_kind("rectangles"), MaskKind::Rectangles);
  EXPECT_EQ(parse_mask_kind("free-form"), MaskKind::FreeForm);
  for (auto kind : {MaskKind::Center, MaskKind::Rectangles, MaskKind::FreeForm}) {
    EXPECT_EQ(parse_mask_kind(mask_kind_name(kind)), kind);
  }
  EXPECT_TRUE(fails_with([] { parse_mask_kind("centre"); },
                         {"unknown mask kind 'centre'", "valid: center, rectangles, free-form"}));
}

TEST(Masks, CenterIsTheMiddleSquareOfHalfTheSide) {
  const auto masks = masks_for(MaskKind::Center, 3, 64, 1);
  ASSERT_EQ(masks.sizes(), (std::vector<int64_t>{3, 1, 64, 64}));
  EXPECT_EQ(masks.scalar_type(), torch::kFloat32);
  auto expected = torch::zeros({64, 64});
  expected.slice(0, 16, 48).slice(1, 16, 48).fill_(1);  // rows and columns 16..47
  for (int64_t i = 0; i < 3; ++i) EXPECT_TRUE(same_tensor(masks[i][0], expected));
  // Odd size 9: side 4 from (9 - 4) / 2 = 2, i.e. rows 2..5.
  auto odd = torch::zeros({9, 9});
  odd.slice(0, 2, 6).slice(1, 2, 6).fill_(1);
  EXPECT_TRUE(same_tensor(masks_for(MaskKind::Center, 1, 9, 1)[0][0], odd));
}

TEST(Masks, RectanglesHaveSidesWithinAnEighthAndAHalf) {
  const int64_t size = 64, n = 300;
  const auto masks = masks_for(MaskKind::Rectangles, n, size, 7);
  ASSERT_EQ(masks.sizes(), (std::vector<int64_t>{n, 1, size, size}));
  EXPECT_TRUE(((masks == 0) | (masks == 1)).all().item<bool>());
  std::set<int64_t> single_sides;
  int64_t singles = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto mask = masks[i][0].contiguous();
    const int64_t holes = mask.sum().item<int64_t>();
    // 1 to 3 rectangles of 8..32 a side.
    EXPECT_GE(holes, 8 * 8);
    EXPECT_LE(holes, 3 * 32 * 32);
    // Each rectangle is at least 8 wide and 8 tall, so is every run of holes in their union.
    for (auto run : hole_runs(mask)) EXPECT_GE(run, 8) << "mask " << i;
    for (auto run : hole_runs(mask.t().contiguous())) EXPECT_GE(run, 8) << "mask " << i;
    // A mask that is exactly its bounding box is (or looks like) one rectangle: its sides are bounded.
    const auto rows = mask.sum(1).nonzero(), cols = mask.sum(0).nonzero();
    const int64_t height = rows.max().item<int64_t>() - rows.min().item<int64_t>() + 1;
    const int64_t width = cols.max().item<int64_t>() - cols.min().item<int64_t>() + 1;
    if (height * width == holes && height <= 32 && width <= 32) {
      ++singles;
      single_sides.insert(height);
      single_sides.insert(width);
    }
  }
  EXPECT_GT(singles, n / 5);
  EXPECT_GE(*single_sides.begin(), 8);
  EXPECT_LE(*single_sides.rbegin(), 32);
  EXPECT_GT(single_sides.size(), 15u);  // sizes vary across the whole range
}

TEST(Masks, FreeFormStrokesAreNeitherEmptyNorEverything) {
  const int64_t size = 64, n = 200;
  const auto masks = masks_for(MaskKind::FreeForm, n, size, 3);
  ASSERT_EQ(masks.sizes(), (std::vector<int64_t>{n, 1, size, size}));
  EXPECT_TRUE(((masks == 0) | (masks == 1)).all().item<bool>());
  const auto fraction = masks.flatten(1).mean(1);  // [N]
  EXPECT_GT(fraction.min().item<double>(), 0.0);
  EXPECT_LT(fraction.max().item<double>(), 1.0);
  // Strokes 3..9 pixels wide: a few percent to a third of the image on average.
  EXPECT_GT(fraction.mean().item<double>(), 0.03);
  EXPECT_LT(fraction.mean().item<double>(), 0.35);
  // Not rectangles: most masks differ from their bounding box.
  int64_t irregular = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto mask = masks[i][0];
    const auto rows = mask.sum(1).nonzero(), cols = mask.sum(0).nonzero();
    const auto box = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1);
    irregular += (box > mask.sum()).item<bool>();
  }
  EXPECT_GT(irregular, n * 9 / 10);
  // The brush scales with the image: at 256 the strokes are 12..40 wide, and cover about as much.
  const auto large = masks_for(MaskKind::FreeForm, 40, 256, 3).flatten(1).mean(1).mean().item<double>();
  EXPECT_NEAR(large, fraction.mean().item<double>(), 0.08);
}

TEST(Masks, AreDeterministicPerSeed) {
  for (auto kind : {MaskKind::Center, MaskKind::Rectangles, MaskKind::FreeForm}) {
    EXPECT_TRUE(same_tensor(masks_for(kind, 8, 32, 11), masks_for(kind, 8, 32, 11))) << mask_kind_name(kind);
    // Drawing in two calls from one generator continues the sequence rather than repeating it.
    auto generator = make_generator(11);
    const auto first = make_masks(kind, 4, 32, generator), second = make_masks(kind, 4, 32, generator);
    if (kind != MaskKind::Center) {
      EXPECT_FALSE(torch::equal(masks_for(kind, 8, 32, 11), masks_for(kind, 8, 32, 12)));
      EXPECT_FALSE(torch::equal(first, second));
      EXPECT_FALSE(torch::equal(masks_for(kind, 8, 32, 11)[0], masks_for(kind, 8, 32, 11)[1]));
    }
  }
}

TEST(ReadMask, WhiteIsHoleAfterGrayConversion) {
  test::TempDir dir;
  auto gray = torch::zeros({1, 6, 8}, torch::kUInt8);
  gray.slice(1, 1, 3).slice(2, 2, 5).fill_(255);
  gray[0][5][7] = 128;  // > 127: a hole
  gray[0][5][6] = 127;  // known
  io::write_png(dir / "gray.png", gray);
  auto expected = torch::zeros({1, 1, 6, 8});
  expected.slice(2, 1, 3).slice(3, 2, 5).fill_(1);
  expected[0][0][5][7] = 1;
  EXPECT_TRUE(same_tensor(read_mask(dir / "gray.png", 6, 8), expected));

  // RGB: luma of pure red is 76 (known), of yellow 226 (hole).
  auto rgb = torch::zeros({3, 6, 8}, torch::kUInt8);
  rgb[0].fill_(255);
  rgb[1].slice(0, 1, 3).slice(1, 2, 5).fill_(255);
  rgb.select(1, 5).select(1, 7).fill_(255);
  io::write_png(dir / "rgb.png", rgb);
  EXPECT_TRUE(same_tensor(read_mask(dir / "rgb.png", 6, 8), expected));
}

TEST(ReadMask, WrongSizeAndUnreadableFilesAreOneLineErrors) {
  test::TempDir dir;
  io::write_png(dir / "mask.png", torch::zeros({1, 32, 32}, torch::kUInt8));
  EXPECT_TRUE(fails_with([&] { read_mask(dir / "mask.png", 64, 64); },
                         {(dir / "mask.png").string(), "mask.png is 32x32, the image is 64x64"}));
  io::write_png(dir / "wide.png", torch::zeros({1, 16, 48}, torch::kUInt8));
  EXPECT_TRUE(
      fails_with([&] { read_mask(dir / "wide.png", 16, 16); }, {"wide.png is 48x16, the image is 16x16"}));
  EXPECT_TRUE(fails_with([&] { read_mask(dir / "missing.png", 64, 64); }, {"mask", "missing.png"}));
  test::write_file(dir / "garbage.png", "not a png");
  EXPECT_TRUE(
      fails_with([&] { read_mask(dir / "garbage.png", 64, 64); }, {"mask", "garbage.png", "cannot read"}));
  try {
    read_mask(dir / "garbage.png", 64, 64);
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace gankit::data
