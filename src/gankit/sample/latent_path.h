// Paths through latent space, for interpolation videos and grids.
#pragma once
#include <torch/torch.h>

namespace gankit::sample {

/// Points along paths from `from` to `to` ([P,Z] each): [P, steps, Z], the ends included.
/// Spherical (slerp) keeps the norm of Gaussian noise in the range G was trained on, where the
/// straight line's midpoint falls toward the origin (White, "Sampling Generative Networks", 2016);
/// rows whose ends are (anti)parallel fall back to the straight line.
torch::Tensor latent_path(const torch::Tensor& from, const torch::Tensor& to, int64_t steps, bool spherical);

}  // namespace gankit::sample
