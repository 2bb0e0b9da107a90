#include "gankit/data/digit_csv.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "gankit/data/data_options.h"
#include "gankit/error.h"

namespace gankit::data {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kSide = 28;
constexpr int64_t kPixels = kSide * kSide;
constexpr uintmax_t kMaxFileBytes = uintmax_t{4} << 30;  // MNIST's training CSV is 110 MB

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The comma-separated fields of one line (views into it).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t comma; (comma = line.find(',', start)) != std::string_view::npos; start = comma + 1) {
    fields.push_back(trim(line.substr(start, comma - start)));
  }
  fields.push_back(trim(line.substr(start)));
  return fields;
}

// A whole field as an integer in [0, max], or false.
bool parse_int(std::string_view field, int64_t max, int64_t& value) {
  const char* end = field.data() + field.size();
  const auto result = std::from_chars(field.data(), end, value);
  return result.ec == std::errc() && result.ptr == end && value >= 0 && value <= max;
}

}  // namespace

ImageSet read_digit_csv(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) fail("{}: no such file or not readable", path.string());
  std::error_code ec;
  if (fs::file_size(path, ec) > kMaxFileBytes) {
    fail("{}: {} bytes, more than the {} GiB a digit CSV may hold", path.string(), fs::file_size(path, ec),
         kMaxFileBytes >> 30);
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  bool labelled = false;
  int64_t columns = 0;  // expected per line, set by the header
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    const size_t newline = std::min(text.find('\n', start), text.size());
    const std::string_view line(text.data() + start, newline - start);
    start = newline + 1;
    ++line_number;
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line);
    int64_t first_value = 0;
    // A first line of numbers is data, not a header: its column count says whether it is labelled.
    const bool header = columns == 0 && !parse_int(fields.front(), 1 << 30, first_value);
    if (columns == 0) {
      labelled = header ? fields.front() == "label" : static_cast<int64_t>(fields.size()) == kPixels + 1;
      columns = kPixels + (labelled ? 1 : 0);
    }
    if (static_cast<int64_t>(fields.size()) != columns) {
      fail("{}:{}: expected {} columns, found {}", path.string(), line_number, columns,
           fields.size());
    }
    if (header) continue;
    size_t column = 0;
    int64_t value = 0;
    if (labelled) {
      if (!parse_int(fields[0], 1 << 30, value)) {
        fail("{}:{}: label '{}' is not a non-negative integer", path.string(), line_number,
             fields[0]);
      }
      if (value >= kMaxClasses) {
        fail("{}:{}: label {} is beyond the {} classes gankit supports (labels are 0..{})", path.string(),
             line_number, value, kMaxClasses, kMaxClasses - 1);
      }
      labels.push_back(value);
      column = 1;
    }
    for (; column < fields.size(); ++column) {
      if (!parse_int(fields[column], 255, value)) {
        fail("{}:{}: column {}: '{}' is not a pixel value (an integer 0..255)", path.string(),
             line_number, column + 1, fields[column]);
      }
      pixels.push_back(static_cast<uint8_t>(value));
    }
  }
  if (columns == 0) fail("{}: empty file (no images)", path.string());

  const auto count = static_cast<int64_t>(pixels.size()) / kPixels;
  if (count == 0) fail("{}: a header line but no images", path.string());
  ImageSet set;
  set.images = torch::empty({count, 1, kSide, kSide}, torch::kUInt8);  // [N,1,28,28]
  std::copy(pixels.begin(), pixels.end(), set.images.data_ptr<uint8_t>());
  if (labelled) {
    set.labels = torch::tensor(labels, torch::kLong);  // [N] int64
    set.num_classes = count == 0 ? 0 : set.labels.max().item<int64_t>() + 1;
  }
  return set;
}

}  // namespace gankit::data
