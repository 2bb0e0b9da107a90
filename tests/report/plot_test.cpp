// Line plots: smoothing by formula, ticks and labels, and the rendered PNG read back pixel by pixel.
#include "gankit/report/plot.h"

#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gankit/error.h"
#include "support/test_support.h"
#include "gankit/report/axis_ticks.h"

namespace gankit::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Color {
  int r, g, b;
};
constexpr Color kBlue{0x1f, 0x77, 0xb4}, kOrange{0xff, 0x7f, 0x0e};  // tab10's first two

/// A decoded PNG, RGB.
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> rgb;

  bool is(int x, int y, Color c, int tolerance = 2) const {
    const uint8_t* p = &rgb[3 * (size_t(y) * size_t(width) + size_t(x))];
    return std::abs(p[0] - c.r) <= tolerance && std::abs(p[1] - c.g) <= tolerance &&
           std::abs(p[2] - c.b) <= tolerance;
  }
  /// Pixels of colour `c` in the (whole-pixel) rectangle [x0, x1) x [y0, y1).
  int count(Color c, int x0, int y0, int x1, int y1, int tolerance = 2) const {
    int n = 0;
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) n += is(x, y, c, tolerance);
    }
    return n;
  }
  int count_in(Color c, const PlotArea& area, int tolerance = 2) const {
    return count(c, int(area.left), int(area.top), int(area.right), int(area.bottom), tolerance);
  }
};

Image decode_png(const std::string& png) {
  Image image;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), int(png.size()), &image.width,
                            &image.height, &image.channels, 3),
      stbi_image_free);
  if (!pixels) throw std::runtime_error(stbi_failure_reason());
  image.rgb.assign(pixels.get(), pixels.get() + 3 * size_t(image.width) * size_t(image.height));
  return image;
}

Series line(const std::string& label, int points, double (*f)(double)) {
  Series series{label, {}, {}};
  for (int i = 0; i < points; ++i) {
    series.x.push_back(i);
    series.y.push_back(f(i));
  }
  return series;
}

// ---- smoothing ----

TEST(Smooth, IsTensorBoardsDebiasedMovingAverage) {
  // w = 0.5: ema_k = 0.5 ema_{k-1} + 0.5 y_k, shown as ema_k / (1 - 0.5^k).
  const double ema1 = 0.5 * 1, ema2 = 0.5 * ema1 + 0.5 * 2, ema3 = 0.5 * ema2 + 0.5 * 3;
  const std::vector<double> smoothed = smooth({1, 2, 3}, 0.5);
  ASSERT_EQ(smoothed.size(), 3u);
  EXPECT_DOUBLE_EQ(smoothed[0], ema1 / 0.5);    // 1: the first value is kept
  EXPECT_DOUBLE_EQ(smoothed[1], ema2 / 0.75);   // 5/3
  EXPECT_DOUBLE_EQ(smoothed[2], ema3 / 0.875);  // 17/7
  EXPECT_NEAR(smoothed[2], 17.0 / 7.0, 1e-12);
}

TEST(Smooth, SkipsNonFiniteValuesAndCountsOnlyFiniteOnes) {
  const std::vector<double> smoothed = smooth({1, kNaN, 3, kInf}, 0.5);
  EXPECT_DOUBLE_EQ(smoothed[0], 1);
  EXPECT_TRUE(std::isnan(smoothed[1]));
  EXPECT_DOUBLE_EQ(smoothed[2], (0.25 * 1 + 0.5 * 3) / 0.75);  // the second finite value
  EXPECT_EQ(smoothed[3], kInf);
}

TEST(Smooth, WeightZeroKeepsValuesAndWeightOutsideRangeIsAnError) {
  EXPECT_EQ(smooth({4, -2, 7}, 0), (std::vector<double>{4, -2, 7}));
  EXPECT_TRUE(smooth({}, 0.9).empty());
  EXPECT_TRUE(test::fails_with([] { smooth({1}, 1); }, {"smoothing weight must be in [0, 1), got 1"}));
  EXPECT_TRUE(test::fails_with([] { smooth({1}, -0.1); }, {"[0, 1)"}));
  EXPECT_TRUE(test::fails_with([] { smooth({1}, kNaN); }, {"[0, 1)"}));
}

// ---- ticks ----

TEST(AxisTicks, AreOneTwoOrFiveTimesAPowerOfTen) {
  const Ticks ticks = nice_ticks(-1250, 26250, 6);
  EXPECT_EQ(ticks.step, 5000);
  EXPECT_EQ(ticks.values, (std::vector<double>{0, 5000, 10000, 15000, 20000, 25000}));
  EXPECT_EQ(tick_labels(ticks), (std::vector<std::string>{"0", "5k", "10k", "15k", "20k", "25k"}));

  const Ticks fractions = nice_ticks(-0.05, 1.05, 6);
  EXPECT_DOUBLE_EQ(fractions.step, 0.2);
  EXPECT_EQ(tick_labels(fractions), (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));

  EXPECT_EQ(nice_ticks(0.3, 0.95, 10).values.size(), 7u);  // 0.35 .. 0.95 in steps of 0.1
  EXPECT_DOUBLE_EQ(nice_ticks(0.3, 0.95, 10).step, 0.1);
}

