#include "gankit/data/transforms.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gankit::data {
namespace {

using test::fails_with;
using test::same_tensor;

// uint8 [C,H,W] with distinct values: v = (c * 50 + y * W + x) % 256.
torch::Tensor ramp(int64_t channels, int64_t height, int64_t width) {
  return (torch::arange(channels * height * width, torch::kLong).view({channels, height, width}) +
          torch::arange(channels, torch::kLong).view({channels, 1, 1}) * 50)
      .remainder(256)
      .to(torch::kUInt8);
}

TEST(Transforms, ParseFit) {
  EXPECT_EQ(parse_fit("resize"), Fit::resize);
  EXPECT_EQ(parse_fit("pad"), Fit::pad);
  EXPECT_EQ(parse_fit("center-crop"), Fit::center_crop);
  EXPECT_EQ(parse_fit("none"), Fit::none);
  EXPECT_TRUE(fails_with([] { parse_fit("stretch"); }, {"data.fit", "stretch", "center-crop"}));
}

TEST(Transforms, ResizeKeepsConstantImagesAndRank) {
  auto gray = torch::full({1, 10, 10}, 77, torch::kUInt8);
  auto up = resize(gray, 16, 20);
  EXPECT_TRUE(same_tensor(up, torch::full({1, 16, 20}, 77, torch::kUInt8)));
  auto batch = torch::full({2, 3, 40, 40}, 200, torch::kUInt8);
  EXPECT_TRUE(same_tensor(resize(batch, 8, 8), torch::full({2, 3, 8, 8}, 200, torch::kUInt8)));
}

TEST(Transforms, ResizeShrinkIsAntialiased) {
  // A 1-pixel checkerboard shrunk 4x: antialiasing averages it to mid-grey; plain bilinear would
  // pick up pure black and white pixels.
  auto board =
      ((torch::arange(16).view({16, 1}) + torch::arange(16).view({1, 16})).remainder(2) * 255)
          .to(torch::kUInt8)
          .view({1, 16, 16});
  auto small = resize(board, 4, 4).to(torch::kInt);
  EXPECT_GE(small.min().item<int>(), 120);
  EXPECT_LE(small.max().item<int>(), 135);
}

TEST(Transforms, FitResizeShorterSideThenCentreCrop) {
  // 60x30 -> shorter side 20 gives 40x20; the centre crop keeps its columns 10..29.
  auto image = ramp(1, 30, 60);
  auto fitted = fit_to_size(image, 20, Fit::resize, "x");
  EXPECT_TRUE(same_tensor(fitted, resize(image, 20, 40).slice(2, 10, 30)));
  auto tall = fit_to_size(torch::full({3, 50, 25}, 9, torch::kUInt8), 10, Fit::resize, "x");
  EXPECT_TRUE(same_tensor(tall, torch::full({3, 10, 10}, 9, torch::kUInt8)));
}

TEST(Transforms, FitPadCentresWithZeros) {
  auto image = torch::full({1, 28, 28}, 5, torch::kUInt8);
  auto padded = fit_to_size(image, 32, Fit::pad, "x");
  ASSERT_EQ(padded.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_TRUE(same_tensor(padded.slice(1, 2, 30).slice(2, 2, 30), image));
  EXPECT_EQ(padded.sum().item<int64_t>(), 5 * 28 * 28);
  EXPECT_TRUE(fails_with(
      [&] {
        fit_to_size(torch::zeros({1, 40, 20}, torch::kUInt8), 32, Fit::pad, "big.png");
      },
      {"big.png", "20x40", "larger", "32"}));
}

TEST(Transforms, FitCenterCrop) {
  auto image = ramp(1, 7, 7);
  EXPECT_TRUE(same_tensor(fit_to_size(image, 3, Fit::center_crop, "x"),
                          image.slice(1, 2, 5).slice(2, 2, 5)));
  EXPECT_TRUE(fails_with([&] { fit_to_size(image, 8, Fit::center_crop, "small.png"); },
                         {"small.png", "7x7", "smaller"}));
}

TEST(Transforms, FitNoneAndNoSize) {
  auto image = ramp(1, 6, 6);
  EXPECT_TRUE(same_tensor(fit_to_size(image, 6, Fit::none, "x"), image));
  EXPECT_TRUE(same_tensor(fit_to_size(image, 0, Fit::pad, "x"), image));
  EXPECT_TRUE(fails_with([&] { fit_to_size(image, 8, Fit::none, "set"); },
                         {"set", "6x6", "8x8", "data.fit"}));
}

TEST(Transforms, ConvertChannels) {
  auto gray = ramp(1, 4, 5);
  auto rgb = convert_channels(gray, 3);
  ASSERT_EQ(rgb.sizes(), (std::vector<int64_t>{3, 4, 5}));
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(same_tensor(rgb[c], gray[0]));
  EXPECT_TRUE(same_tensor(convert_channels(rgb, 1), gray));  // luma weights sum to 1
  auto pure = torch::zeros({1, 3, 1, 1}, torch::kUInt8);
  pure[0][0].fill_(200);  // pure red: round(0.299 * 200) = 60
  EXPECT_EQ(convert_channels(pure, 1).item<int>(), 60);
  EXPECT_TRUE(same_tensor(convert_channels(rgb, 0), rgb));
}

TEST(Transforms, RandomCropIsAWindowAndFollowsTheGenerator) {
  auto images = torch::stack({ramp(2, 8, 8), ramp(2, 8, 8) + 1});  // [2,2,8,8]
  auto g1 = make_generator(7), g2 = make_generator(7);
  auto a = random_crop(images, 5, g1), b = random_crop(images, 5, g2);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{2, 2, 5, 5}));
  EXPECT_TRUE(same_tensor(a, b));
  for (int64_t i = 0; i < 2; ++i) {
    bool found = false;
    for (int64_t top = 0; top <= 3; ++top) {
      for (int64_t left = 0; left <= 3; ++left) {
        found |= torch::equal(images[i].slice(1, top, top + 5).slice(2, left, left + 5), a[i]);
      }
    }
    EXPECT_TRUE(found) << "crop " << i << " is no window of its image";
  }
}

TEST(Transforms, RandomHflipFlipsSomeImagesWhole) {
  auto images = ramp(1, 3, 4).unsqueeze(0).repeat({64, 1, 1, 1});  // [64,1,3,4]
  auto gen = make_generator(3);
  auto out = random_hflip(images, gen);
  int flipped = 0;
  for (int64_t i = 0; i < 64; ++i) {
    const bool same = torch::equal(out[i], images[i]);
    const bool mirrored = torch::equal(out[i], images[i].flip({2}));
    EXPECT_TRUE(same || mirrored);
    flipped += mirrored;
  }
  EXPECT_GT(flipped, 10);
  EXPECT_LT(flipped, 54);
}

TEST(Transforms, UnitRangeRoundTrips) {
  auto all = torch::arange(256, torch::kLong).to(torch::kUInt8);
  auto unit = to_unit_range(all);
  EXPECT_EQ(unit.scalar_type(), torch::kFloat32);
  EXPECT_FLOAT_EQ(unit[0].item<float>(), -1.0f);
  EXPECT_FLOAT_EQ(unit[255].item<float>(), 1.0f);
  EXPECT_TRUE(same_tensor(from_unit_range(unit), all));
  auto wild = torch::tensor({-3.0f, 2.0f, std::nanf("")});
  EXPECT_TRUE(same_tensor(from_unit_range(wild), torch::tensor({0, 255, 128}, torch::kUInt8)));
}

}  // namespace
}  // namespace gankit::data
