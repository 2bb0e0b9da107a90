// Bounds for numeric command-line options, with short messages: CLI11's own checks print the
// largest double in full (a 300-character line) and accept nan and inf.
#include <cmath>
#include <cstdlib>

#include "commands.h"
#include "fmt/format.h"

namespace gankit::cli {

CLI::Validator whole_number(int64_t min, int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long long value = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || end == text.c_str() || *end != '\0' || errno == ERANGE || value < min || value > max) {
          return fmt::format("'{}' must be a whole number from {} to {}", text.substr(0, 40), min, max);
        }
        return {};
      },
      fmt::format("INT in {}..{}", min, max));
}

CLI::Validator finite_number(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end == text.c_str() || *end != '\0' || !std::isfinite(value) || value < min ||
            value > max) {
          return fmt::format("'{}' must be a number from {} to {}", text.substr(0, 40), min, max);
        }
        return {};
      },
      fmt::format("NUMBER in [{}, {}]", min, max));
}

}  // namespace gankit::cli
