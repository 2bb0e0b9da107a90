#include "gankit/models/dcgan.h"

#include "gankit/nn/blocks.h"
#include "gankit/nn/init.h"

namespace gankit::models {

namespace tnn = torch::nn;

int64_t DcganOptions::stages() const {
  TORCH_CHECK(nn::is_power_of_two(image_size()) && image_size() >= 8,
              "dcgan: image_size must be a power of two >= 8, got ", image_size());
  int64_t stages = 0;
  for (int64_t s = image_size(); s > 4; s /= 2) ++stages;
  return stages;
}

DcganGeneratorImpl::DcganGeneratorImpl(const DcganOptions& options_) : options(options_) {
  const int64_t stages = options.stages(), w = options.width();
  int64_t channels = w << (stages - 1);  // 4w at 32x32, 8w at 64x64
  body_ = tnn::Sequential();
  // [N,Z,1,1] -> [N,channels,4,4]
  body_->push_back(tnn::ConvTranspose2d(
      tnn::ConvTranspose2dOptions(options.z_dim(), channels, 4).stride(1).padding(0).bias(false)));
  body_->push_back(tnn::BatchNorm2d(channels));
  body_->push_back(tnn::ReLU(tnn::ReLUOptions().inplace(true)));
  for (int64_t i = 1; i < stages; ++i, channels /= 2) {
    nn::append_up_block(body_, channels, channels / 2);  // doubles H and W
  }
  // [N,w,S/2,S/2] -> [N,C,S,S]
  body_->push_back(tnn::ConvTranspose2d(
      tnn::ConvTranspose2dOptions(w, options.channels(), 4).stride(2).padding(1).bias(false)));
  body_->push_back(tnn::Tanh());
  register_module("body", body_);
  nn::init_dcgan_(*this);
}

torch::Tensor DcganGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor&) {
  return body_->forward(z.view({z.size(0), z.size(1), 1, 1}));  // [N,Z] -> [N,C,S,S]
}

DcganDiscriminatorImpl::DcganDiscriminatorImpl(const DcganOptions& options_) : options(options_) {
  const int64_t stages = options.stages(), w = options.width();
  body_ = tnn::Sequential();
  // [N,C,S,S] -> [N,w,S/2,S/2]; no BatchNorm on the input layer (Radford et al.)
  nn::append_down_block(body_, options.channels(), w, /*batch_norm=*/false);
  int64_t channels = w;
  for (int64_t i = 1; i < stages; ++i, channels *= 2) {
    nn::append_down_block(body_, channels, channels * 2, options.discriminator_batch_norm());
  }
  // [N,channels,4,4] -> [N,1,1,1] logit
  body_->push_back(tnn::Conv2d(tnn::Conv2dOptions(channels, 1, 4).stride(1).padding(0).bias(false)));
  register_module("body", body_);
  nn::init_dcgan_(*this);
}

torch::Tensor DcganDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor&) {
  return body_->forward(images).view({-1});  // [N,C,S,S] -> [N]
}

}  // namespace gankit::models
