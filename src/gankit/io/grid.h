// Image grids, as torchvision.utils.make_grid lays them out.
#pragma once
#include <torch/torch.h>

namespace gankit::io {

/// Tiles images uint8 [N,C,H,W] into one uint8 [C, rows*(H+p)+p, cols*(W+p)+p] image, `columns`
/// per row (rows = ceil(N / columns)), separated by `padding` pixels of `pad_value`.
torch::Tensor make_grid(const torch::Tensor& images, int64_t columns, int64_t padding = 2,
                        uint8_t pad_value = 0);

}  // namespace gankit::io
