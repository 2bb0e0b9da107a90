#include "gankit/export/portable_weights.h"

#include "gankit/nn/spectral_norm.h"

namespace gankit::exporter {

namespace {

template <typename Wrapper>
std::optional<FoldedLayer> fold_if(torch::nn::Module& layer) {
  auto* wrapper = dynamic_cast<Wrapper*>(&layer);
  if (wrapper == nullptr) return std::nullopt;
  torch::NoGradGuard no_grad;
  return FoldedLayer{wrapper->layer->weight / wrapper->sigma(), wrapper->layer->bias};
}

void collect(torch::nn::Module& module, const std::string& prefix,
             std::vector<std::pair<std::string, torch::Tensor>>& out) {
  if (const auto folded = fold_spectral_norm(module)) {
    out.emplace_back(prefix + "weight", folded->weight);
    if (folded->bias.defined()) out.emplace_back(prefix + "bias", folded->bias);
    return;
  }
  for (const auto& parameter : module.named_parameters(false)) {
    out.emplace_back(prefix + parameter.key(), parameter.value().detach());
  }
  for (const auto& buffer : module.named_buffers(false)) out.emplace_back(prefix + buffer.key(), buffer.value());
  for (const auto& child : module.named_children()) collect(*child.value(), prefix + child.key() + ".", out);
}

}  // namespace

std::optional<FoldedLayer> fold_spectral_norm(torch::nn::Module& layer) {
  if (auto folded = fold_if<nn::SNConv2dImpl>(layer)) return folded;
  if (auto folded = fold_if<nn::SNConvTranspose2dImpl>(layer)) return folded;
  return fold_if<nn::SNLinearImpl>(layer);
}

std::vector<std::pair<std::string, torch::Tensor>> portable_state_dict(torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  collect(module, "", out);
  return out;
}

}  // namespace gankit::exporter
