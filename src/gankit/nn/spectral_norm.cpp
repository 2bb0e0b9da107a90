#include "gankit/nn/spectral_norm.h"

#include "gankit/compute/precision.h"
#include "gankit/nn/conv_transpose.h"

#include <utility>

namespace gankit::nn {

namespace {

/// weight with `dim` moved first, flattened to [rows, cols] (PyTorch's reshape_weight_to_matrix).
torch::Tensor weight_matrix(const torch::Tensor& weight, int64_t dim) {
  // e.g. ConvTranspose2d [in,out,kh,kw] -> [out, in*kh*kw]
  const auto moved = dim == 0 ? weight : weight.movedim(dim, 0);
  return moved.reshape({moved.size(0), -1});
}

/// x / max(‖x‖₂, eps), as F.normalize on a vector.
torch::Tensor normalize(const torch::Tensor& x, double eps) { return x / x.norm().clamp_min(eps); }

/// Puts `replacement` into `slot` and restores the original on scope exit, exceptions included.
class ScopedSwap {
 public:
  ScopedSwap(torch::Tensor& slot, torch::Tensor replacement)
      : slot_(slot), saved_(std::exchange(slot, std::move(replacement))) {}
  ~ScopedSwap() { slot_ = std::move(saved_); }
  ScopedSwap(const ScopedSwap&) = delete;
  ScopedSwap& operator=(const ScopedSwap&) = delete;

 private:
  torch::Tensor& slot_;
  torch::Tensor saved_;
};

}  // namespace

torch::Tensor spectral_normalize(const torch::Tensor& weight, torch::Tensor& u, torch::Tensor& v, int64_t dim,
                                 bool power_iteration, const SpectralNormOptions& options,
                                 torch::Tensor* sigma) {
  compute::WithoutAutocast float32;  // σ in float32 under bf16 autocast: W/σ is only as good as σ
  const auto mat = weight_matrix(weight, dim);  // [rows, cols]
  if (power_iteration) {
    torch::NoGradGuard no_grad;
    for (int64_t i = 0; i < options.power_iterations(); ++i) {
      v.copy_(normalize(torch::mv(mat.t(), u), options.eps()));  // [cols]
      u.copy_(normalize(torch::mv(mat, v), options.eps()));      // [rows]
    }
  }
  // Clones: autograd saves them, and the next training forward updates the buffers in place.
  const auto s = torch::dot(u.clone(), torch::mv(mat, v.clone()));
  if (sigma != nullptr) *sigma = s;
  return weight / s;
}

template <typename LayerImpl>
SpectralNormImpl<LayerImpl>::SpectralNormImpl(LayerOptions layer_options, SpectralNormOptions options)
    : layer_options(std::move(layer_options)), options(options) {
  TORCH_CHECK(options.power_iterations() >= 0, "spectral norm: power_iterations must be >= 0");
  TORCH_CHECK(options.eps() > 0, "spectral norm: eps must be > 0");
  reset();
}

template <typename LayerImpl>
void SpectralNormImpl<LayerImpl>::reset() {
  // A fresh layer (not a copy of the old one) so that clone() yields independent parameters.
  layer = this->register_module("layer", torch::nn::ModuleHolder<LayerImpl>(layer_options));
  torch::NoGradGuard no_grad;
  const auto mat = weight_matrix(layer->weight, dim());
  const auto like = layer->weight.options();
  // u before v, as PyTorch draws them.
  u = this->register_buffer("u", normalize(torch::randn({mat.size(0)}, like), options.eps()));
  v = this->register_buffer("v", normalize(torch::randn({mat.size(1)}, like), options.eps()));
}

template <typename LayerImpl>
torch::Tensor SpectralNormImpl<LayerImpl>::forward(const torch::Tensor& input) {
  auto normalized = spectral_normalize(layer->weight, u, v, dim(), this->is_training(), options);
  // The layer's forward reads its `weight` member; the registered parameter stays untouched.
  ScopedSwap swap(layer->weight, std::move(normalized));
  if constexpr (std::is_same_v<LayerImpl, torch::nn::ConvTranspose2dImpl>) {
    return conv_transpose2d_forward(*layer, input);  // small inputs as one GEMM, as everywhere
  } else {
    return layer->forward(input);
  }
}

template <typename LayerImpl>
torch::Tensor SpectralNormImpl<LayerImpl>::sigma() const {
  compute::WithoutAutocast float32;
  const auto mat = weight_matrix(layer->weight, dim());
  return torch::dot(u, torch::mv(mat, v));
}

template class SpectralNormImpl<torch::nn::Conv2dImpl>;
template class SpectralNormImpl<torch::nn::ConvTranspose2dImpl>;
template class SpectralNormImpl<torch::nn::LinearImpl>;

}  // namespace gankit::nn
