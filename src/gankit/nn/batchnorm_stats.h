// "Precise BatchNorm": recompute running statistics for the weights as they are now.
#pragma once
#include <torch/torch.h>

#include <functional>

namespace gankit::nn {

/// True if any BatchNorm layer with running statistics lies under `module`.
bool has_batchnorm(torch::nn::Module& module);

/// Replaces every BatchNorm's running mean/var under `module` by the exact average over `batches`
/// calls of `forward` in training mode (no gradients). During training the running statistics are
/// an exponential average over past weights; samples drawn in eval mode then drift from what the
/// generator produces in training. Restores the module's train/eval mode afterwards.
void recompute_batchnorm_stats(torch::nn::Module& module, const std::function<void()>& forward,
                               int64_t batches);

}  // namespace gankit::nn
