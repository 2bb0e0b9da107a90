#include "gankit/report/plot.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/report/axis_ticks.h"

namespace gankit::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Beyond this, spans and margins would overflow to infinity; such values are drawn at the limit.
constexpr double kLargestValue = 1e300;
// A curve this short gets dot markers: a run may have logged only a couple of points.
constexpr size_t kMarkersBelow = 30;

struct Rgb {
  double r, g, b;
};

Rgb hex(unsigned value) {
  return {((value >> 16) & 0xff) / 255.0, ((value >> 8) & 0xff) / 255.0, (value & 0xff) / 255.0};
}

/// matplotlib's default colour cycle (tab10), so curves look as they would in a notebook.
Rgb tab10(size_t index) {
  static const unsigned kColors[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                     0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
  return hex(kColors[index % 10]);
}

const Rgb kTitleColor = hex(0x111111), kTextColor = hex(0x222222), kTickColor = hex(0x444444),
          kFrameColor = hex(0x666666), kGridColor = hex(0xe4e4e4), kNoDataColor = hex(0x888888);

// Pixel sizes, tuned on the 640x400 default.
constexpr double kPad = 10, kTickLength = 4, kTickGap = 3;
constexpr double kTitleSize = 15, kLabelSize = 12.5, kTickSize = 11, kLegendSize = 12, kNoDataSize = 14;
constexpr double kLineWidth = 2, kFaintLineWidth = 1.5, kFaintAlpha = 0.25, kMarkerRadius = 2.6;
constexpr double kSwatchLength = 22, kSwatchGap = 6, kLegendGap = 20;

/// One series ready to draw: non-finite and clamped points replaced, colour chosen.
struct Curve {
  std::string label;
  Rgb color;
  std::vector<double> x, y;  // y is NaN where the point is left out
  std::vector<double> smoothed;
  bool markers = false;
};

struct Chart {
  std::vector<Curve> curves;
  bool has_data = false;
  bool integer_x = true;  // every x is a whole number: ticks no closer than 1 apart
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
};

/// matplotlib's autoscaling: a single value is widened by 5% of itself, then 5% margins.
void pad_range(double& lo, double& hi) {
  if (hi - lo <= 1e-12 * std::max(std::fabs(lo), std::fabs(hi))) {
    const double half = (lo == 0 && hi == 0) ? 0.05 : 0.05 * std::max(std::fabs(lo), std::fabs(hi));
    lo -= half;
    hi += half;
  }
  const double margin = 0.05 * (hi - lo);
  lo -= margin;
  hi += margin;
}

Chart prepare(const std::vector<Series>& series, const PlotOptions& options) {
  if (options.width < 160 || options.height < 120 || options.width > 8192 || options.height > 8192) {
    fail("plot: size {}x{} is outside 160x120..8192x8192", options.width, options.height);
  }
  if (!(options.smoothing >= 0 && options.smoothing < 1)) {
    fail("plot: smoothing must be in [0, 1), got {}", options.smoothing);
  }
  Chart chart;
  double x_lo = kLargestValue, x_hi = -kLargestValue, y_lo = kLargestValue, y_hi = -kLargestValue;
  for (size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    if (s.x.size() != s.y.size()) {
      fail("plot series {} ('{}'): {} x values but {} y values", i, s.label, s.x.size(), s.y.size());
    }
    Curve curve{s.label, tab10(i), s.x, s.y, {}, false};
    size_t points = 0;
    for (size_t j = 0; j < s.x.size(); ++j) {
      double &x = curve.x[j], &y = curve.y[j];
      if (!std::isfinite(x) || !std::isfinite(y)) {
        y = kNaN;
        continue;
      }
      x = std::clamp(x, -kLargestValue, kLargestValue);
      y = std::clamp(y, -kLargestValue, kLargestValue);
      ++points;
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y);
      y_hi = std::max(y_hi, y);
      if (x != std::floor(x)) chart.integer_x = false;
    }
    curve.markers = points < kMarkersBelow;
    // Smoothed values are averages of raw ones, so the raw range holds them too.
    if (options.smoothing > 0) curve.smoothed = smooth(curve.y, options.smoothing);
    chart.has_data = chart.has_data || points > 0;
    chart.curves.push_back(std::move(curve));
  }
  if (chart.has_data) {
    pad_range(x_lo, x_hi);
    pad_range(y_lo, y_hi);
    chart.x_min = x_lo, chart.x_max = x_hi, chart.y_min = y_lo, chart.y_max = y_hi;
  }
  return chart;
}

