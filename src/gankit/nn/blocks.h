// Small building blocks shared by the convolutional models.
#pragma once
#include <torch/torch.h>

namespace gankit::nn {

/// How a conv block normalises: BatchNorm on activations and/or spectral norm on weights.
struct BlockOptions {
  /// BatchNorm2d after the convolution.
  TORCH_ARG(bool, batch_norm) = true;
  /// Spectral norm on the convolution's weight (SN-GAN, SAGAN).
  TORCH_ARG(bool, spectral_norm) = false;
};

/// Conv2d, spectrally normalised when `spectral_norm` is set (then an SNConv2d).
torch::nn::AnyModule conv2d(const torch::nn::Conv2dOptions& options, bool spectral_norm);
/// ConvTranspose2d, spectrally normalised when `spectral_norm` is set.
torch::nn::AnyModule conv_transpose2d(const torch::nn::ConvTranspose2dOptions& options, bool spectral_norm);

// Blocks are appended to a Sequential (LibTorch cannot nest a Sequential in a Sequential).

/// Upsampling block: ConvTranspose2d(k4, s2, p1, no bias) -> [BatchNorm2d] -> ReLU.
/// [N,in,H,W] -> [N,out,2H,2W]
void append_up_block(torch::nn::Sequential& sequence, int64_t in, int64_t out, const BlockOptions& options = {});

/// Downsampling block: Conv2d(k4, s2, p1, no bias) -> [BatchNorm2d] -> LeakyReLU(0.2).
/// [N,in,H,W] -> [N,out,H/2,W/2]
void append_down_block(torch::nn::Sequential& sequence, int64_t in, int64_t out, const BlockOptions& options);

/// True when n is a power of two.
inline bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

}  // namespace gankit::nn
