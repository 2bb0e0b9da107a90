// Axis ticks for plots: round values a reader can take in at a glance, and short labels for them.
#pragma once
#include <string>
#include <vector>

namespace gankit::report {

/// Tick values `step` apart, all multiples of it, inside [lo, hi].
struct Ticks {
  std::vector<double> values;
  double step = 0;
};

/// The smallest step of 1, 2 or 5 times a power of ten that puts at most `max_count` ticks in
/// [lo, hi]. `integer_step` keeps the step at 1 or more (for training steps and epochs). Empty if
/// the range is empty or not finite.
Ticks nice_ticks(double lo, double hi, int max_count, bool integer_step = false);

/// One short label per tick, alike across the axis and precise enough to tell neighbours apart:
/// fixed point from 0.001 to 9999 ("0.5", "250"), k/M/G/T from 10^4 ("25k", "1.5M"), and
/// scientific beyond ("1e-4", "2.5e15"). Negative values take a typographic minus sign (U+2212).
std::vector<std::string> tick_labels(const Ticks& ticks);

}  // namespace gankit::report
