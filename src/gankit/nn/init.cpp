#include "gankit/nn/init.h"

#include "gankit/nn/sync_batch_norm.h"

namespace gankit::nn {

namespace {

/// Calls f(weight, bias) for every conv, transposed conv and linear layer under `module`.
template <typename F>
void for_each_weight_layer(torch::nn::Module& module, F&& f) {
  // apply() by reference: works inside a constructor, before the module is owned by a shared_ptr.
  module.apply([&](torch::nn::Module& child) {
    if (auto* conv = child.as<torch::nn::Conv2d>()) {
      f(conv->weight, conv->bias);
    } else if (auto* deconv = child.as<torch::nn::ConvTranspose2d>()) {
      f(deconv->weight, deconv->bias);
    } else if (auto* linear = child.as<torch::nn::Linear>()) {
      f(linear->weight, linear->bias);
    }
  });
}

void zero_if_defined(torch::Tensor& t) {
  if (t.defined()) t.zero_();
}

}  // namespace

void init_dcgan_(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for_each_weight_layer(module, [](torch::Tensor& weight, torch::Tensor& bias) {
    weight.normal_(0.0, 0.02);
    zero_if_defined(bias);
  });
  module.apply([](torch::nn::Module& child) {
    torch::Tensor weight, bias;
    if (auto* bn = child.as<torch::nn::BatchNorm2d>()) {
      weight = bn->weight, bias = bn->bias;
    } else if (auto* bn1 = child.as<torch::nn::BatchNorm1d>()) {
      weight = bn1->weight, bias = bn1->bias;
    } else if (auto* sync = child.as<SyncBatchNorm>()) {
      weight = sync->weight, bias = sync->bias;
    }
    if (weight.defined()) weight.normal_(1.0, 0.02);
    zero_if_defined(bias);
  });
}

void init_glorot_uniform_(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for_each_weight_layer(module, [](torch::Tensor& weight, torch::Tensor& bias) {
    torch::nn::init::xavier_uniform_(weight);
    zero_if_defined(bias);
  });
}

}  // namespace gankit::nn