// ---- text, with cairo's toy font API ----

void use_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

/// Ascent plus descent: the height of a line of text in the current font.
double line_height(cairo_t* cr) {
  cairo_font_extents_t extents;
  cairo_font_extents(cr, &extents);
  return extents.ascent + extents.descent;
}

double ascent(cairo_t* cr) {
  cairo_font_extents_t extents;
  cairo_font_extents(cr, &extents);
  return extents.ascent;
}

/// How far digits rise above the baseline, to centre numbers on a tick.
double digit_height(cairo_t* cr) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, "0", &extents);
  return -extents.y_bearing;
}

/// `text`, cut short with an ellipsis if it is wider than `max_width`.
std::string fit_text(cairo_t* cr, const std::string& text, double max_width) {
  if (text_width(cr, text) <= max_width) return text;
  std::string shortened = text;
  while (!shortened.empty() && text_width(cr, shortened + "\u2026") > max_width) {
    // Drop one UTF-8 character: its continuation bytes (10xxxxxx), then its first byte.
    while (!shortened.empty() && (static_cast<unsigned char>(shortened.back()) & 0xC0) == 0x80) {
      shortened.pop_back();
    }
    if (!shortened.empty()) shortened.pop_back();
  }
  return shortened + "\u2026";
}

enum class Align { left, center, right };

void show_text(cairo_t* cr, const std::string& text, double x, double baseline, Align align,
               const Rgb& color) {
  const double width = text_width(cr, text);
  if (align == Align::center) x -= width / 2;
  if (align == Align::right) x -= width;
  cairo_set_source_rgb(cr, color.r, color.g, color.b);
  cairo_move_to(cr, x, baseline);
  cairo_show_text(cr, text.c_str());
}

// ---- layout ----

/// Labelled curves above the plot area: one row if they fit, else a grid of equal columns.
struct Legend {
  std::vector<const Curve*> curves;
  std::vector<double> widths;  // swatch and label
  size_t columns = 0;
  double column_width = 0;  // 0: a single row, each entry as wide as it is
  double block_width = 0;
  double top = 0, row_height = 0;

  size_t rows() const { return columns == 0 ? 0 : (curves.size() + columns - 1) / columns; }
};

struct Layout {
  PlotArea area;
  Ticks x_ticks, y_ticks;
  std::vector<std::string> x_tick_labels, y_tick_labels;
  double title_baseline = 0;
  Legend legend;
  double y_label_center_x = 0;
};

/// Ticks for an axis `length` pixels long, thinned until the widest label fits between them.
void choose_ticks(cairo_t* cr, double lo, double hi, double length, double spacing, bool integer_step,
                  bool horizontal, Ticks& ticks, std::vector<std::string>& labels) {
  for (int count = std::max(2, int(length / spacing));; --count) {
    ticks = nice_ticks(lo, hi, count, integer_step);
    labels = tick_labels(ticks);
    if (!horizontal || count <= 2) return;
    double widest = 0;
    for (const auto& label : labels) widest = std::max(widest, text_width(cr, label));
    if (ticks.values.size() < 2 || widest + 14 <= length * ticks.step / (hi - lo)) return;
  }
}

