#include "gankit/io/grid.h"

namespace gankit::io {

torch::Tensor make_grid(const torch::Tensor& images, int64_t columns, int64_t padding, uint8_t pad_value) {
  TORCH_CHECK(images.dim() == 4 && images.scalar_type() == torch::kUInt8,
              "make_grid expects uint8 [N,C,H,W], got ", images.sizes());
  TORCH_CHECK(columns >= 1 && padding >= 0, "make_grid: columns >= 1 and padding >= 0");
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const int64_t rows = (n + columns - 1) / columns;
  auto grid = torch::full({c, rows * (h + padding) + padding, columns * (w + padding) + padding},
                          pad_value, images.options());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = (i / columns) * (h + padding) + padding;
    const int64_t left = (i % columns) * (w + padding) + padding;
    grid.narrow(1, top, h).narrow(2, left, w).copy_(images[i]);
  }
  return grid;
}

}  // namespace gankit::io
