#include "gankit/models/mlp.h"

#include "gankit/nn/init.h"
#include "gankit/nn/sync_batch_norm.h"

namespace gankit::models {

namespace tnn = torch::nn;

namespace {

tnn::LeakyReLU leaky_relu() { return tnn::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2)); }

}  // namespace

MlpGeneratorImpl::MlpGeneratorImpl(const MlpOptions& options_) : options(options_) {
  TORCH_CHECK(options.z_dim() > 0 && options.width() > 0, "mlp: z_dim and width must be positive");
  const int64_t w = options.width();
  const int64_t pixels = options.channels() * options.image_size() * options.image_size();
  body_ = tnn::Sequential();
  int64_t in = options.z_dim();
  for (int64_t out : {w, 2 * w, 4 * w}) {
    // The seeds' order: Dense -> LeakyReLU -> BatchNormalization.
    body_->push_back(tnn::Linear(in, out));
    body_->push_back(leaky_relu());
    body_->push_back(nn::batch_norm_1d(
        tnn::BatchNormOptions(out).momentum(options.batch_norm_momentum()).eps(options.batch_norm_eps())));
    in = out;
  }
  body_->push_back(tnn::Linear(in, pixels));
  body_->push_back(tnn::Tanh());
  register_module("body", body_);
  if (options.glorot_init()) nn::init_glorot_uniform_(*this);
}

torch::Tensor MlpGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor&) {
  const int64_t s = options.image_size();
  return body_->forward(z).view({z.size(0), options.channels(), s, s});  // [N,Z] -> [N,C,H,W]
}

MlpDiscriminatorImpl::MlpDiscriminatorImpl(const MlpOptions& options_) : options(options_) {
  const int64_t w = options.width();
  const int64_t pixels = options.channels() * options.image_size() * options.image_size();
  body_ = tnn::Sequential(tnn::Linear(pixels, 2 * w), leaky_relu(),  // [N,CHW] -> [N,2w]
                          tnn::Linear(2 * w, w), leaky_relu(),       // -> [N,w]
                          tnn::Linear(w, 1));                        // -> [N,1] logit
  register_module("body", body_);
  if (options.glorot_init()) nn::init_glorot_uniform_(*this);
}

torch::Tensor MlpDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor&) {
  return body_->forward(images.flatten(1)).view({-1});  // [N,C,H,W] -> [N]
}

}  // namespace gankit::models
