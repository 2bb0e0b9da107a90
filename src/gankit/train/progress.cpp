#include "gankit/train/progress.h"

#include <fmt/format.h>

namespace gankit::train {

using Clock = std::chrono::steady_clock;

std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  const int64_t h = total / 3600, m = (total / 60) % 60, s = total % 60;
  return h > 0 ? fmt::format("{}:{:02}:{:02}", h, m, s) : fmt::format("{}:{:02}", m, s);
}

ProgressReporter::ProgressReporter(std::ostream& out, bool interactive, int64_t first_step,
                                   int64_t total_steps)
    : out_(out),
      interactive_(interactive),
      first_step_(first_step),
      total_steps_(total_steps),
      start_(Clock::now()),
      last_draw_(Clock::time_point{}) {}

std::string ProgressReporter::status_line(int64_t step) const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const int64_t done = step - first_step_;
  const double eta = done > 0 ? elapsed / done * (total_steps_ - step) : 0.0;
  std::string line = fmt::format("step {}/{}", step, total_steps_);
  for (const auto& [name, value] : scalars_) line += fmt::format("  {} {:.3f}", name, value);
  if (images_per_s_ > 0) line += fmt::format("  {:.0f} img/s", images_per_s_);
  line += fmt::format("  elapsed {}  eta {}", format_duration(elapsed), format_duration(eta));
  return line;
}

void ProgressReporter::draw(int64_t step) {
  constexpr int kWidth = 24;
  const double fraction = total_steps_ > 0 ? static_cast<double>(step) / total_steps_ : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar;
  for (int i = 0; i < kWidth; ++i) bar += i < filled ? "#" : "-";
  out_ << "\r\033[K[" << bar << "] " << fmt::format("{:3.0f}% ", fraction * 100) << status_line(step)
       << std::flush;
  bar_open_ = true;
  last_draw_ = Clock::now();
}

void ProgressReporter::tick(int64_t step) {
  if (interactive_ && (Clock::now() - last_draw_ > std::chrono::milliseconds(200) || step == total_steps_)) {
    draw(step);
  }
}

void ProgressReporter::report(int64_t step, const Scalars& scalars, double images_per_s) {
  scalars_ = scalars;
  images_per_s_ = images_per_s;
  if (interactive_) {
    draw(step);
  } else {
    out_ << status_line(step) << std::endl;
  }
}

void ProgressReporter::message(const std::string& text) {
  if (bar_open_) out_ << '\n';
  bar_open_ = false;
  out_ << text << std::endl;
}

}  // namespace gankit::train
