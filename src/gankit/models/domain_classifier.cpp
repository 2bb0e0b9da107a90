#include "gankit/models/domain_classifier.h"

#include "gankit/nn/blocks.h"

namespace gankit::models {

namespace tnn = torch::nn;

int64_t DomainClassifierOptions::final_size() const {
  TORCH_CHECK(stages() >= 1 && stages() <= 6, "domain classifier: stages must be in [1, 6], got ", stages());
  TORCH_CHECK(image_size() > 0 && image_size() % (int64_t{1} << stages()) == 0,
              "domain classifier: image_size must be a positive multiple of 2^stages = ",
              int64_t{1} << stages(), ", got ", image_size());
  return image_size() >> stages();
}

DomainClassifierImpl::DomainClassifierImpl(const DomainClassifierOptions& options_) : options(options_) {
  TORCH_CHECK(options.channels() > 0, "domain classifier: channels must be positive, got ",
              options.channels());
  TORCH_CHECK(options.num_classes() >= 2, "domain classifier: needs at least 2 classes, got ",
              options.num_classes());
  TORCH_CHECK(options.width() > 0 && options.feature_dim() > 0,
              "domain classifier: width and feature_dim must be positive");
  TORCH_CHECK(options.dropout() >= 0 && options.dropout() < 1,
              "domain classifier: dropout must be in [0, 1)");
  const int64_t final_size = options.final_size();
  body_ = tnn::Sequential();
  int64_t in = options.channels(), channels = options.width();
  for (int64_t stage = 0; stage < options.stages(); ++stage, in = channels, channels *= 2) {
    // [N,in,s,s] -> [N,channels,s,s]
    body_->push_back(tnn::Conv2d(tnn::Conv2dOptions(in, channels, 3).padding(1).bias(false)));
    body_->push_back(tnn::BatchNorm2d(channels));
    body_->push_back(tnn::ReLU(tnn::ReLUOptions().inplace(true)));
    // [N,channels,s,s] -> [N,channels,s/2,s/2]
    nn::append_down_block(body_, channels, channels, nn::BlockOptions());
  }
  register_module("body", body_);
  // [N,in*f*f] -> [N,feature_dim] -> [N,K]
  embed_ = register_module("embed", tnn::Linear(in * final_size * final_size, options.feature_dim()));
  dropout_ = register_module("dropout", tnn::Dropout(options.dropout()));
  logits_ = register_module("logits", tnn::Linear(options.feature_dim(), options.num_classes()));
}

torch::Tensor DomainClassifierImpl::features(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == options.channels() &&
                  images.size(2) == options.image_size() && images.size(3) == options.image_size(),
              "domain classifier: expects images [N,", options.channels(), ",", options.image_size(), ",",
              options.image_size(), "], got ", images.sizes());
  const auto x = body_->forward(images);              // [N,C,S,S] -> [N,4w,S/8,S/8]
  return torch::relu(embed_->forward(x.flatten(1)));  // -> [N,feature_dim]
}

torch::Tensor DomainClassifierImpl::classify(const torch::Tensor& features) {
  return logits_->forward(dropout_->forward(features));  // [N,feature_dim] -> [N,K]
}

torch::Tensor DomainClassifierImpl::forward(const torch::Tensor& images) {
  return classify(features(images));
}

}  // namespace gankit::models
