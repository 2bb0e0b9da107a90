#include "gankit/nn/diff_augment.h"

#include "gankit/error.h"
#include "gankit/parallel/global_draw.h"

namespace gankit::nn {

namespace {

namespace F = torch::nn::functional;

// The authors' magnitudes: shifts up to 1/8 of the size, a cutout square of half the size.
constexpr double kTranslationRatio = 0.125;
constexpr double kCutoutRatio = 0.5;

/// int(size * ratio + 0.5), as DiffAugment_pytorch rounds.
int64_t scaled(int64_t size, double ratio) {
  return static_cast<int64_t>(static_cast<double>(size) * ratio + 0.5);
}

/// One uniform [0,1) number per image: [N,1,1,1].
torch::Tensor per_image_uniform(const torch::Tensor& x) {
  return parallel::draw_rows(x.size(0), [&](int64_t rows) {
    return torch::rand({rows, 1, 1, 1}, torch::TensorOptions().dtype(x.dtype()).device(x.device()));
  });
}

torch::TensorOptions index_options(const torch::Tensor& x) {
  return torch::TensorOptions().dtype(torch::kLong).device(x.device());
}

// Each draw order below follows the reference, so one seed gives the same augmentation.

torch::Tensor rand_brightness(const torch::Tensor& x) { return x + (per_image_uniform(x) - 0.5); }

torch::Tensor rand_saturation(const torch::Tensor& x) {
  const auto mean = x.mean({1}, /*keepdim=*/true);  // [N,1,H,W]
  return (x - mean) * (per_image_uniform(x) * 2) + mean;
}

torch::Tensor rand_contrast(const torch::Tensor& x) {
  const auto mean = x.mean({1, 2, 3}, /*keepdim=*/true);  // [N,1,1,1]
  return (x - mean) * (per_image_uniform(x) + 0.5) + mean;
}

/// Shifts each image by whole pixels, filling with zeros: out[i,j] = x[i+dx, j+dy].
torch::Tensor rand_translation(const torch::Tensor& x) {
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  const int64_t shift_h = scaled(h, kTranslationRatio), shift_w = scaled(w, kTranslationRatio);
  const auto options = index_options(x);
  const auto dx = parallel::draw_rows(n, [&](int64_t rows) { return torch::randint(-shift_h, shift_h + 1, {rows, 1, 1}, options); });
  const auto dy = parallel::draw_rows(n, [&](int64_t rows) { return torch::randint(-shift_w, shift_w + 1, {rows, 1, 1}, options); });
  // Indices into the image padded by one zero pixel; clamping past the edge lands on the padding.
  const auto batch = torch::arange(n, options).view({n, 1, 1});                            // [N,1,1]
  const auto rows = (torch::arange(h, options).view({1, h, 1}) + dx + 1).clamp(0, h + 1);  // [N,H,1]
  const auto cols = (torch::arange(w, options).view({1, 1, w}) + dy + 1).clamp(0, w + 1);  // [N,1,W]
  const auto padded = F::pad(x, F::PadFuncOptions({1, 1, 1, 1}));                          // [N,C,H+2,W+2]
  // Gathering is differentiable: dropped pixels get zero gradient.
  return padded.permute({0, 2, 3, 1}).index({batch, rows, cols}).permute({0, 3, 1, 2});  // [N,C,H,W]
}

/// Zeroes a (h/2 x w/2) rectangle per image, centred anywhere in the image, clipped at the borders.
torch::Tensor rand_cutout(const torch::Tensor& x) {
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  const int64_t size_h = scaled(h, kCutoutRatio), size_w = scaled(w, kCutoutRatio);
  const auto options = index_options(x);
  const auto offset_h =
      parallel::draw_rows(n, [&](int64_t rows) { return torch::randint(0, h + (1 - size_h % 2), {rows, 1, 1}, options); });
  const auto offset_w =
      parallel::draw_rows(n, [&](int64_t rows) { return torch::randint(0, w + (1 - size_w % 2), {rows, 1, 1}, options); });
  const auto batch = torch::arange(n, options).view({n, 1, 1});
  const auto rows =
      (torch::arange(size_h, options).view({1, size_h, 1}) + offset_h - size_h / 2).clamp(0, h - 1);
  const auto cols =
      (torch::arange(size_w, options).view({1, 1, size_w}) + offset_w - size_w / 2).clamp(0, w - 1);
  auto mask = torch::ones({n, h, w}, torch::TensorOptions().dtype(x.dtype()).device(x.device()));
  mask.index_put_({batch, rows, cols}, 0);
  return x * mask.unsqueeze(1);  // [N,C,H,W]
}

}  // namespace

DiffAugmentPolicy DiffAugmentPolicy::parse(const std::string& text) {
  DiffAugmentPolicy policy;
  if (text.empty()) return policy;
  for (size_t start = 0;;) {
    const size_t end = text.find(',', start);
    const std::string word = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (word == "color") {
      policy.color = true;
    } else if (word == "translation") {
      policy.translation = true;
    } else if (word == "cutout") {
      policy.cutout = true;
    } else {
      fail("unknown DiffAugment policy '{}' in '{}' (valid: color, translation, cutout, comma-separated)",
           word, text);
    }
    if (end == std::string::npos) return policy;
    start = end + 1;
  }
}

torch::Tensor diff_augment(const torch::Tensor& images, const DiffAugmentPolicy& policy) {
  TORCH_CHECK(images.dim() == 4, "diff_augment: expected images [N,C,H,W], got ", images.sizes());
  if (!policy.any()) return images;
  auto x = images;
  if (policy.color) x = rand_contrast(rand_saturation(rand_brightness(x)));
  if (policy.translation) x = rand_translation(x);
  if (policy.cutout) x = rand_cutout(x);
  return x.contiguous();
}

}  // namespace gankit::nn
