// Training curves as PNG line charts (cairo): losses, D(x) and D(G(z)), FID, readable at a glance.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace gankit::report {

/// One curve. Points whose x or y is not finite are left out, and the line breaks there.
struct Series {
  std::string label;
  std::vector<double> x, y;
};

struct PlotOptions {
  std::string title, x_label = "step", y_label;
  double smoothing = 0;  // TensorBoard's debiased exponential moving average weight, in [0, 1)
  int width = 640, height = 400;
};

/// TensorBoard's smoothing: an exponential moving average with weight `weight` over the finite
/// values, the k-th of them divided by 1 - weight^k so early values are not pulled towards 0.
/// Non-finite values stay as they are and do not count. Throws gankit::Error unless 0 <= weight < 1.
std::vector<double> smooth(const std::vector<double>& y, double weight);

/// Where data lands in the image: the plot area in pixels (y grows downwards) and the data
/// values at its edges.
struct PlotArea {
  double left = 0, top = 0, right = 0, bottom = 0;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;

  double pixel_x(double x) const { return left + (x - x_min) / (x_max - x_min) * (right - left); }
  double pixel_y(double y) const { return bottom - (y - y_min) / (y_max - y_min) * (bottom - top); }
};

/// The plot area render_plot_png draws `series` into.
PlotArea plot_area(const std::vector<Series>& series, const PlotOptions& options);

/// Renders the series as one line chart, PNG bytes (RGB). Series are coloured with matplotlib's
/// tab10 palette in order and listed in a legend above the plot; series with fewer than 30 points
/// get dot markers too. With smoothing, each raw series is drawn faint under its smoothed one.
/// Without any finite point the chart says "no data yet". Throws gankit::Error on a series whose
/// x and y differ in length, smoothing outside [0, 1), or a size outside 160x120..8192x8192.
std::string render_plot_png(const std::vector<Series>& series, const PlotOptions& options);

/// render_plot_png, written atomically.
void write_plot(const std::filesystem::path& path, const std::vector<Series>& series,
                const PlotOptions& options);

}  // namespace gankit::report
