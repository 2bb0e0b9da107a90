#include "gankit/report/axis_ticks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gankit::report {

namespace {

/// k for a step of 1, 2 or 5 times 10^k (the epsilon absorbs log10's rounding at exact powers).
int decade_of(double step) { return int(std::floor(std::log10(step) + 1e-9)); }

/// "2.50" -> "2.5", "3.0" -> "3": suffixed and scientific labels read better short.
std::string strip_trailing_zeros(std::string number) {
  if (number.find('.') == std::string::npos) return number;
  while (number.back() == '0') number.pop_back();
  if (number.back() == '.') number.pop_back();
  return number;
}

std::string with_typographic_minus(std::string label) {
  if (!label.empty() && label[0] == '-') label.replace(0, 1, "\u2212");
  return label;
}

/// "1.5e-4": as many mantissa digits as the step needs, exponent without padding.
std::string scientific(double value, int step_decade) {
  const int decade = int(std::floor(std::log10(std::fabs(value))));
  const std::string text = fmt::format("{:.{}e}", value, std::max(0, decade - step_decade));
  const size_t e = text.find('e');
  return strip_trailing_zeros(text.substr(0, e)) + "e" + std::to_string(std::stoi(text.substr(e + 1)));
}

}  // namespace

Ticks nice_ticks(double lo, double hi, int max_count, bool integer_step) {
  Ticks ticks;
  const double span = hi - lo;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(span) || !(span > 0)) {
    return ticks;
  }
  max_count = std::max(max_count, 1);
  double base = std::pow(10.0, std::floor(std::log10(span / max_count)));
  if (integer_step) base = std::max(base, 1.0);
  for (double scale : {1.0, 10.0, 100.0, 1000.0}) {
    for (double multiplier : {1.0, 2.0, 5.0}) {
      const double step = multiplier * base * scale;
      const double first = std::ceil(lo / step), last = std::floor(hi / step);
      if (last - first + 1 > max_count) continue;
      ticks.step = step;
      for (double i = 0; i <= last - first; ++i) {
        double value = (first + i) * step;
        if (std::fabs(value) < step * 1e-9) value = 0;  // 0.1 * 3 - 0.3 is not 0
        // Far from zero a step of few bits can round outside the range or onto a neighbour.
        if (value >= lo && value <= hi && (ticks.values.empty() || value > ticks.values.back())) {
          ticks.values.push_back(value);
        }
      }
      return ticks;
    }
  }
  return ticks;
}

std::vector<std::string> tick_labels(const Ticks& ticks) {
  std::vector<std::string> labels;
  double largest = 0;
  for (double value : ticks.values) largest = std::max(largest, std::fabs(value));
  const int step_decade = ticks.step > 0 ? decade_of(ticks.step) : 0;

  // The suffixed unit: thousands, millions, ... of the largest tick.
  const int unit_decade = largest >= 1e4 ? 3 * int(std::floor(std::log10(largest) / 3)) : 0;
  const bool suffixed = largest >= 1e4 && largest < 1e15 && unit_decade - step_decade <= 3;
  const bool fixed = (largest >= 1e-3 && largest < 1e4) || (largest >= 1e4 && largest < 1e15 && !suffixed);
  for (double value : ticks.values) {
    std::string label;
    if (fixed) {
      label = fmt::format("{:.{}f}", value, std::max(0, -step_decade));
    } else if (value == 0) {
      label = "0";
    } else if (suffixed) {
      static const char* const kSuffixes[] = {"", "", "", "k", "", "", "M", "", "", "G", "", "", "T"};
      label = strip_trailing_zeros(fmt::format("{:.{}f}", value / std::pow(10.0, unit_decade),
                                               std::max(0, unit_decade - step_decade))) +
              kSuffixes[unit_decade];
    } else {
      label = scientific(value, step_decade);
    }
    labels.push_back(with_typographic_minus(label));
  }
  return labels;
}

}  // namespace gankit::report
