// The layers of gankit's generators, read once and handed to a format's writer: write_layer walks
// a generator's modules (dispatching on their classes here, and only here) and describes each as a
// format-neutral layer; OnnxWriter (onnx_writer.h) and TorchScriptWriter (torchscript_writer.h)
// turn those into their own operations. Each layer is what its forward computes in eval mode, the
// mode `gankit sample` runs G in.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace gankit::exporter {

/// Conv2d or ConvTranspose2d, spectral norm folded into the weight.
struct ConvLayer {
  torch::Tensor weight, bias;  ///< bias undefined when the layer has none
  bool transposed = false;
  std::vector<int64_t> stride, padding, dilation, output_padding;  ///< [H, W] each
  int64_t groups = 1;
};

/// y = x Wᵀ + b.
struct LinearLayer {
  torch::Tensor weight, bias;
};

/// BatchNorm: with its running statistics, or (per_image) each image's own statistics.
struct NormLayer {
  torch::Tensor weight, bias, running_mean, running_var;
  double eps = 1e-5;
  bool per_image = false;
};

enum class Activation { Relu, LeakyRelu, Tanh };

/// Values are named by strings the writer hands out; `name` is the layer's path in the generator
/// ("body.3"), for the weights' names.
class LayerWriter {
 public:
  virtual ~LayerWriter() = default;
  virtual std::string conv(const ConvLayer& layer, const std::string& x, const std::string& name) = 0;
  virtual std::string linear(const LinearLayer& layer, const std::string& x, const std::string& name) = 0;
  virtual std::string norm(const NormLayer& layer, const std::string& x, const std::string& name) = 0;
  /// `slope`: LeakyReLU's negative slope.
  virtual std::string activation(Activation kind, double slope, const std::string& x, const std::string& name) = 0;
  /// SAGAN's attention over x [N,C,H,W] from its 1x1 convolutions' outputs q, k [N,C/8,H,W] and
  /// v [N,C,H,W]: γ · (v softmax(qᵀk)ᵀ) + x.
  virtual std::string attention(const std::string& x, const std::string& q, const std::string& k,
                                const std::string& v, const torch::Tensor& gamma, const std::string& name) = 0;
};

struct LayerOptions {
  /// BatchNorm normalises with each image's own statistics (pix2pix, as `gankit translate` runs G).
  bool batch_norm_per_image = false;
};

/// Writes `layer` applied to value `x`; returns the result's value. A Sequential is written layer
/// by layer; dropout is the identity. A layer of another class is a gankit::Error naming it.
std::string write_layer(LayerWriter& writer, torch::nn::Module& layer, const std::string& x, const std::string& name,
                        const LayerOptions& options = {});

}  // namespace gankit::exporter
