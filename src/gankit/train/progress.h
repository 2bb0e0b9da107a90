// Training progress for a person: a redrawn bar on a terminal, plain periodic lines otherwise
// (logs, CI, pipes).
#pragma once
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace gankit::train {

class ProgressReporter {
 public:
  using Scalars = std::vector<std::pair<std::string, double>>;

  ProgressReporter(std::ostream& out, bool interactive, int64_t first_step, int64_t total_steps);

  /// Every step: redraws the bar (at most ~5 times a second) on a terminal.
  void tick(int64_t step);
  /// Every logged step: new figures; a plain line when not on a terminal.
  void report(int64_t step, const Scalars& scalars, double images_per_s);
  /// Ends the bar's line and prints `message` on its own line.
  void message(const std::string& text);

 private:
  std::string status_line(int64_t step) const;
  void draw(int64_t step);

  std::ostream& out_;
  bool interactive_;
  int64_t first_step_;
  int64_t total_steps_;
  Scalars scalars_;
  double images_per_s_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool bar_open_ = false;
};

/// "1:02:03" or "4:05".
std::string format_duration(double seconds);

}  // namespace gankit::train
