#include "gankit/data/masks.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/image.h"

namespace gankit::data {

namespace {

constexpr double kPi = 3.14159265358979323846;

/// Uniform numbers from a torch generator, fetched 64 at a time: one tensor op per 64 draws
/// instead of one per scalar, and the sequence still depends only on the generator's state.
class Draws {
 public:
  explicit Draws(torch::Generator& generator) : generator_(generator) {}

  /// U[0,1).
  double uniform() {
    if (next_ == buffer_.size()) refill();
    return buffer_[next_++];
  }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// An integer in [low, high], both included.
  int64_t integer(int64_t low, int64_t high) {
    const auto offset = static_cast<int64_t>(uniform() * static_cast<double>(high - low + 1));
    return low + std::min(offset, high - low);
  }
  /// N(mean, stddev) by Box-Muller (1 - u keeps the logarithm finite).
  double normal(double mean, double stddev) {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return mean + stddev * radius * std::cos(2.0 * kPi * uniform());
  }

 private:
  void refill() {
    const auto block = torch::rand({64}, generator_, torch::kDouble);
    buffer_.assign(block.data_ptr<double>(), block.data_ptr<double>() + block.numel());
    next_ = 0;
  }

  torch::Generator& generator_;
  std::vector<double> buffer_;
  size_t next_ = 0;
};

/// Sets to 1 the pixels of a size x size mask whose centre lies within `radius` of the segment
/// (x0,y0)-(x1,y1): a brush line with round caps, so consecutive segments get round joints.
void draw_segment(float* mask, int64_t size, double x0, double y0, double x1, double y1, double radius) {
  const auto clamp_index = [size](double v) {
    return static_cast<int64_t>(std::clamp(v, 0.0, static_cast<double>(size - 1)));
  };
  const int64_t left = clamp_index(std::floor(std::min(x0, x1) - radius));
  const int64_t right = clamp_index(std::ceil(std::max(x0, x1) + radius));
  const int64_t top = clamp_index(std::floor(std::min(y0, y1) - radius));
  const int64_t bottom = clamp_index(std::ceil(std::max(y0, y1) + radius));
  const double dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
  for (int64_t y = top; y <= bottom; ++y) {
    for (int64_t x = left; x <= right; ++x) {
      // Closest point of the segment to the pixel centre.
      const double t = length2 > 0 ? std::clamp(((x - x0) * dx + (y - y0) * dy) / length2, 0.0, 1.0) : 0.0;
      const double ex = x0 + t * dx - x, ey = y0 + t * dy - y;
      if (ex * ex + ey * ey <= radius * radius) mask[y * size + x] = 1.0f;
    }
  }
}

void draw_center(float* mask, int64_t size) {
  const int64_t side = size / 2, start = (size - side) / 2;
  for (int64_t y = start; y < start + side; ++y) std::fill_n(mask + y * size + start, side, 1.0f);
}

void draw_rectangles(float* mask, int64_t size, Draws& draws) {
  const int64_t shortest = std::max<int64_t>(1, size / 8);
  const int64_t longest = std::max(shortest, size / 2);
  const int64_t count = draws.integer(1, 3);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t height = draws.integer(shortest, longest), width = draws.integer(shortest, longest);
    const int64_t top = draws.integer(0, size - height), left = draws.integer(0, size - width);
    for (int64_t y = top; y < top + height; ++y) std::fill_n(mask + y * size + left, width, 1.0f);
  }
}

// DeepFill v2's brush strokes; the constants are theirs (for 256x256), see masks.h.
void draw_free_form(float* mask, int64_t size, Draws& draws) {
  const double scale = static_cast<double>(size) / 256.0;
  const double mean_angle = 2 * kPi / 5, angle_range = 2 * kPi / 15;
  const double average_radius = std::sqrt(2.0) * static_cast<double>(size) / 8;
  const double last = static_cast<double>(size - 1);
  const int64_t strokes = draws.integer(1, 3);
  for (int64_t s = 0; s < strokes; ++s) {
    const int64_t vertices = draws.integer(4, 11);
    const double angle_min = mean_angle - draws.uniform(0, angle_range);
    const double angle_max = mean_angle + draws.uniform(0, angle_range);
    std::vector<double> angles(vertices);
    for (int64_t i = 0; i < vertices; ++i) {
      const double angle = draws.uniform(angle_min, angle_max);
      angles[i] = i % 2 == 0 ? 2 * kPi - angle : angle;
    }
    std::vector<double> xs{static_cast<double>(draws.integer(0, size - 1))};
    std::vector<double> ys{static_cast<double>(draws.integer(0, size - 1))};
    for (int64_t i = 0; i < vertices; ++i) {
      const double r = std::clamp(draws.normal(average_radius, average_radius / 2), 0.0, 2 * average_radius);
      // Integer vertices, as the original's int() before drawing.
      xs.push_back(std::trunc(std::clamp(xs.back() + r * std::cos(angles[i]), 0.0, last)));
      ys.push_back(std::trunc(std::clamp(ys.back() + r * std::sin(angles[i]), 0.0, last)));
    }
    const double width = std::max(1.0, std::trunc(draws.uniform(12, 40) * scale));
    for (int64_t i = 0; i < vertices; ++i) {
      draw_segment(mask, size, xs[i], ys[i], xs[i + 1], ys[i + 1], width / 2);
    }
  }
  // The zig-zags drift rightwards (angles around 72 and 288 degrees); the original's flips mean
  // to undo that but discard their result. Here they happen.
  const bool flip_x = draws.uniform() < 0.5, flip_y = draws.uniform() < 0.5;
  auto view = torch::from_blob(mask, {size, size}, torch::kFloat32);
  if (flip_x) view.copy_(view.flip({1}));
  if (flip_y) view.copy_(view.flip({0}));
}

}  // namespace

