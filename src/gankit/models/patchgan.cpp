#include "gankit/models/patchgan.h"

#include <algorithm>

#include "gankit/nn/init.h"
#include "gankit/nn/sync_batch_norm.h"

namespace gankit::models {

namespace tnn = torch::nn;

namespace {

tnn::LeakyReLU leaky_relu() {
  return tnn::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2).inplace(true));
}

/// Side of the logit map for an input side `size` (k4, p1: stride 2 floors (s-2)/2+1, stride 1 takes
/// one off); 0 when some conv would get less than its kernel.
int64_t logit_size(int64_t size, int64_t n_layers) {
  for (int64_t i = 0; i < n_layers + 2; ++i) {
    if (size + 2 < 4) return 0;
    size = i < n_layers ? (size - 2) / 2 + 1 : size - 1;
  }
  return size;
}

tnn::Conv2dOptions conv4x4(int64_t in, int64_t out, int64_t stride, bool bias) {
  return tnn::Conv2dOptions(in, out, 4).stride(stride).padding(1).bias(bias);
}

}  // namespace

PatchDiscriminatorImpl::PatchDiscriminatorImpl(const PatchDiscriminatorOptions& options_)
    : options(options_) {
  const int64_t w = options.width(), layers = options.n_layers();
  TORCH_CHECK(layers >= 1, "PatchDiscriminator: n_layers must be at least 1, got ", layers);
  TORCH_CHECK(w > 0 && options.in_channels() > 0, "PatchDiscriminator: channels and width must be positive");
  body_ = tnn::Sequential();
  // [N,in,H,W] -> [N,w,H/2,W/2]; no BatchNorm on the input layer, so it keeps its bias
  body_->push_back(tnn::Conv2d(conv4x4(options.in_channels(), w, 2, true)));
  body_->push_back(leaky_relu());
  int64_t channels = w;
  for (int64_t i = 1; i <= layers; ++i) {
    // Stride 2 up to n_layers, then one stride-1 conv: [N,c,H,W] -> [N,c',H/2,W/2] or [N,c',H-1,W-1]
    const int64_t next = w * std::min<int64_t>(int64_t{1} << std::min<int64_t>(i, 3), 8);
    body_->push_back(tnn::Conv2d(conv4x4(channels, next, i < layers ? 2 : 1, false)));
    body_->push_back(nn::batch_norm_2d(next));
    body_->push_back(leaky_relu());
    channels = next;
  }
  // [N,c,H,W] -> [N,1,H-1,W-1] logits
  body_->push_back(tnn::Conv2d(conv4x4(channels, 1, 1, true)));
  register_module("body", body_);
  nn::init_dcgan_(*this);  // pix2pix's 'normal' init
}

torch::Tensor PatchDiscriminatorImpl::forward(const torch::Tensor& pair) {
  TORCH_CHECK(pair.dim() == 4 && pair.size(1) == options.in_channels(), "PatchDiscriminator: expected [N,",
              options.in_channels(), ",H,W] (source and target joined along channels), got ", pair.sizes());
  TORCH_CHECK(
      logit_size(pair.size(2), options.n_layers()) > 0 && logit_size(pair.size(3), options.n_layers()) > 0,
      "PatchDiscriminator: ", pair.size(2), "x", pair.size(3), " is too small for n_layers ",
      options.n_layers(), " (at least ", int64_t{3} << options.n_layers(), "x",
      int64_t{3} << options.n_layers(), ")");
  return body_->forward(pair);
}

}  // namespace gankit::models
