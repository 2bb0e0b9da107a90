// Self-attention block of SAGAN (Zhang et al. 2019): 1x1 convolutions f (query) and g (key) to
// C/8 channels and h (value) to C channels; attention over all H*W positions; output
// γ·attention + x with a learned γ that starts at 0, so the block begins as the identity.
#pragma once
#include <torch/torch.h>

namespace gankit::nn {

struct SelfAttentionOptions {
  explicit SelfAttentionOptions(int64_t channels) : channels_(channels) {}
  /// Input and output channels C.
  TORCH_ARG(int64_t, channels);
  /// Query/key channels are C / reduction (at least 1).
  TORCH_ARG(int64_t, reduction) = 8;
  /// Spectral norm on f, g and h (SAGAN uses it in G and D).
  TORCH_ARG(bool, spectral_norm) = true;
};

class SelfAttentionImpl : public torch::nn::Cloneable<SelfAttentionImpl> {
 public:
  explicit SelfAttentionImpl(SelfAttentionOptions options);
  void reset() override;

  /// [N,C,H,W] -> [N,C,H,W]
  torch::Tensor forward(const torch::Tensor& x);

  SelfAttentionOptions options;
  /// f, g, h: 1x1 convs with bias (Conv2d or SNConv2d, chosen by options.spectral_norm).
  torch::nn::AnyModule query, key, value;
  torch::Tensor gamma;  ///< scalar parameter, initialised to 0
};
TORCH_MODULE(SelfAttention);

}  // namespace gankit::nn
