// Non-finite weights are never saved: a checkpoint holding NaN or infinities would only pass a
// diverged run on to sampling, evaluation and --resume.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>

#include "gankit/error.h"

namespace gankit::checkpoint {

/// save_checkpoint's refusal: `tensor` (e.g. "generator.body.0.weight") holds a NaN or an infinity.
/// Nothing was written; the checkpoint saved before stays.
class NonFiniteWeights : public Error {
 public:
  NonFiniteWeights(const std::filesystem::path& path, std::string tensor);
  const std::string& tensor() const { return tensor_; }

 private:
  std::string tensor_;
};

/// The name ("body.0.weight") of the first floating-point parameter or buffer of `module` (and its
/// submodules) holding a NaN or an infinity, if any. One pass over the weights, no copies: cheap
/// enough to call every few steps.
std::optional<std::string> first_non_finite(const torch::nn::Module& module);

}  // namespace gankit::checkpoint
