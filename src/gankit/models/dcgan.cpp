#include "gankit/models/dcgan.h"

#include "gankit/nn/blocks.h"
#include "gankit/nn/init.h"
#include "gankit/nn/sync_batch_norm.h"
#include "gankit/nn/self_attention.h"

namespace gankit::models {

namespace tnn = torch::nn;

int64_t DcganOptions::stages() const {
  TORCH_CHECK(nn::is_power_of_two(image_size()) && image_size() >= 8,
              "dcgan: image_size must be a power of two >= 8, got ", image_size());
  TORCH_CHECK(attention_size() == 0 || (nn::is_power_of_two(attention_size()) && attention_size() >= 8 &&
                                        attention_size() < image_size()),
              "dcgan: attention_size must be 0 or a power of two in [8, image_size), got ", attention_size());
  int64_t stages = 0;
  for (int64_t s = image_size(); s > 4; s /= 2) ++stages;
  return stages;
}

DcganGeneratorImpl::DcganGeneratorImpl(const DcganOptions& options_) : options(options_) {
  const int64_t stages = options.stages(), w = options.width();
  const bool sn = options.generator_spectral_norm();
  int64_t channels = w << (stages - 1);  // 4w at 32x32, 8w at 64x64
  int64_t input = options.z_dim();
  if (options.num_classes() > 0) {
    // One learned K-vector per class, joined to z (Mirza & Osindero 2014 join a one-hot label).
    label_embedding_ = register_module(
        "label_embedding", tnn::Embedding(options.num_classes(), options.num_classes()));
    input += options.num_classes();
  }
  body_ = tnn::Sequential();
  // [N,Z(+K),1,1] -> [N,channels,4,4]
  body_->push_back(nn::conv_transpose2d(tnn::ConvTranspose2dOptions(input, channels, 4).stride(1).padding(0).bias(false), sn));
  body_->push_back(nn::batch_norm_2d(channels));
  body_->push_back(tnn::ReLU(tnn::ReLUOptions().inplace(true)));
  for (int64_t i = 1, size = 8; i < stages; ++i, channels /= 2, size *= 2) {
    nn::append_up_block(body_, channels, channels / 2, nn::BlockOptions().spectral_norm(sn));  // doubles H, W
    if (size == options.attention_size()) {
      body_->push_back(nn::SelfAttention(nn::SelfAttentionOptions(channels / 2).spectral_norm(sn)));
    }
  }
  // [N,w,S/2,S/2] -> [N,C,S,S]
  body_->push_back(nn::conv_transpose2d(
      tnn::ConvTranspose2dOptions(w, options.channels(), 4).stride(2).padding(1).bias(false), sn));
  body_->push_back(tnn::Tanh());
  register_module("body", body_);
  nn::init_dcgan_(*this);
}

torch::Tensor DcganGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  auto input = z;
  if (label_embedding_) {
    TORCH_CHECK(labels.defined(), "conditional generator needs labels");
    input = torch::cat({z, label_embedding_->forward(labels)}, 1);  // [N,Z] -> [N,Z+K]
  }
  return body_->forward(input.view({input.size(0), input.size(1), 1, 1}));  // -> [N,C,S,S]
}

DcganDiscriminatorImpl::DcganDiscriminatorImpl(const DcganOptions& options_) : options(options_) {
  const int64_t stages = options.stages(), w = options.width(), size = options.image_size();
  const bool sn = options.discriminator_spectral_norm();
  int64_t input = options.channels();
  if (options.discriminator_takes_labels()) {
    // A learned S x S map per class, joined to the image as one more channel.
    label_map_ = register_module("label_map", tnn::Embedding(options.num_classes(), size * size));
    input += 1;
  }
  body_ = tnn::Sequential();
  // [N,C(+1),S,S] -> [N,w,S/2,S/2]; no BatchNorm on the input layer (Radford et al.)
  nn::append_down_block(body_, input, w, nn::BlockOptions().batch_norm(false).spectral_norm(sn));
  input_block_layers_ = body_->size();
  int64_t channels = w;
  for (int64_t i = 0, at = size / 2; i < stages; ++i, channels *= 2, at /= 2) {
    if (at == options.attention_size()) {
      body_->push_back(nn::SelfAttention(nn::SelfAttentionOptions(channels).spectral_norm(sn)));
    }
    if (i + 1 < stages) {
      nn::append_down_block(body_, channels, channels * 2,
                            nn::BlockOptions().batch_norm(options.discriminator_batch_norm()).spectral_norm(sn));
    } else {
      break;  // [N,channels,4,4]
    }
  }
  register_module("body", body_);
  // [N,channels,4,4] -> [N,1,1,1] logit
  validity_ = nn::conv2d(tnn::Conv2dOptions(channels, 1, 4).stride(1).padding(0).bias(false), sn);
  register_module("validity", validity_.ptr());
  if (options.num_classes() > 0 && options.auxiliary_classifier()) {
    // [N,channels,4,4] -> [N,K,1,1] class logits
    classes_ = nn::conv2d(tnn::Conv2dOptions(channels, options.num_classes(), 4).stride(1).padding(0), sn);
    register_module("classes", classes_.ptr());
  }
  nn::init_dcgan_(*this);
}

Scores DcganDiscriminatorImpl::score(const torch::Tensor& images, const torch::Tensor& labels) {
  auto input = images;
  if (label_map_) {
    TORCH_CHECK(labels.defined(), "conditional discriminator needs labels");
    const int64_t size = options.image_size();
    input = torch::cat({images, label_map_->forward(labels).view({-1, 1, size, size})}, 1);  // +1 channel
  }
  // [N,C,S,S] -> [N,c,4,4]. Past the input block the activations go channels-last: oneDNN's
  // convolutions and their backward run faster on that layout for the wide layers (D forward +
  // backward 60 -> 55 ms for DCGAN-32 at batch 64; the whole step about 3% faster, median of 6
  // alternating runs); the few-channel input convolution is faster as it is.
  auto features = input;
  size_t layer = 0;
  for (auto& module : *body_) {
    features = module.forward(features);
    if (++layer == input_block_layers_) features = features.contiguous(torch::MemoryFormat::ChannelsLast);
  }
  Scores scores{validity_.forward<torch::Tensor>(features).view({-1}), {}};
  if (!classes_.is_empty()) scores.class_logits = classes_.forward<torch::Tensor>(features).flatten(1);  // [N,K]
  return scores;
}

torch::Tensor DcganDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  return score(images, labels).logits;
}

}  // namespace gankit::models
