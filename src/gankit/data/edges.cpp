#include "gankit/data/edges.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gankit/data/transforms.h"

namespace gankit::data {

namespace {

namespace F = torch::nn::functional;

// uint8 [N,C,H,W] -> float [N,1,H,W] in 0..255, unrounded so the gradients see exact values.
torch::Tensor luminance(const torch::Tensor& images) {
  auto x = images.to(torch::kFloat32);
  if (x.size(1) == 1) return x;
  return (x.select(1, 0) * 0.299 + x.select(1, 1) * 0.587 + x.select(1, 2) * 0.114).unsqueeze(1);
}

torch::Tensor replicate_pad(const torch::Tensor& x, int64_t pad) {
  return F::pad(x, F::PadFuncOptions({pad, pad, pad, pad}).mode(torch::kReplicate));
}

// [N,1,H,W] -> [N,1,H,W]: separable Gaussian, radius 3 sigma, edges replicated.
torch::Tensor gaussian_blur(const torch::Tensor& x, double sigma) {
  if (sigma <= 0) return x;
  const auto radius = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(3 * sigma)));
  auto t = torch::arange(-radius, radius + 1, torch::kFloat32);
  auto kernel = torch::exp(-t * t / (2 * sigma * sigma));
  kernel /= kernel.sum();
  auto rows = torch::conv2d(replicate_pad(x, radius), kernel.view({1, 1, 1, -1}));  // [N,1,H+2r,W]
  return torch::conv2d(rows, kernel.view({1, 1, -1, 1}));                           // [N,1,H,W]
}

// Keeps pixels of `weak` (uint8 [N,H,W], contiguous) 8-connected to one of `strong`: a flood
// fill, linear in the pixels, where repeated dilation would need one pass per pixel of a chain.
torch::Tensor hysteresis(const torch::Tensor& strong, const torch::Tensor& weak) {
  const int64_t count = weak.size(0), height = weak.size(1), width = weak.size(2);
  auto out = torch::zeros_like(weak);
  const uint8_t* strong_px = strong.data_ptr<uint8_t>();
  const uint8_t* weak_px = weak.data_ptr<uint8_t>();
  uint8_t* out_px = out.data_ptr<uint8_t>();
  std::vector<int64_t> stack;
  for (int64_t n = 0; n < count; ++n) {
    const int64_t base = n * height * width;
    for (int64_t i = 0; i < height * width; ++i) {
      if (strong_px[base + i] == 0 || out_px[base + i] != 0) continue;
      out_px[base + i] = 1;
      stack.push_back(i);
      while (!stack.empty()) {
        const int64_t at = stack.back();
        stack.pop_back();
        const int64_t y = at / width, x = at % width;
        for (int64_t ny = std::max<int64_t>(0, y - 1); ny <= std::min(height - 1, y + 1); ++ny) {
          for (int64_t nx = std::max<int64_t>(0, x - 1); nx <= std::min(width - 1, x + 1); ++nx) {
            const int64_t j = ny * width + nx;
            if (weak_px[base + j] != 0 && out_px[base + j] == 0) {
              out_px[base + j] = 1;
              stack.push_back(j);
            }
          }
        }
      }
    }
  }
  return out;  // [N,H,W] uint8 0/1
}

}  // namespace

torch::Tensor canny_edges(const torch::Tensor& images, const EdgeOptions& options) {
  TORCH_CHECK(images.dim() >= 3 && images.scalar_type() == torch::kUInt8,
              "canny_edges expects uint8 [..,C,H,W], got ", images.sizes(), " ", images.scalar_type());
  const int64_t channels = images.size(-3), height = images.size(-2), width = images.size(-1);
  auto batch = images.reshape({-1, channels, height, width});    // [N,C,H,W]
  auto smooth = gaussian_blur(luminance(batch), options.sigma);  // [N,1,H,W]

  auto sobel_x = torch::tensor({-1.f, 0.f, 1.f, -2.f, 0.f, 2.f, -1.f, 0.f, 1.f}).view({1, 1, 3, 3});
  auto padded = replicate_pad(smooth, 1);
  auto gx = torch::conv2d(padded, sobel_x);                  // [N,1,H,W], + where it brightens rightwards
  auto gy = torch::conv2d(padded, sobel_x.transpose(2, 3));  // [N,1,H,W], + where it brightens downwards
  // A sharp 0 -> 255 step gives 4 * 255: thresholds are fractions of that.
  auto magnitude = torch::sqrt(gx * gx + gy * gy) / (4 * 255.0);

  // Non-maximum suppression: a pixel stays if it beats both neighbours along its gradient,
  // direction rounded to 0, 45, 90 or 135 degrees. Strict on one side, so a two-pixel plateau
  // (a step between pixels) keeps exactly one.
  auto angle = torch::atan2(gy, gx) * (180.0 / M_PI);
  angle = torch::where(angle < 0, angle + 180.0, angle);             // [0, 180]
  auto around = F::pad(magnitude, F::PadFuncOptions({1, 1, 1, 1}));  // zeros outside the image
  auto at = [&](int64_t dy, int64_t dx) {  // magnitude of the neighbour (dy, dx): [N,1,H,W]
    return around.slice(2, 1 + dy, 1 + dy + height).slice(3, 1 + dx, 1 + dx + width);
  };
  auto across = (angle < 22.5) | (angle >= 157.5);   // gradient left-right
  auto falling = (angle >= 22.5) & (angle < 67.5);   // down-right
  auto upright = (angle >= 67.5) & (angle < 112.5);  // up-down
  auto ahead = torch::where(across, at(0, 1),
                            torch::where(falling, at(1, 1), torch::where(upright, at(1, 0), at(1, -1))));
  auto behind = torch::where(across, at(0, -1),
                             torch::where(falling, at(-1, -1), torch::where(upright, at(-1, 0), at(-1, 1))));
  auto peak = (magnitude > ahead) & (magnitude >= behind);

  auto strong = (peak & (magnitude >= options.high)).squeeze(1).to(torch::kUInt8).contiguous();  // [N,H,W]
  auto weak = (peak & (magnitude >= options.low)).squeeze(1).to(torch::kUInt8).contiguous();
  auto edges = hysteresis(strong, weak).to(torch::kBool);  // [N,H,W]

  std::vector<int64_t> shape(images.sizes().begin(), images.sizes().end() - 3);
  shape.push_back(height);
  shape.push_back(width);
  return edges.view(shape);  // [..,H,W]
}

torch::Tensor edge_images(const torch::Tensor& images, const EdgeOptions& options) {
  auto edges = canny_edges(images, options).unsqueeze(-3);  // [..,1,H,W]
  auto drawn = torch::where(edges, torch::zeros({}, torch::kUInt8), torch::full({}, 255, torch::kUInt8));
  return drawn.expand(images.sizes()).contiguous();  // [..,C,H,W]
}

torch::Tensor gray_images(const torch::Tensor& images) {
  return convert_channels(convert_channels(images, 1), images.size(-3)).contiguous();
}

}  // namespace gankit::data
