#include "gankit/data/edges.h"

#include <gtest/gtest.h>

#include "gankit/data/transforms.h"
#include "support/test_support.h"

namespace gankit::data {
namespace {

using test::same_tensor;

// uint8 [C,size,size]: black, with a square of `value` over rows and columns [lo, hi).
torch::Tensor square(int64_t channels, int64_t size, int64_t lo, int64_t hi, int value = 255) {
  auto image = torch::zeros({channels, size, size}, torch::kUInt8);
  image.slice(1, lo, hi).slice(2, lo, hi).fill_(value);
  return image;
}

TEST(Edges, SquareEdgesLieOnItsBorderOneThick) {
  const int64_t lo = 10, hi = 30;  // the step lies between pixels lo-1|lo and hi-1|hi
  const auto edges = canny_edges(square(1, 40, lo, hi));
  ASSERT_EQ(edges.sizes(), (std::vector<int64_t>{40, 40}));  // [C,H,W] -> [H,W]
  auto on_border = [&](int64_t v) { return v == lo - 1 || v == lo || v == hi - 1 || v == hi; };
  auto inside = [&](int64_t v) { return v >= lo - 1 && v <= hi; };
  const auto image = edges.contiguous();
  auto e = image.accessor<bool, 2>();
  int64_t count = 0;
  for (int64_t y = 0; y < 40; ++y) {
    for (int64_t x = 0; x < 40; ++x) {
      if (!e[y][x]) continue;
      ++count;
      // On the border: next to one of the four sides, within the square's extent.
      EXPECT_TRUE((on_border(x) && inside(y)) || (on_border(y) && inside(x))) << "edge at " << y << "," << x;
    }
  }
  // Thin: away from the corners each row crosses the left and right sides at exactly one pixel
  // each (non-maximum suppression), and each column the top and bottom.
  for (int64_t v = lo + 3; v < hi - 3; ++v) {
    EXPECT_EQ(edges[v].sum().item<int64_t>(), 2) << "row " << v;
    EXPECT_EQ(edges.select(1, v).sum().item<int64_t>(), 2) << "column " << v;
  }
  EXPECT_GE(count, 4 * (hi - lo - 6));  // the whole outline, not a few dots
}

TEST(Edges, ImagesAreBlackEdgesOnWhiteWithTheInputsChannels) {
  auto batch = torch::stack({square(3, 24, 6, 18), torch::full({3, 24, 24}, 90, torch::kUInt8)});
  const auto drawn = edge_images(batch);  // [2,3,24,24]
  ASSERT_EQ(drawn.sizes(), batch.sizes());
  ASSERT_EQ(drawn.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(((drawn == 0) | (drawn == 255)).all().item<bool>());
  EXPECT_TRUE(same_tensor(drawn[0][0], drawn[0][2]));  // same edges in every channel
  EXPECT_TRUE(same_tensor(drawn[0][0] == 0, canny_edges(batch[0])));
  EXPECT_GT((drawn[0][0] == 0).sum().item<int64_t>(), 20);
  EXPECT_GT((drawn[0] == 255).sum().item<int64_t>(), 3 * 24 * 24 * 3 / 4);  // mostly white
  EXPECT_TRUE((drawn[1] == 255).all().item<bool>());  // a flat image has no edges at all
}

TEST(Edges, HysteresisKeepsWeakEdgesOnlyWhereTheyJoinStrongOnes) {
  // A bar at columns 20..27 whose brightness fades down the rows from 60 to 24: its edges are
  // strong at the top and weak (between the thresholds) at the bottom, one unbroken line. A
  // separate bar of 30 at columns 36.. is weak all round.
  auto image = torch::zeros({1, 48, 48}, torch::kUInt8);
  auto fade = (60 - torch::arange(48, torch::kFloat32) * (36.0 / 47)).round().to(torch::kUInt8);
  image.slice(2, 20, 28).copy_(fade.view({1, 48, 1}).expand({1, 48, 8}));
  image.slice(1, 24, 40).slice(2, 36, 48).fill_(30);
  const auto edges = canny_edges(image);  // [H,W]
  EXPECT_TRUE(edges.slice(0, 0, 10).slice(1, 19, 21).any(1).all().item<bool>()) << "the strong part";
  EXPECT_TRUE(edges.slice(0, 36, 46).slice(1, 19, 21).any(1).all().item<bool>())
      << "the weak part, joined to the strong one";
  EXPECT_FALSE(edges.slice(0, 22, 42).slice(1, 34, 38).any().item<bool>()) << "a weak edge alone is dropped";
  EdgeOptions lenient;
  lenient.high = 0.05;  // now the separate bar's edge is strong enough by itself
  EXPECT_TRUE(canny_edges(image, lenient).slice(0, 28, 36).slice(1, 34, 38).any(1).all().item<bool>());
  EdgeOptions strict;
  strict.low = strict.high = 0.10;  // without hysteresis's lower threshold the fading end goes
  EXPECT_FALSE(canny_edges(image, strict).slice(0, 36, 46).slice(1, 19, 21).any().item<bool>());
}

TEST(Edges, GrayIsItu601LuminanceInEveryChannel) {
  auto rgb = torch::randint(0, 256, {2, 3, 5, 7}, torch::kLong).to(torch::kUInt8);
  const auto gray = gray_images(rgb);
  ASSERT_EQ(gray.sizes(), rgb.sizes());
  auto x = rgb.to(torch::kFloat32);
  auto luma =
      (x.select(1, 0) * 0.299 + x.select(1, 1) * 0.587 + x.select(1, 2) * 0.114).round().to(torch::kUInt8);
  for (int64_t c = 0; c < 3; ++c) EXPECT_TRUE(same_tensor(gray.select(1, c), luma)) << "channel " << c;
  auto one = torch::randint(0, 256, {1, 4, 4}, torch::kLong).to(torch::kUInt8);
  EXPECT_TRUE(same_tensor(gray_images(one), one));
}

}  // namespace
}  // namespace gankit::data
