// Spectral normalisation (Miyato et al. 2018) as a wrapper around Conv2d, ConvTranspose2d and
// Linear, with the semantics of torch.nn.utils.spectral_norm: the wrapped layer keeps `weight` as
// its parameter; `u` and `v` are persistent buffers; each training forward runs one power
// iteration (in place, no gradient) and uses weight / σ, σ = uᵀ W v; eval forwards reuse u and v.
#pragma once
#include <torch/torch.h>

#include <type_traits>

namespace gankit::nn {

struct SpectralNormOptions {
  /// Power iterations per training forward (PyTorch's n_power_iterations).
  TORCH_ARG(int64_t, power_iterations) = 1;
  /// Guards the vector normalisations against division by zero.
  TORCH_ARG(double, eps) = 1e-12;
};

/// σ-normalises `weight`, viewed as a matrix with dimension `dim` as rows (0 for Conv2d and
/// Linear, 1 for ConvTranspose2d, as PyTorch). When `power_iteration` is set, first updates u
/// [rows] and v [cols] in place. Returns weight / σ (differentiable in weight); `sigma`, when
/// given, receives σ.
torch::Tensor spectral_normalize(const torch::Tensor& weight, torch::Tensor& u, torch::Tensor& v, int64_t dim,
                                 bool power_iteration, const SpectralNormOptions& options,
                                 torch::Tensor* sigma = nullptr);

namespace detail {
/// The options each wrapped layer is built from. Not the type of its `options` member: for the
/// convolutions that is the generic ConvNdOptions, which their constructors do not accept.
template <typename LayerImpl>
struct LayerOptionsOf;
template <>
struct LayerOptionsOf<torch::nn::Conv2dImpl> {
  using type = torch::nn::Conv2dOptions;
};
template <>
struct LayerOptionsOf<torch::nn::ConvTranspose2dImpl> {
  using type = torch::nn::ConvTranspose2dOptions;
};
template <>
struct LayerOptionsOf<torch::nn::LinearImpl> {
  using type = torch::nn::LinearOptions;
};
}  // namespace detail

/// `LayerImpl` is torch::nn::Conv2dImpl, ConvTranspose2dImpl or LinearImpl.
template <typename LayerImpl>
class SpectralNormImpl : public torch::nn::Cloneable<SpectralNormImpl<LayerImpl>> {
 public:
  using LayerOptions = typename detail::LayerOptionsOf<LayerImpl>::type;

  explicit SpectralNormImpl(LayerOptions layer_options, SpectralNormOptions options = {});

  /// Builds the layer and draws u, v ~ normalize(N(0, 1)) from torch's default generator.
  void reset() override;

  /// The layer's forward with weight / σ in place of weight; [.., in] -> [.., out] as the layer.
  torch::Tensor forward(const torch::Tensor& input);

  /// σ = uᵀ W v from the current buffers (no power iteration).
  torch::Tensor sigma() const;

  /// Rows of the weight matrix: 1 for ConvTranspose2d (its output channels), 0 otherwise.
  static constexpr int64_t dim() { return std::is_same_v<LayerImpl, torch::nn::ConvTranspose2dImpl> ? 1 : 0; }

  LayerOptions layer_options;
  SpectralNormOptions options;
  torch::nn::ModuleHolder<LayerImpl> layer{nullptr};
  torch::Tensor u, v;
};

using SNConv2dImpl = SpectralNormImpl<torch::nn::Conv2dImpl>;
using SNConvTranspose2dImpl = SpectralNormImpl<torch::nn::ConvTranspose2dImpl>;
using SNLinearImpl = SpectralNormImpl<torch::nn::LinearImpl>;
TORCH_MODULE(SNConv2d);
TORCH_MODULE(SNConvTranspose2d);
TORCH_MODULE(SNLinear);

extern template class SpectralNormImpl<torch::nn::Conv2dImpl>;
extern template class SpectralNormImpl<torch::nn::ConvTranspose2dImpl>;
extern template class SpectralNormImpl<torch::nn::LinearImpl>;

}  // namespace gankit::nn
