#include "gankit/nn/self_attention.h"

#include <algorithm>

#include "gankit/nn/spectral_norm.h"

namespace gankit::nn {

namespace {

/// A 1x1 convolution with bias, spectrally normalised or plain.
torch::nn::AnyModule pointwise_conv(int64_t in, int64_t out, bool spectral_norm) {
  const auto options = torch::nn::Conv2dOptions(in, out, 1).bias(true);
  return spectral_norm ? torch::nn::AnyModule(SNConv2d(options))
                       : torch::nn::AnyModule(torch::nn::Conv2d(options));
}

}  // namespace

SelfAttentionImpl::SelfAttentionImpl(SelfAttentionOptions options) : options(options) {
  TORCH_CHECK(options.channels() > 0, "self-attention: channels must be positive");
  TORCH_CHECK(options.reduction() > 0, "self-attention: reduction must be positive");
  reset();
}

void SelfAttentionImpl::reset() {
  const int64_t channels = options.channels();
  const int64_t reduced = std::max<int64_t>(channels / options.reduction(), 1);
  // New modules every time: clone() copies the AnyModule handles, then calls reset().
  query = pointwise_conv(channels, reduced, options.spectral_norm());
  key = pointwise_conv(channels, reduced, options.spectral_norm());
  value = pointwise_conv(channels, channels, options.spectral_norm());
  register_module("query", query.ptr());
  register_module("key", key.ptr());
  register_module("value", value.ptr());
  gamma = register_parameter("gamma", torch::zeros({1}));  // [1], as SAGAN's nn.Parameter(torch.zeros(1))
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options.channels(), "self-attention: expected [N,",
              options.channels(), ",H,W], got ", x.sizes());
  const int64_t n = x.size(0), c = x.size(1), positions = x.size(2) * x.size(3);
  const auto q = query.forward(x).reshape({n, -1, positions}).permute({0, 2, 1});   // [N,HW,C/8]
  const auto k = key.forward(x).reshape({n, -1, positions});                       // [N,C/8,HW]
  // Softmax in float32 whatever bmm ran in (bf16 under autocast): its exponentials need the range.
  const auto attention = torch::softmax(torch::bmm(q, k), -1, torch::kFloat);  // [N,HW,HW], rows sum to 1
  const auto v = value.forward(x).reshape({n, c, positions});                      // [N,C,HW]
  const auto out = torch::bmm(v, attention.permute({0, 2, 1})).view(x.sizes());  // [N,C,H,W]
  return gamma * out + x;
}

}  // namespace gankit::nn