TEST(AxisTicks, LabelsStayShortAtAnyScale) {
  EXPECT_EQ(tick_labels(nice_ticks(0, 2.2e-4, 5)),
            (std::vector<std::string>{"0", "5e-5", "1e-4", "1.5e-4", "2e-4"}));
  EXPECT_EQ(tick_labels(nice_ticks(0, 1.3e6, 7)),
            (std::vector<std::string>{"0", "0.2M", "0.4M", "0.6M", "0.8M", "1M", "1.2M"}));
  EXPECT_EQ(tick_labels(nice_ticks(-1.2e8, 6e7, 4)),
            (std::vector<std::string>{"\u2212100M", "\u221250M", "0", "50M"}));
  EXPECT_EQ(tick_labels(nice_ticks(0, 3e16, 4)), (std::vector<std::string>{"0", "1e16", "2e16", "3e16"}));
  EXPECT_EQ(tick_labels(nice_ticks(180, 312, 4)), (std::vector<std::string>{"200", "250", "300"}));
  EXPECT_EQ(tick_labels(nice_ticks(-2.5, 0.5, 4)), (std::vector<std::string>{"\u22122", "\u22121", "0"}));
}

TEST(AxisTicks, IntegerStepsAndEmptyRanges) {
  EXPECT_EQ(nice_ticks(-0.05, 1.05, 10, /*integer_step=*/true).values, (std::vector<double>{0, 1}));
  EXPECT_TRUE(nice_ticks(1, 1, 5).values.empty());
  EXPECT_TRUE(nice_ticks(2, 1, 5).values.empty());
  EXPECT_TRUE(nice_ticks(0, kInf, 5).values.empty());
}

// ---- rendering ----

TEST(Plot, PngHasTheRequestedSize) {
  PlotOptions options;
  options.width = 500;
  options.height = 300;
  const Image image =
      decode_png(render_plot_png({line("sin", 100, [](double x) { return std::sin(x); })}, options));
  EXPECT_EQ(image.width, 500);
  EXPECT_EQ(image.height, 300);
  EXPECT_EQ(image.channels, 3);  // RGB, no alpha
  EXPECT_TRUE(image.is(0, 0, {255, 255, 255}, 0));
}

TEST(Plot, HorizontalLineLandsWhereTheAxisMappingSays) {
  // Blue stays at 8 while orange rises 0..10: blue's row sits in the upper part of the plot.
  const std::vector<Series> series = {line("flat", 41, [](double) { return 8.0; }),
                                      line("rising", 41, [](double x) { return x / 4; })};
  PlotOptions options;
  options.title = "mapping";
  options.y_label = "value";
  const PlotArea area = plot_area(series, options);
  EXPECT_LT(area.y_min, 0);
  EXPECT_GT(area.y_max, 10);
  EXPECT_LT(area.x_min, 0);
  EXPECT_GT(area.x_max, 40);
  EXPECT_GT(area.left, 0);
  EXPECT_LT(area.right, options.width);
  EXPECT_GT(area.top, 0);
  EXPECT_LT(area.bottom, options.height);

  const Image image = decode_png(render_plot_png(series, options));
  const int row = int(std::floor(area.pixel_y(8)));
  EXPECT_LT(row, (area.top + area.bottom) / 2);
  // The 2-pixel line covers its row across the plot, bar where orange crosses it (x = 32).
  const int from = int(area.pixel_x(0)) + 1, to = int(area.pixel_x(40)) - 1;
  const int blue_in_row = image.count(kBlue, from, row, to, row + 1);
  EXPECT_GT(blue_in_row, 0.9 * (to - from)) << "row " << row;
  EXPECT_EQ(image.count(kBlue, from, row - 4, to, row - 3), 0);
  EXPECT_EQ(image.count(kBlue, from, row + 4, to, row + 5), 0);
  EXPECT_GT(image.count_in(kOrange, area), 100);
}

TEST(Plot, EachSeriesTakesTheNextTab10Colour) {
  const std::vector<Series> series = {line("a", 50, [](double x) { return std::sin(x / 5); }),
                                      line("b", 50, [](double x) { return std::cos(x / 5); })};
  const PlotArea area = plot_area(series, {});
  const Image image = decode_png(render_plot_png(series, {}));
  EXPECT_GT(image.count_in(kBlue, area), 100);
  EXPECT_GT(image.count_in(kOrange, area), 100);
}

