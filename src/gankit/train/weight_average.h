// Exponential moving average of generator weights (Karras et al. 2018; Yazıcı et al. 2019):
// samples from the averaged weights are smoother than from the last, still-oscillating ones.
#pragma once
#include <torch/torch.h>

namespace gankit::train {

/// Folds `source`'s parameters into `average`'s after every update:
/// average = d * average + (1 - d) * source, with d = min(decay, (1 + n) / (10 + n)) after n
/// updates, so the first steps are not dominated by the random initial weights. Buffers (e.g.
/// BatchNorm statistics) are copied, not averaged.
void update_weight_average(torch::nn::Module& average, const torch::nn::Module& source, double decay,
                           int64_t updates);

/// Copies every parameter and buffer of `source` into `target` (same architecture).
void copy_weights(torch::nn::Module& target, const torch::nn::Module& source);

}  // namespace gankit::train
