// Transposed convolutions that are fast on small inputs. LibTorch's CPU ConvTranspose2d (1.13:
// slow_conv_transpose2d; there is no oneDNN deconvolution) runs one thin GEMM per image, which is
// slow when the input is a few pixels: DCGAN's first layers (1x1 -> 4x4, 4x4 -> 8x8) spent 70 ms
// of a 285 ms step there at batch 64. As one GEMM over the whole batch followed by col2im (fold)
// they take a third of that; for inputs of 8x8 and more, the per-image path is faster and stays.
#pragma once
#include <torch/torch.h>

namespace gankit::nn {

/// Inputs of at most this many pixels (H*W) take the batched GEMM.
constexpr int64_t kBatchedTransposedConvMaxPixels = 16;

/// What `layer` computes for `input`, through the batched GEMM when the input is small and the
/// layer plain (groups 1, dilation 1, no output padding), else through the layer's own forward.
torch::Tensor conv_transpose2d_forward(torch::nn::ConvTranspose2dImpl& layer, const torch::Tensor& input);

/// ConvTranspose2d with the same parameters, options and checkpoint keys, whose forward is
/// conv_transpose2d_forward.
class BatchedConvTranspose2dImpl : public torch::nn::ConvTranspose2dImpl {
 public:
  using torch::nn::ConvTranspose2dImpl::ConvTranspose2dImpl;
  torch::Tensor forward(const torch::Tensor& input) { return conv_transpose2d_forward(*this, input); }
};
TORCH_MODULE(BatchedConvTranspose2d);

}  // namespace gankit::nn
