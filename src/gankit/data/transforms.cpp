#include "gankit/data/transforms.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <vector>

#include "gankit/error.h"

namespace gankit::data {

namespace {

// Same rounding as torchvision's CenterCrop (Python's round: half to even).
torch::Tensor center_crop(const torch::Tensor& images, int64_t size) {
  const int64_t height = images.size(-2), width = images.size(-1);
  const auto top = static_cast<int64_t>(std::nearbyint((height - size) / 2.0));
  const auto left = static_cast<int64_t>(std::nearbyint((width - size) / 2.0));
  return images.slice(-2, top, top + size).slice(-1, left, left + size);
}

}  // namespace

const EnumTable<Fit>& fits() {
  static const EnumTable<Fit> table{
      {Fit::resize, "resize", "shorter side to the size, then centre crop"},
      {Fit::pad, "pad", "zero-pad, centred"},
      {Fit::center_crop, "center-crop", "centre crop"},
      {Fit::none, "none", "already the size"},
  };
  return table;
}

Fit parse_fit(const std::string& text) { return fits().parse_setting(text, "data.fit"); }

const char* fit_name(Fit fit) { return fits().name(fit); }

torch::Tensor resize(const torch::Tensor& images, int64_t height, int64_t width) {
  TORCH_CHECK(images.dim() == 3 || images.dim() == 4, "resize expects [C,H,W] or [N,C,H,W]");
  if (images.size(-2) == height && images.size(-1) == width) return images;
  const bool single = images.dim() == 3;
  auto batch = (single ? images.unsqueeze(0) : images).to(torch::kFloat32);  // [N,C,H,W] float
  // Without antialiasing a shrink samples only 2x2 pixels per output and aliases badly.
  const bool shrinking = height < images.size(-2) || width < images.size(-1);
  namespace F = torch::nn::functional;
  auto out = F::interpolate(batch, F::InterpolateFuncOptions()
                                       .size(std::vector<int64_t>{height, width})
                                       .mode(torch::kBilinear)
                                       .align_corners(false)
                                       .antialias(shrinking));
  out = out.round_().clamp_(0, 255).to(torch::kUInt8);  // [N,C,height,width] uint8
  return single ? out.squeeze(0) : out;
}

torch::Tensor fit_to_size(const torch::Tensor& images, int64_t size, Fit fit,
                          const std::string& name) {
  if (size <= 0) return images;
  const int64_t height = images.size(-2), width = images.size(-1);
  if (height == size && width == size) return images;
  if (height <= 0 || width <= 0) fail("{}: image is {}x{}: holds no pixels", name, width, height);
  switch (fit) {
    case Fit::none:
      fail(
          "{}: image is {}x{}, expected {}x{} (data.image_size); set data.fit to resize, pad or "
          "center-crop",
          name, width, height, size, size);
    case Fit::resize: {
      // Shorter side to `size`, the longer one scaled alike (truncated, as torchvision does).
      const bool tall = height > width;
      const int64_t short_side = tall ? width : height, long_side = tall ? height : width;
      const int64_t scaled = size * long_side / short_side;
      auto resized = tall ? resize(images, scaled, size) : resize(images, size, scaled);
      return center_crop(resized, size).contiguous();
    }
    case Fit::pad: {
      if (height > size || width > size) {
        fail("{}: image is {}x{}, larger than data.image_size {} (data.fit = pad)", name, width,
             height, size);
      }
      const int64_t left = (size - width) / 2, top = (size - height) / 2;
      return torch::constant_pad_nd(images, {left, size - width - left, top, size - height - top},
                                    0);
    }
    case Fit::center_crop:
      if (height < size || width < size) {
        fail("{}: image is {}x{}, smaller than data.image_size {} (data.fit = center-crop)", name,
             width, height, size);
      }
      return center_crop(images, size).contiguous();
  }
  return images;
}

torch::Tensor convert_channels(const torch::Tensor& images, int64_t channels) {
  const int64_t have = images.size(-3);
  if (channels == 0 || channels == have) return images;
  if (have == 1 && channels == 3) {
    std::vector<int64_t> repeats(images.dim(), 1);
    repeats[images.dim() - 3] = 3;
    return images.repeat(repeats);
  }
  if (have == 3 && channels == 1) {
    auto rgb = images.to(torch::kFloat32);
    auto luma = rgb.select(-3, 0) * 0.299 + rgb.select(-3, 1) * 0.587 + rgb.select(-3, 2) * 0.114;
    return luma.round_().clamp_(0, 255).to(torch::kUInt8).unsqueeze(-3);
  }
  fail("cannot convert {}-channel images to {} channels (data.channels must be 0, 1 or 3)", have,
       channels);
}

torch::Generator make_generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor random_crop(const torch::Tensor& images, int64_t size, torch::Generator& generator, int64_t first_row,
                          int64_t batch_rows) {
  const int64_t count = images.size(0), height = images.size(2), width = images.size(3);
  TORCH_CHECK(height >= size && width >= size, "random_crop: images smaller than the crop");
  const int64_t drawn = std::max(batch_rows, count);
  auto tops = torch::randint(0, height - size + 1, {drawn}, generator, torch::kLong).narrow(0, first_row, count);
  auto lefts = torch::randint(0, width - size + 1, {drawn}, generator, torch::kLong).narrow(0, first_row, count);
  auto top = tops.accessor<int64_t, 1>(), left = lefts.accessor<int64_t, 1>();
  std::vector<torch::Tensor> crops;
  crops.reserve(count);
  for (int64_t i = 0; i < count; ++i) {
    crops.push_back(images[i].slice(1, top[i], top[i] + size).slice(2, left[i], left[i] + size));
  }
  return torch::stack(crops);  // [N,C,size,size]
}

torch::Tensor random_hflip(const torch::Tensor& images, torch::Generator& generator, int64_t first_row,
                           int64_t batch_rows) {
  const int64_t count = images.size(0);
  auto flip = torch::rand({std::max(batch_rows, count)}, generator).narrow(0, first_row, count) < 0.5;  // [N] bool
  return torch::where(flip.view({-1, 1, 1, 1}), images.flip({3}), images);
}

torch::Tensor to_unit_range(const torch::Tensor& images) {
  return images.to(torch::kFloat32).div_(127.5).sub_(1.0);
}

torch::Tensor from_unit_range(const torch::Tensor& images) {
  auto scaled = torch::nan_to_num(images.to(torch::kFloat32), 0.0).clamp(-1.0, 1.0);
  return scaled.add_(1.0).mul_(127.5).round_().to(torch::kUInt8);
}

}  // namespace gankit::data