Layout lay_out(cairo_t* cr, const Chart& chart, const PlotOptions& options) {
  Layout layout;
  const double width = options.width, height = options.height;
  double top = kPad;
  if (!options.title.empty()) {
    use_font(cr, kTitleSize, true);
    layout.title_baseline = top + ascent(cr);
    top += line_height(cr) + 6;
  }

  Legend& legend = layout.legend;
  use_font(cr, kLegendSize);
  for (const Curve& curve : chart.curves) {
    if (curve.label.empty()) continue;
    legend.curves.push_back(&curve);
    legend.widths.push_back(kSwatchLength + kSwatchGap + text_width(cr, curve.label));
  }
  if (!legend.curves.empty()) {
    const double available = width - 2 * kPad;
    legend.block_width = -kLegendGap;
    for (double entry : legend.widths) legend.block_width += entry + kLegendGap;
    legend.columns = legend.curves.size();
    if (legend.block_width > available) {
      legend.column_width = *std::max_element(legend.widths.begin(), legend.widths.end());
      legend.columns = std::clamp(size_t((available + kLegendGap) / (legend.column_width + kLegendGap)),
                                  size_t(1), legend.curves.size());
      legend.block_width = double(legend.columns) * (legend.column_width + kLegendGap) - kLegendGap;
    }
  }
  legend.top = top;
  legend.row_height = line_height(cr) + 4;
  top += double(legend.rows()) * legend.row_height;
  // Room for the top y tick label, which is centred on the frame's edge.
  use_font(cr, kTickSize);
  top += std::max(6.0, line_height(cr) / 2);

  double bottom = height - kPad;
  if (!options.x_label.empty()) {
    use_font(cr, kLabelSize);
    bottom -= line_height(cr) + 4;
  }
  use_font(cr, kTickSize);
  bottom -= 1 + kTickLength + kTickGap + line_height(cr);
  bottom = std::max(bottom, top + 20);

  PlotArea& area = layout.area;
  area.top = std::ceil(top);
  area.bottom = std::floor(bottom);
  area.x_min = chart.x_min, area.x_max = chart.x_max;
  area.y_min = chart.y_min, area.y_max = chart.y_max;
  if (chart.has_data) {
    choose_ticks(cr, area.y_min, area.y_max, bottom - top, 38, false, false, layout.y_ticks,
                 layout.y_tick_labels);
  }

  double left = kPad;
  if (!options.y_label.empty()) {
    use_font(cr, kLabelSize);
    layout.y_label_center_x = left + line_height(cr) / 2;
    left += line_height(cr) + 6;
  }
  use_font(cr, kTickSize);
  double widest = 0;
  for (const auto& label : layout.y_tick_labels) widest = std::max(widest, text_width(cr, label));
  left += widest + kTickGap + kTickLength + 1;
  area.left = std::ceil(left);
  // Room for half the last x tick label, which is centred on its tick.
  area.right = std::max(width - kPad - 12, area.left + 20);
  if (chart.has_data) {
    choose_ticks(cr, area.x_min, area.x_max, area.right - area.left, 60, chart.integer_x, true,
                 layout.x_ticks, layout.x_tick_labels);
  }
  return layout;
}

// ---- drawing ----

/// A 1-pixel line lands on whole pixels only from a half-pixel coordinate.
double crisp(double pixel) { return std::floor(pixel) + 0.5; }

/// Where to centre something `width` wide near `center` so that it stays inside the image.
double keep_inside(double center, double width, double image_width) {
  if (width + 4 >= image_width) return image_width / 2;
  return std::clamp(center, width / 2 + 2, image_width - width / 2 - 2);
}

void draw_grid(cairo_t* cr, const Layout& layout) {
  const PlotArea& area = layout.area;
  cairo_set_line_width(cr, 1);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_set_source_rgb(cr, kGridColor.r, kGridColor.g, kGridColor.b);
  for (double x : layout.x_ticks.values) {
    cairo_move_to(cr, crisp(area.pixel_x(x)), area.top);
    cairo_line_to(cr, crisp(area.pixel_x(x)), area.bottom);
  }
  for (double y : layout.y_ticks.values) {
    cairo_move_to(cr, area.left, crisp(area.pixel_y(y)));
    cairo_line_to(cr, area.right, crisp(area.pixel_y(y)));
  }
  cairo_stroke(cr);
}

