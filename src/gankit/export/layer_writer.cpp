#include "gankit/export/layer_writer.h"

#include <optional>

#include "gankit/compat.h"
#include "gankit/error.h"
#include "gankit/export/portable_weights.h"
#include "gankit/nn/self_attention.h"
#include "gankit/nn/sync_batch_norm.h"

namespace gankit::exporter {

namespace tnn = torch::nn;

namespace {

std::vector<int64_t> pair(const torch::ExpandingArray<2>& values) { return {values->at(0), values->at(1)}; }

ConvLayer conv_layer(const tnn::detail::ConvNdOptions<2>& options, bool transposed, const torch::Tensor& weight,
                     const torch::Tensor& bias) {
  ConvLayer layer;
  layer.weight = weight;
  layer.bias = bias;
  layer.transposed = transposed;
  layer.stride = pair(options.stride());
  layer.padding = pair(compat::explicit_padding<2>(options.padding()));
  layer.dilation = pair(options.dilation());
  layer.output_padding = pair(options.output_padding());
  layer.groups = options.groups();
  return layer;
}

/// The layer a module is when it is a convolution or a linear layer, spectral norm folded.
std::optional<std::string> write_weighted(LayerWriter& writer, tnn::Module& module, const std::string& x,
                                          const std::string& name) {
  auto* layer = &module;
  torch::Tensor weight, bias;
  if (const auto folded = fold_spectral_norm(module)) {  // a wrapper: its inner layer with weight / σ
    layer = module.named_children()["layer"].get();
    weight = folded->weight, bias = folded->bias;
  }
  const auto pick = [&](const torch::Tensor& w, const torch::Tensor& b) {
    if (!weight.defined()) weight = w.detach(), bias = b.defined() ? b.detach() : b;
  };
  if (auto* conv = dynamic_cast<tnn::Conv2dImpl*>(layer)) {
    pick(conv->weight, conv->bias);
    return writer.conv(conv_layer(conv->options, false, weight, bias), x, name);
  }
  if (auto* conv = dynamic_cast<tnn::ConvTranspose2dImpl*>(layer)) {
    pick(conv->weight, conv->bias);
    return writer.conv(conv_layer(conv->options, true, weight, bias), x, name);
  }
  if (auto* linear = dynamic_cast<tnn::LinearImpl*>(layer)) {
    pick(linear->weight, linear->bias);
    return writer.linear({weight, bias}, x, name);
  }
  return std::nullopt;
}

template <typename BatchNorm>
std::optional<NormLayer> norm_layer_if(tnn::Module& module, bool per_image) {
  auto* bn = dynamic_cast<BatchNorm*>(&module);
  if (bn == nullptr) return std::nullopt;
  const int64_t channels = bn->running_mean.size(0);
  return NormLayer{bn->weight.defined() ? bn->weight.detach() : torch::ones({channels}),
                   bn->bias.defined() ? bn->bias.detach() : torch::zeros({channels}), bn->running_mean,
                   bn->running_var, bn->options.eps(), per_image};
}

std::optional<NormLayer> norm_layer(tnn::Module& module, bool per_image) {
  if (auto layer = norm_layer_if<tnn::BatchNorm2dImpl>(module, per_image)) return layer;
  if (auto layer = norm_layer_if<tnn::BatchNorm1dImpl>(module, per_image)) return layer;
  return norm_layer_if<nn::SyncBatchNormImpl>(module, per_image);
}

}  // namespace

std::string write_layer(LayerWriter& writer, tnn::Module& layer, const std::string& x, const std::string& name,
                        const LayerOptions& options) {
  torch::NoGradGuard no_grad;
  if (auto* sequence = dynamic_cast<tnn::SequentialImpl*>(&layer)) {
    auto value = x;
    size_t index = 0;
    for (const auto& child : sequence->children()) {
      value = write_layer(writer, *child, value, name + "." + std::to_string(index++), options);
    }
    return value;
  }
  if (auto value = write_weighted(writer, layer, x, name)) return *value;
  if (const auto norm = norm_layer(layer, options.batch_norm_per_image)) return writer.norm(*norm, x, name);
  if (dynamic_cast<tnn::ReLUImpl*>(&layer)) return writer.activation(Activation::Relu, 0, x, name);
  if (dynamic_cast<tnn::TanhImpl*>(&layer)) return writer.activation(Activation::Tanh, 0, x, name);
  if (auto* relu = dynamic_cast<tnn::LeakyReLUImpl*>(&layer)) {
    return writer.activation(Activation::LeakyRelu, relu->options.negative_slope(), x, name);
  }
  if (auto* block = dynamic_cast<nn::SelfAttentionImpl*>(&layer)) {
    const auto q = write_layer(writer, *block->query.ptr(), x, name + ".query");
    const auto k = write_layer(writer, *block->key.ptr(), x, name + ".key");
    const auto v = write_layer(writer, *block->value.ptr(), x, name + ".value");
    return writer.attention(x, q, k, v, block->gamma.detach(), name);
  }
  if (dynamic_cast<tnn::DropoutImpl*>(&layer)) return x;  // off at use time
  fail("export: no writer for layer {} ({}) of this generator", name, layer.name());
}

}  // namespace gankit::exporter
