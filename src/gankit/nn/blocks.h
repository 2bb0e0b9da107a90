// Small building blocks shared by the convolutional models.
#pragma once
#include <torch/torch.h>

namespace gankit::nn {

// Blocks are appended to a Sequential (LibTorch cannot nest a Sequential in a Sequential).

/// Upsampling block: ConvTranspose2d(k4, s2, p1, no bias) -> BatchNorm2d -> ReLU.
/// [N,in,H,W] -> [N,out,2H,2W]
void append_up_block(torch::nn::Sequential& sequence, int64_t in, int64_t out);

/// Downsampling block: Conv2d(k4, s2, p1, no bias) -> [BatchNorm2d] -> LeakyReLU(0.2).
/// [N,in,H,W] -> [N,out,H/2,W/2]
void append_down_block(torch::nn::Sequential& sequence, int64_t in, int64_t out, bool batch_norm);

/// True when n is a power of two.
inline bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

}  // namespace gankit::nn
