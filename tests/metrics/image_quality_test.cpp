// PSNR against its formula and scikit-image, SSIM against scikit-image, masked L1 and mean fill
// against their formulas, nearest fill against scipy.ndimage.distance_transform_edt and a brute
// force (fixtures from tests/data/make_fixtures_inpaint.py).
#include "gankit/metrics/image_quality.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>

#include "gankit/data/masks.h"
#include "gankit/data/transforms.h"
#include "gankit/io/npy.h"
#include "support/test_support.h"

namespace gankit::metrics {
namespace {

namespace fs = std::filesystem;
using test::fails_with;
using test::same_tensor;

const fs::path kFixtures = fs::path(GANKIT_TEST_DATA_DIR) / "image_quality";

torch::Tensor fixture(const std::string& name) { return io::read_npy(kFixtures / (name + ".npy")); }

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

/// Nearest known pixel by brute force, first in row-major order among equally near ones.
torch::Tensor brute_nearest_fill(const torch::Tensor& images, const torch::Tensor& mask) {
  auto out = images.clone();
  const int64_t n = images.size(0), height = images.size(2), width = images.size(3);
  for (int64_t i = 0; i < n; ++i) {
    const auto hole = mask[i][0].contiguous();
    const auto is_hole = hole.accessor<float, 2>();
    for (int64_t y = 0; y < height; ++y) {
      for (int64_t x = 0; x < width; ++x) {
        if (is_hole[y][x] <= 0.5) continue;
        int64_t best = std::numeric_limits<int64_t>::max(), best_y = -1, best_x = -1;
        for (int64_t v = 0; v < height; ++v) {
          for (int64_t u = 0; u < width; ++u) {
            const int64_t d = (v - y) * (v - y) + (u - x) * (u - x);
            if (is_hole[v][u] <= 0.5 && d < best) best = d, best_y = v, best_x = u;
          }
        }
        out[i].select(1, y).select(1, x).copy_(images[i].select(1, best_y).select(1, best_x));
      }
    }
  }
  return out;
}

TEST(Psnr, IsTenLog10OfOneOverMsePerImageThenAveraged) {
  auto a = torch::zeros({2, 3, 8, 8});
  auto b = torch::zeros({2, 3, 8, 8});
  b[0].fill_(0.1);   // MSE 1e-2: 20 dB
  b[1].fill_(0.01);  // MSE 1e-4: 40 dB
  const auto per_image = psnr_per_image(a, b);
  EXPECT_EQ(per_image.scalar_type(), torch::kDouble);
  EXPECT_NEAR(per_image[0].item<double>(), 20.0, 1e-6);
  EXPECT_NEAR(per_image[1].item<double>(), 40.0, 1e-6);
  EXPECT_NEAR(psnr(a, b), 30.0, 1e-6);  // the mean of the dBs, not the dB of the mean MSE
  // An uneven error: MSE = (0.2^2 + 0 + 0 + 0) / 4 over one pixel in four.
  auto c = torch::zeros({1, 1, 2, 2});
  c[0][0][0][0] = 0.2;
  EXPECT_NEAR(psnr(torch::zeros({1, 1, 2, 2}), c), 10 * std::log10(1 / (0.04 / 4)), 1e-6);
}

TEST(Psnr, WithAMaskCountsOnlyTheHoleInEveryChannel) {
  auto mask = torch::zeros({2, 1, 8, 8});
  mask[0].slice(1, 2, 6).slice(2, 2, 6).fill_(1);  // 16 pixels
  mask[1].slice(1, 0, 1).fill_(1);                 // 8 pixels
  auto a = torch::full({2, 3, 8, 8}, 0.5);
  auto b = torch::full({2, 3, 8, 8}, 0.9);  // outside the hole: ignored
  b = torch::where(mask > 0.5, a + 0.1, b);
  b[1][2] = torch::where(mask[1][0] > 0.5, a[1][2] + 0.4, b[1][2]);  // one channel of three worse
  EXPECT_NEAR(psnr_per_image(a, b, mask)[0].item<double>(), 20.0, 1e-5);
  EXPECT_NEAR(psnr_per_image(a, b, mask)[1].item<double>(), 10 * std::log10(3 / (0.01 + 0.01 + 0.16)), 1e-5);
  EXPECT_LT(psnr(a, b), 10.0);  // without the mask the 0.4 errors outside count
}

TEST(Psnr, IdenticalImagesGiveTheCap) {
  const auto a = torch::rand({3, 3, 8, 8});
  EXPECT_EQ(psnr(a, a), kMaxPsnr);
  auto generator = data::make_generator(1);
  EXPECT_EQ(psnr(a, a.clone(), data::make_masks(data::MaskKind::Center, 3, 8, generator)), kMaxPsnr);
  EXPECT_EQ(psnr_per_image(a, a + 1e-6)[0].item<double>(), kMaxPsnr);  // MSE 1e-12, below the cap's 1e-10
}

TEST(Psnr, MatchesScikitImage) {
  for (const std::string name : {"rgb", "gray"}) {
    EXPECT_LT(
        max_abs_diff(psnr_per_image(fixture(name + "_x"), fixture(name + "_y")), fixture(name + "_psnr")),
        1e-4)
        << name;
  }
}

TEST(Psnr, AMaskWithoutAHoleIsAnError) {
  const auto a = torch::rand({2, 1, 8, 8});
  auto mask = torch::zeros({2, 1, 8, 8});
  mask[0][0][3][3] = 1;
  EXPECT_TRUE(fails_with([&] { psnr(a, a, mask); }, {"psnr", "image 1 has no hole"}));
  EXPECT_TRUE(fails_with([&] { masked_l1(a, a, mask); }, {"masked_l1", "image 1 has no hole"}));
}

TEST(Ssim, MatchesScikitImageWithGaussianWindows) {
  for (const std::string name : {"rgb", "gray"}) {
    const auto x = fixture(name + "_x"), y = fixture(name + "_y"), expected = fixture(name + "_ssim");
    const auto per_image = ssim_per_image(x, y);
    EXPECT_LT(max_abs_diff(per_image, expected), 1e-5) << name << ": " << per_image << " vs " << expected;
    EXPECT_NEAR(ssim(x, y), expected.to(torch::kDouble).mean().item<double>(), 1e-5) << name;
  }
  EXPECT_LT(fixture("rgb_ssim")[2].item<double>(), -0.5);  // the inverted image: structure term negative
}

TEST(Ssim, OfAnImageWithItselfIsOne) {
  const auto x = torch::rand({2, 3, 16, 11});
  EXPECT_NEAR(ssim(x, x), 1.0, 1e-12);
  EXPECT_NEAR(ssim(torch::zeros({1, 1, 11, 11}), torch::zeros({1, 1, 11, 11})), 1.0, 1e-12);
  EXPECT_LT(ssim(x, torch::rand({2, 3, 16, 11})), 0.2);
}

TEST(Ssim, NeedsElevenPixelsEachWay) {
  const auto small = torch::rand({1, 1, 10, 16});
  EXPECT_THROW(ssim(small, small), c10::Error);
  EXPECT_THROW(ssim(torch::rand({1, 1, 16, 16}), torch::rand({1, 1, 16, 15})), c10::Error);
}

TEST(ImageQuality, MaskedL1IsTheMeanErrorOverEachHoleThenTheBatch) {
  auto mask = torch::zeros({2, 1, 4, 4});
  mask[0][0][0][0] = 1;             // 1 pixel
  mask[1].slice(1, 0, 2).fill_(1);  // 8 pixels
  const auto a = torch::zeros({2, 2, 4, 4});
  auto b = torch::full({2, 2, 4, 4}, 5.0);  // outside the hole: ignored
  b[0][0][0][0] = 0.3;
  b[0][1][0][0] = -0.1;            // image 0: (0.3 + 0.1) / 2 = 0.2
  b[1].slice(1, 0, 2).fill_(0.5);  // image 1: 0.5
  EXPECT_NEAR(masked_l1(a, b, mask), (0.2 + 0.5) / 2, 1e-7);
  EXPECT_EQ(masked_l1(a, a, mask), 0.0);
}

TEST(MeanFill, HolesGetTheMeanOfTheKnownPixelsPerImageAndChannel) {
  const auto images = torch::rand({3, 2, 6, 7});
  auto generator = data::make_generator(5);
  const auto mask = data::make_masks(data::MaskKind::Rectangles, 3, 6, generator);
  auto mask7 = torch::zeros({3, 1, 6, 7});
  mask7.slice(3, 0, 6).copy_(mask);
  const auto filled = mean_fill(images, mask7);
  const auto m = mask7.accessor<float, 4>();
  const auto img = images.accessor<float, 4>();
  const auto out = filled.accessor<float, 4>();
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t c = 0; c < 2; ++c) {
      double sum = 0;
      int64_t count = 0;
      for (int64_t y = 0; y < 6; ++y) {
        for (int64_t x = 0; x < 7; ++x) {
          if (m[i][0][y][x] == 0) sum += img[i][c][y][x], ++count;
        }
      }
      for (int64_t y = 0; y < 6; ++y) {
        for (int64_t x = 0; x < 7; ++x) {
          if (m[i][0][y][x] == 0) {
            EXPECT_EQ(out[i][c][y][x], img[i][c][y][x]);  // known pixels exactly kept
          } else {
            EXPECT_NEAR(out[i][c][y][x], sum / count, 1e-6);
          }
        }
      }
    }
  }
  EXPECT_TRUE(fails_with([&] { mean_fill(images, torch::ones({3, 1, 6, 7})); }, {"image 0", "whole image"}));
}

