#include "gankit/metrics/image_quality.h"

#include <cmath>
#include <vector>

#include "gankit/error.h"

namespace gankit::metrics {

namespace {

void check_pair(const torch::Tensor& a, const torch::Tensor& b, const char* what) {
  TORCH_CHECK(a.dim() == 4 && a.sizes() == b.sizes(), what,
              ": expects two [N,C,H,W] images of one shape, got ", a.sizes(), " and ", b.sizes());
}

void check_mask(const torch::Tensor& images, const torch::Tensor& mask, const char* what) {
  TORCH_CHECK(images.dim() == 4, what, ": expects [N,C,H,W] images, got ", images.sizes());
  TORCH_CHECK(mask.dim() == 4 && mask.size(0) == images.size(0) && mask.size(1) == 1 &&
                  mask.size(2) == images.size(2) && mask.size(3) == images.size(3),
              what, ": expects a [N,1,H,W] mask for ", images.sizes(), " images, got ", mask.sizes());
}

/// float64 [N,1,H,W], 1 on holes; fails naming the first image whose mask has no hole.
torch::Tensor holes_of(const torch::Tensor& mask, const char* what) {
  auto hole = (mask > 0.5).to(torch::kDouble);
  const auto counts = hole.flatten(1).sum(1);  // [N]
  if ((counts == 0).any().item<bool>()) {
    fail("{}: the mask of image {} has no hole pixels", what, (counts == 0).nonzero()[0].item<int64_t>());
  }
  return hole;
}

/// Per-image mean of `values` [N,C,H,W] over the hole pixels of `hole` [N,1,H,W], all channels.
torch::Tensor hole_mean(const torch::Tensor& values, const torch::Tensor& hole) {
  const auto count = hole.flatten(1).sum(1) * values.size(1);  // [N]
  return (values * hole).flatten(1).sum(1) / count;
}

/// scipy.ndimage's 1-D Gaussian as skimage uses it: radius int(3.5 * 1.5 + 0.5) = 5, 11 taps.
torch::Tensor gaussian_window() {
  const double sigma = 1.5;
  const int radius = static_cast<int>(3.5 * sigma + 0.5);
  auto x = torch::arange(-radius, radius + 1, torch::kDouble);
  auto weights = torch::exp(-0.5 * x * x / (sigma * sigma));
  return weights / weights.sum();
}

/// [n - taps + 1, n]: row i holds the window at columns i..i+taps-1, so a product with it is the
/// 'valid' correlation along that axis.
torch::Tensor band_matrix(const torch::Tensor& window, int64_t n) {
  const int64_t taps = window.numel();
  auto band = torch::zeros({n - taps + 1, n}, torch::kDouble);
  for (int64_t i = 0; i + taps <= n; ++i) band[i].slice(0, i, i + taps).copy_(window);
  return band;
}

/// The flat index of the nearest known pixel for each pixel of a [H,W] bool hole map (known
/// pixels map to themselves). Ties go to the first candidate in row-major order.
torch::Tensor nearest_known(const torch::Tensor& hole) {
  const int64_t height = hole.size(0), width = hole.size(1);
  auto source = torch::arange(height * width, torch::kLong);
  if (!hole.any().item<bool>()) return source;
  const auto known = hole.logical_not();
  // Only known pixels next to a hole can be nearest: for any other known pixel q, its 4-neighbour
  // one step towards the hole pixel is known too and strictly closer.
  auto near_hole = torch::zeros_like(hole);
  near_hole.slice(0, 1).logical_or_(hole.slice(0, 0, height - 1));
  near_hole.slice(0, 0, height - 1).logical_or_(hole.slice(0, 1));
  near_hole.slice(1, 1).logical_or_(hole.slice(1, 0, width - 1));
  near_hole.slice(1, 0, width - 1).logical_or_(hole.slice(1, 1));
  const auto candidates = (known & near_hole).flatten().nonzero().squeeze(1);  // row-major order
  const auto holes = hole.flatten().nonzero().squeeze(1);
  // Integer squared distances: exact, so equal distances tie exactly and argmin takes the first.
  const auto candidate_rows = candidates.div(width, "floor").to(torch::kInt32).unsqueeze(0);
  const auto candidate_cols = candidates.remainder(width).to(torch::kInt32).unsqueeze(0);
  // Chunks bound the [holes, candidates] distance matrix to ~16 MB on large images.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / candidates.numel());
  for (int64_t start = 0; start < holes.numel(); start += chunk) {
    const auto part = holes.slice(0, start, start + chunk);
    const auto rows = part.div(width, "floor").to(torch::kInt32).unsqueeze(1);
    const auto cols = part.remainder(width).to(torch::kInt32).unsqueeze(1);
    const auto distance = (rows - candidate_rows).square() + (cols - candidate_cols).square();
    source.index_put_({part}, candidates.index_select(0, distance.argmin(1)));
  }
  return source;
}

}  // namespace

torch::Tensor psnr_per_image(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask) {
  check_pair(a, b, "psnr");
  const auto squared = (a.to(torch::kDouble) - b.to(torch::kDouble)).square();  // [N,C,H,W]
  torch::Tensor mse;                                                            // [N]
  if (mask.defined()) {
    check_mask(a, mask, "psnr");
    mse = hole_mean(squared, holes_of(mask, "psnr"));
  } else {
    mse = squared.flatten(1).mean(1);
  }
  return (-10.0 * torch::log10(mse)).clamp_max(kMaxPsnr);  // MSE 0 gives +inf, capped
}

double psnr(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask) {
  return psnr_per_image(a, b, mask).mean().item<double>();
}

torch::Tensor ssim_per_image(const torch::Tensor& a, const torch::Tensor& b) {
  check_pair(a, b, "ssim");
  const int64_t n = a.size(0);
  const auto window = gaussian_window();
  const int64_t taps = window.numel();
  TORCH_CHECK(a.size(2) >= taps && a.size(3) >= taps, "ssim: images must be at least ", taps, "x", taps,
              ", got ", a.sizes());
  // Channels become separate images: [N*C,H,W].
  const auto x = a.to(torch::kDouble).flatten(0, 1);
  const auto y = b.to(torch::kDouble).flatten(0, 1);
  // Separable Gaussian without padding: only windows wholly inside the image, the region skimage
  // keeps after its crop. As two matrix products it runs ~6x faster than conv2d in float64.
  // [5*N*C,H,W] -> [5*N*C,H,W-10] -> [5*N*C,W-10,H-10] (transposed) -> [5*N*C,H-10,W-10]
  const auto stats = torch::matmul(torch::matmul(torch::cat({x, y, x * x, y * y, x * y}, 0),
                                                 band_matrix(window, a.size(3)).t())
                                       .transpose(1, 2),
                                   band_matrix(window, a.size(2)).t())
                         .transpose(1, 2);
  const auto parts = stats.chunk(5, 0);
  const auto &mu_x = parts[0], &mu_y = parts[1];
  // Population (co)variances, as Wang et al. and use_sample_covariance=False.
  const auto var_x = parts[2] - mu_x * mu_x;
  const auto var_y = parts[3] - mu_y * mu_y;
  const auto cov_xy = parts[4] - mu_x * mu_y;
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;  // (K1 L)^2, (K2 L)^2 with L = 1
  const auto map = ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2)) /
                   ((mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2));  // [N*C,h,w]
  // Every channel has as many pixels, so the mean over C*h*w is skimage's mean of channel means.
  return map.reshape({n, -1}).mean(1);
}