TEST(Plot, SmoothingDrawsTheRawSeriesFaintUnderTheSmoothedOne) {
  Series noisy = line("noisy", 200, [](double x) { return std::fmod(x * 7.31, 3.0); });
  PlotOptions options;
  options.smoothing = 0.9;
  const PlotArea area = plot_area({noisy}, options);
  const Image image = decode_png(render_plot_png({noisy}, options));
  // Blue at alpha 0.25 over white.
  const Color faint{int(std::lround(0.75 * 255 + 0.25 * kBlue.r)),
                    int(std::lround(0.75 * 255 + 0.25 * kBlue.g)),
                    int(std::lround(0.75 * 255 + 0.25 * kBlue.b))};
  EXPECT_GT(image.count_in(faint, area, 3), 200);
  EXPECT_GT(image.count_in(kBlue, area), 100);
}

TEST(Plot, ASinglePointShowsAsADot) {
  const std::vector<Series> series = {Series{"FID", {5000}, {42.5}}};
  const PlotArea area = plot_area(series, {});
  EXPECT_LT(area.y_min, 42.5);
  EXPECT_GT(area.y_max, 42.5);
  EXPECT_LT(area.x_min, 5000);
  EXPECT_GT(area.x_max, 5000);
  const Image image = decode_png(render_plot_png(series, {}));
  EXPECT_TRUE(image.is(int(area.pixel_x(5000)), int(area.pixel_y(42.5)), kBlue));
}

TEST(Plot, AllEqualValuesGetAPaddedRange) {
  const std::vector<Series> series = {Series{"constant", {0, 1, 2}, {3, 3, 3}},
                                      Series{"zero", {0, 1, 2}, {0, 0, 0}}};
  const PlotArea area = plot_area(series, {});
  EXPECT_LT(area.y_min, 0);
  EXPECT_GT(area.y_max, 3);
  EXPECT_NO_THROW(render_plot_png({Series{"zero", {0, 1}, {0, 0}}}, {}));
  const PlotArea zero = plot_area({Series{"zero", {0, 1}, {0, 0}}}, {});
  EXPECT_LT(zero.y_min, 0);
  EXPECT_GT(zero.y_max, 0);
}

TEST(Plot, NonFiniteValuesAreSkipped) {
  const std::vector<Series> series = {Series{"gappy", {0, 1, 2, 3, 4, kNaN}, {1, kNaN, 2, kInf, -kInf, 100}}};
  const PlotArea area = plot_area(series, {});
  EXPECT_LT(area.y_min, 1);
  EXPECT_GT(area.y_max, 2);
  EXPECT_LT(area.y_max, 3);  // neither infinity nor the point with x = NaN counts
  EXPECT_LT(area.x_max, 3);
  PlotOptions smoothed;
  smoothed.smoothing = 0.6;
  EXPECT_NO_THROW(decode_png(render_plot_png(series, smoothed)));
}

TEST(Plot, HugeAndNegativeValuesWork) {
  const std::vector<Series> series = {Series{"big", {0, 1e6, 2e6}, {-3e12, 5e11, 2e12}},
                                      Series{"extreme", {0, 1}, {-1e308, 1e308}}};
  const PlotArea area = plot_area(series, {});
  EXPECT_TRUE(std::isfinite(area.y_min) && std::isfinite(area.y_max));
  EXPECT_LT(area.y_min, -1e299);
  const Image image = decode_png(render_plot_png({series[0]}, {}));
  const PlotArea big = plot_area({series[0]}, {});
  EXPECT_LT(big.y_min, -3e12);
  EXPECT_GT(image.count_in(kBlue, big), 100);
  EXPECT_NO_THROW(render_plot_png(series, {}));
}

TEST(Plot, NoDataRendersAPlaceholder) {
  for (const auto& series : {std::vector<Series>{}, std::vector<Series>{Series{"loss_G", {}, {}}},
                             std::vector<Series>{Series{"nan", {0, 1}, {kNaN, kNaN}}}}) {
    PlotOptions options;
    options.title = "waiting";
    options.smoothing = 0.5;
    const Image image = decode_png(render_plot_png(series, options));
    EXPECT_EQ(image.width, 640);
    EXPECT_EQ(image.count_in(kBlue, plot_area(series, options)), 0);
  }
}

TEST(Plot, WritePlotWritesThePng) {
  test::TempDir folder;
  const std::vector<Series> series = {line("a", 10, [](double x) { return std::sin(x); })};
  write_plot(folder / "curves.png", series, {});
  EXPECT_EQ(test::slurp(folder / "curves.png"), render_plot_png(series, {}));
}

TEST(Plot, BadInputIsAnError) {
  EXPECT_TRUE(test::fails_with(
      [] {
        render_plot_png({Series{"loss", {0, 1, 2}, {1, 2}}}, {});
      },
      {"plot series 0 ('loss'): 3 x values but 2 y values"}));
  PlotOptions options;
  options.smoothing = 1;
  EXPECT_TRUE(test::fails_with([&] { render_plot_png({}, options); }, {"smoothing must be in [0, 1)"}));
  options = {};
  options.width = 10;
  EXPECT_TRUE(test::fails_with([&] { render_plot_png({}, options); }, {"size 10x400 is outside"}));
}

}  // namespace
}  // namespace gankit::report
