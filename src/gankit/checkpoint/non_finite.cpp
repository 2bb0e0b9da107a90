#include "gankit/checkpoint/non_finite.h"

namespace gankit::checkpoint {

NonFiniteWeights::NonFiniteWeights(const std::filesystem::path& path, std::string tensor)
    : Error(fmt::format("{}: not saved: {} holds NaN or infinite values (the run diverged; the checkpoint "
                        "saved before is kept)",
                        path.string(), tensor)),
      tensor_(std::move(tensor)) {}

std::optional<std::string> first_non_finite(const torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  const auto finite = [](const torch::Tensor& t) {
    return !t.defined() || !t.is_floating_point() || torch::isfinite(t).all().item<bool>();
  };
  for (const auto& parameter : module.named_parameters(/*recurse=*/true)) {
    if (!finite(parameter.value())) return parameter.key();
  }
  for (const auto& buffer : module.named_buffers(/*recurse=*/true)) {
    if (!finite(buffer.value())) return buffer.key();
  }
  return std::nullopt;
}

}  // namespace gankit::checkpoint