void draw_frame_and_ticks(cairo_t* cr, const Layout& layout, const PlotOptions& options) {
  const PlotArea& area = layout.area;
  cairo_set_line_width(cr, 1);
  cairo_set_source_rgb(cr, kFrameColor.r, kFrameColor.g, kFrameColor.b);
  // The frame lies just outside the plot area (whose edges are whole pixels), ticks point out.
  cairo_rectangle(cr, area.left - 0.5, area.top - 0.5, area.right - area.left + 1,
                  area.bottom - area.top + 1);
  for (double x : layout.x_ticks.values) {
    cairo_move_to(cr, crisp(area.pixel_x(x)), area.bottom + 1);
    cairo_line_to(cr, crisp(area.pixel_x(x)), area.bottom + 1 + kTickLength);
  }
  for (double y : layout.y_ticks.values) {
    cairo_move_to(cr, area.left - 1, crisp(area.pixel_y(y)));
    cairo_line_to(cr, area.left - 1 - kTickLength, crisp(area.pixel_y(y)));
  }
  cairo_stroke(cr);

  use_font(cr, kTickSize);
  const double digits = digit_height(cr);
  const double x_labels_top = area.bottom + 1 + kTickLength + kTickGap;
  for (size_t i = 0; i < layout.x_ticks.values.size(); ++i) {
    const std::string& label = layout.x_tick_labels[i];
    const double center =
        keep_inside(area.pixel_x(layout.x_ticks.values[i]), text_width(cr, label), options.width);
    show_text(cr, label, center, x_labels_top + ascent(cr), Align::center, kTickColor);
  }
  for (size_t i = 0; i < layout.y_ticks.values.size(); ++i) {
    show_text(cr, layout.y_tick_labels[i], area.left - 1 - kTickLength - kTickGap,
              area.pixel_y(layout.y_ticks.values[i]) + digits / 2, Align::right, kTickColor);
  }
  const double x_labels_bottom = x_labels_top + line_height(cr);

  const double center_x = (area.left + area.right) / 2;
  if (!options.x_label.empty()) {
    use_font(cr, kLabelSize);
    show_text(cr, fit_text(cr, options.x_label, area.right - area.left), center_x,
              x_labels_bottom + 4 + ascent(cr), Align::center, kTextColor);
  }
  if (!options.y_label.empty()) {
    use_font(cr, kLabelSize);
    cairo_save(cr);
    cairo_translate(cr, layout.y_label_center_x, (area.top + area.bottom) / 2);
    cairo_rotate(cr, -M_PI / 2);  // reads bottom to top; the line's middle on y_label_center_x
    show_text(cr, fit_text(cr, options.y_label, area.bottom - area.top), 0, ascent(cr) - line_height(cr) / 2,
              Align::center, kTextColor);
    cairo_restore(cr);
  }
}

void draw_dot(cairo_t* cr, double x, double y, double radius) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, x, y, radius, 0, 2 * M_PI);
}

/// A polyline through the finite points, broken at the others; markers, or a dot where a
/// point stands alone between gaps.
void draw_line(cairo_t* cr, const PlotArea& area, const std::vector<double>& xs,
               const std::vector<double>& ys, const Rgb& color, double alpha, double width, bool markers) {
  cairo_set_source_rgba(cr, color.r, color.g, color.b, alpha);
  cairo_set_line_width(cr, width);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  std::vector<std::pair<double, double>> dots;
  size_t run = 0;
  for (size_t i = 0; i <= ys.size(); ++i) {
    const bool finite = i < ys.size() && std::isfinite(ys[i]);
    if (finite) {
      const double px = area.pixel_x(xs[i]), py = area.pixel_y(ys[i]);
      if (run == 0) {
        cairo_move_to(cr, px, py);
      } else {
        cairo_line_to(cr, px, py);
      }
      ++run;
      if (markers) dots.emplace_back(px, py);
    } else {
      if (run == 1 && !markers) dots.emplace_back(area.pixel_x(xs[i - 1]), area.pixel_y(ys[i - 1]));
      run = 0;
    }
  }
  cairo_stroke(cr);
  for (const auto& [px, py] : dots) draw_dot(cr, px, py, markers ? kMarkerRadius : width);
  cairo_fill(cr);
}

void draw_curves(cairo_t* cr, const Chart& chart, const Layout& layout) {
  const PlotArea& area = layout.area;
  cairo_save(cr);
  cairo_rectangle(cr, area.left, area.top, area.right - area.left, area.bottom - area.top);
  cairo_clip(cr);
  // Faint raw curves first, so no smoothed curve hides under another series' noise.
  for (const Curve& curve : chart.curves) {
    if (curve.smoothed.empty()) continue;
    draw_line(cr, area, curve.x, curve.y, curve.color, kFaintAlpha, kFaintLineWidth, curve.markers);
  }
  for (const Curve& curve : chart.curves) {
    const auto& ys = curve.smoothed.empty() ? curve.y : curve.smoothed;
    draw_line(cr, area, curve.x, ys, curve.color, 1, kLineWidth, curve.markers);
  }
  cairo_restore(cr);
}