const EnumTable<MaskKind>& mask_kinds() {
  static const EnumTable<MaskKind> table{
      {MaskKind::Center, "center", "a square of half the side"},
      {MaskKind::Rectangles, "rectangles", "1-3 random rectangles"},
      {MaskKind::FreeForm, "free-form", "DeepFill v2 brush strokes"},
      {MaskKind::Mixed, "mixed", "one of the three per image"},
  };
  return table;
}

MaskKind parse_mask_kind(const std::string& name) { return mask_kinds().parse(name, "mask kind"); }

const char* mask_kind_name(MaskKind kind) { return mask_kinds().name(kind); }

torch::Tensor make_masks(MaskKind kind, int64_t n, int64_t size, torch::Generator& generator) {
  TORCH_CHECK(n >= 0 && size >= 2, "make_masks: need n >= 0 and size >= 2, got ", n, " and ", size);
  if (kind == MaskKind::Mixed) {
    const auto which = torch::randint(3, {n, 1, 1, 1}, generator, torch::kLong);
    const auto center = make_masks(MaskKind::Center, n, size, generator);
    const auto rectangles = make_masks(MaskKind::Rectangles, n, size, generator);
    const auto strokes = make_masks(MaskKind::FreeForm, n, size, generator);
    return torch::where(which == 0, center, torch::where(which == 1, rectangles, strokes));
  }
  auto masks = torch::zeros({n, 1, size, size}, torch::kFloat32);  // [N,1,S,S]
  Draws draws(generator);
  const int64_t pixels = size * size;
  for (int64_t i = 0; i < n; ++i) {
    float* mask = masks.data_ptr<float>() + i * pixels;
    switch (kind) {
      case MaskKind::Center:
        draw_center(mask, size);
        break;
      case MaskKind::Rectangles:
        draw_rectangles(mask, size, draws);  // each side <= size/2, so never all hole
        break;
      case MaskKind::FreeForm:
        // An all-hole mask leaves nothing to condition on: draw again (vanishingly rare at 64).
        do {
          std::fill_n(mask, pixels, 0.0f);
          draw_free_form(mask, size, draws);
        } while (std::all_of(mask, mask + pixels, [](float v) { return v > 0; }));
        break;
      case MaskKind::Mixed:
        break;  // drawn above
    }
  }
  return masks;
}

torch::Tensor read_mask(const std::filesystem::path& path, int64_t height, int64_t width) {
  torch::Tensor image;
  try {
    image = io::read_image(path);  // uint8 [C,H,W]
  } catch (const Error& error) {
    fail("mask {}", error.what());
  }
  if (image.size(1) != height || image.size(2) != width) {
    fail("mask {} is {}x{}, the image is {}x{}", path.string(), image.size(2), image.size(1), width, height);
  }
  const auto gray = convert_channels(image, 1);                       // [1,H,W] uint8
  return (gray > 127).to(torch::kFloat32).unsqueeze(0).contiguous();  // [1,1,H,W]
}

}  // namespace gankit::data
