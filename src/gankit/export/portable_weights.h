// A generator's weights as use-time layers hold them: spectral norm folded into each weight as
// eval mode applies it (weight / σ from the stored u, v), the wrapper's own entries (u, v, the
// inner layer's path) gone. What the ONNX graph, the safetensors file and the shipped PyTorch
// definitions (python/gankit_models.py) all name and hold alike.
#pragma once
#include <torch/torch.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gankit::exporter {

/// A spectrally normalised layer's use-time weight and bias (bias undefined when it has none).
struct FoldedLayer {
  torch::Tensor weight, bias;
};

/// `layer`'s folded weights when it is one of nn/spectral_norm.h's wrappers, else nothing.
std::optional<FoldedLayer> fold_spectral_norm(torch::nn::Module& layer);

/// Every parameter and buffer of `module`, spectral norm folded, named by its path ("body.0.weight"),
/// in the module's order.
std::vector<std::pair<std::string, torch::Tensor>> portable_state_dict(torch::nn::Module& module);

}  // namespace gankit::exporter