void draw_legend(cairo_t* cr, const Layout& layout, const PlotOptions& options) {
  const Legend& legend = layout.legend;
  use_font(cr, kLegendSize);
  const double digits = digit_height(cr);
  // Centred over the plot area, but inside the image.
  const double left = std::clamp((layout.area.left + layout.area.right - legend.block_width) / 2, kPad,
                                 std::max(kPad, options.width - kPad - legend.block_width));
  double x = left;
  for (size_t i = 0; i < legend.curves.size(); ++i) {
    const Curve& curve = *legend.curves[i];
    const size_t row = i / legend.columns, column = i % legend.columns;
    if (legend.column_width > 0) x = left + double(column) * (legend.column_width + kLegendGap);
    const double middle = legend.top + (double(row) + 0.5) * legend.row_height;
    cairo_set_source_rgb(cr, curve.color.r, curve.color.g, curve.color.b);
    cairo_set_line_width(cr, kLineWidth);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_move_to(cr, x + 1, middle);
    cairo_line_to(cr, x + kSwatchLength - 1, middle);
    cairo_stroke(cr);
    if (curve.markers) {
      draw_dot(cr, x + kSwatchLength / 2, middle, kMarkerRadius);
      cairo_fill(cr);
    }
    show_text(cr, curve.label, x + kSwatchLength + kSwatchGap, middle + digits / 2, Align::left, kTextColor);
    x += legend.widths[i] + kLegendGap;
  }
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Context = std::unique_ptr<cairo_t, ContextDeleter>;

Surface make_surface(int width, int height) {
  Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    fail("plot: cannot create a {}x{} image ({})", width, height,
         cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  return surface;
}

cairo_status_t append_png_bytes(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {  // cairo is C: nothing may throw through it
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

}  // namespace

std::vector<double> smooth(const std::vector<double>& y, double weight) {
  if (!(weight >= 0 && weight < 1)) fail("smoothing weight must be in [0, 1), got {}", weight);
  std::vector<double> smoothed(y.size());
  double average = 0;
  int count = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      smoothed[i] = y[i];
      continue;
    }
    average = average * weight + (1 - weight) * y[i];
    ++count;
    smoothed[i] = average / (1 - std::pow(weight, count));
  }
  return smoothed;
}

PlotArea plot_area(const std::vector<Series>& series, const PlotOptions& options) {
  const Chart chart = prepare(series, options);
  // Text sizes decide the margins: measure them as the render does, on a scratch surface.
  const Surface scratch = make_surface(1, 1);
  const Context cr(cairo_create(scratch.get()));
  return lay_out(cr.get(), chart, options).area;
}

std::string render_plot_png(const std::vector<Series>& series, const PlotOptions& options) {
  const Chart chart = prepare(series, options);
  const Surface surface = make_surface(options.width, options.height);
  const Context context(cairo_create(surface.get()));
  cairo_t* cr = context.get();
  const Layout layout = lay_out(cr, chart, options);

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  draw_grid(cr, layout);
  if (chart.has_data) {
    draw_curves(cr, chart, layout);
  } else {
    use_font(cr, kNoDataSize);
    const PlotArea& area = layout.area;
    show_text(cr, "no data yet", (area.left + area.right) / 2,
              (area.top + area.bottom) / 2 + digit_height(cr) / 2, Align::center, kNoDataColor);
  }
  draw_frame_and_ticks(cr, layout, options);
  draw_legend(cr, layout, options);
  if (!options.title.empty()) {
    use_font(cr, kTitleSize, true);
    const std::string title = fit_text(cr, options.title, options.width - 2 * kPad);
    const double center =
        keep_inside((layout.area.left + layout.area.right) / 2, text_width(cr, title), options.width);
    show_text(cr, title, center, layout.title_baseline, Align::center, kTitleColor);
  }

  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
    fail("plot: drawing failed ({})", cairo_status_to_string(cairo_status(cr)));
  }
  cairo_surface_flush(surface.get());
  std::string png;
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), append_png_bytes, &png);
  if (status != CAIRO_STATUS_SUCCESS) {
    fail("plot: cannot encode PNG ({})", cairo_status_to_string(status));
  }
  return png;
}

void write_plot(const std::filesystem::path& path, const std::vector<Series>& series,
                const PlotOptions& options) {
  io::write_file_atomically(path, render_plot_png(series, options));
}

}  // namespace gankit::report