TEST(NearestFill, MatchesScipyWhereTheNearestKnownPixelIsUnique) {
  const auto image = fixture("fill_image"), mask = fixture("fill_mask");
  const auto filled = nearest_fill(image, mask);
  const auto unique = (fixture("fill_tied") < 0.5).expand_as(image);
  EXPECT_TRUE(same_tensor(filled.masked_select(unique), fixture("fill_scipy").masked_select(unique)));
  // Ties follow the documented rule (first in row-major order), which scipy does not promise.
  EXPECT_TRUE(same_tensor(filled, fixture("fill_brute")));
  EXPECT_TRUE(same_tensor(filled, brute_nearest_fill(image, mask)));
  EXPECT_GT(fixture("fill_tied").sum().item<double>(), 0);  // the rule is exercised
}

TEST(NearestFill, BreaksTiesByRowThenColumn) {
  // Known: (0,1) = 1 and (1,0) = 2; both are at distance 1 from (0,0) and from (1,1).
  auto image = torch::zeros({1, 1, 3, 3});
  image[0][0][0][1] = 1;
  image[0][0][1][0] = 2;
  auto mask = torch::ones({1, 1, 3, 3});
  mask[0][0][0][1] = 0;
  mask[0][0][1][0] = 0;
  const auto filled = nearest_fill(image, mask)[0][0];
  EXPECT_EQ(filled[0][0].item<float>(), 1);
  EXPECT_EQ(filled[1][1].item<float>(), 1);
  EXPECT_EQ(filled[2][0].item<float>(), 2);  // (1,0) at 1, (0,1) at sqrt(5)
  EXPECT_EQ(filled[2][2].item<float>(), 1);  // both at sqrt(5): (0,1) comes first
}

TEST(NearestFill, AgreesWithBruteForceOnEveryMaskKindAndKeepsKnownPixels) {
  auto generator = data::make_generator(9);
  for (auto kind : {data::MaskKind::Center, data::MaskKind::Rectangles, data::MaskKind::FreeForm}) {
    const auto mask = data::make_masks(kind, 6, 24, generator);
    const auto images = torch::rand({6, 3, 24, 24}, generator);
    const auto filled = nearest_fill(images, mask);
    EXPECT_TRUE(same_tensor(filled, brute_nearest_fill(images, mask))) << data::mask_kind_name(kind);
    const auto known = (mask < 0.5).expand_as(images);
    EXPECT_TRUE(same_tensor(filled.masked_select(known), images.masked_select(known)));
  }
  EXPECT_TRUE(fails_with(
      [] {
        nearest_fill(torch::rand({2, 1, 4, 4}), torch::ones({2, 1, 4, 4}));
      },
      {"image 0", "whole"}));
}

}  // namespace
}  // namespace gankit::metrics