double ssim(const torch::Tensor& a, const torch::Tensor& b) {
  return ssim_per_image(a, b).mean().item<double>();
}

double masked_l1(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask) {
  check_pair(a, b, "masked_l1");
  check_mask(a, mask, "masked_l1");
  const auto error = (a.to(torch::kDouble) - b.to(torch::kDouble)).abs();
  return hole_mean(error, holes_of(mask, "masked_l1")).mean().item<double>();
}

torch::Tensor mean_fill(const torch::Tensor& images, const torch::Tensor& mask) {
  check_mask(images, mask, "mean_fill");
  const auto hole = mask > 0.5;  // [N,1,H,W] bool
  const auto known = hole.logical_not().to(torch::kDouble);
  const auto counts = known.sum({2, 3}, true);  // [N,1,1,1]
  if ((counts == 0).any().item<bool>()) {
    fail("mean_fill: the mask of image {} covers the whole image",
         (counts.flatten() == 0).nonzero()[0].item<int64_t>());
  }
  const auto means = (images.to(torch::kDouble) * known).sum({2, 3}, true) / counts;  // [N,C,1,1]
  return torch::where(hole, means.to(images.scalar_type()), images);  // known pixels untouched
}

torch::Tensor nearest_fill(const torch::Tensor& images, const torch::Tensor& mask) {
  check_mask(images, mask, "nearest_fill");
  const int64_t n = images.size(0), channels = images.size(1), height = images.size(2),
                width = images.size(3);
  const auto holes = (mask > 0.5).reshape({n, height, width});
  std::vector<torch::Tensor> sources;  // [H*W] long each
  torch::Tensor previous;
  for (int64_t i = 0; i < n; ++i) {
    const auto hole = holes[i];
    // Batches often share one mask (the centre square): reuse the previous image's map.
    if (!previous.defined() || !torch::equal(hole, previous)) {
      if (hole.all().item<bool>()) fail("nearest_fill: the mask of image {} covers the whole image", i);
      sources.push_back(nearest_known(hole));
      previous = hole;
    } else {
      sources.push_back(sources.back());
    }
  }
  if (n == 0) return images.clone();
  const auto index = torch::stack(sources).unsqueeze(1).expand({n, channels, height * width});
  return images.reshape({n, channels, height * width}).gather(2, index).view_as(images);
}

}  // namespace gankit::metrics
