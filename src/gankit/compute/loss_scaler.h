// Dynamic loss scaling for float16 training (CUDA): float16 gradients underflow to zero below
// ~6e-8, so the loss is multiplied by a large scale before backward and the gradients divided by it
// before the optimiser step. A step whose gradients hold inf or NaN is skipped and the scale
// halved; after `growth_interval` good steps in a row the scale doubles. The semantics of
// PyTorch's torch.cuda.amp.GradScaler.
#pragma once
#include <torch/torch.h>

namespace gankit::compute {

struct LossScalerOptions {
  /// The first scale (GradScaler's 2^16).
  TORCH_ARG(double, init_scale) = 65536.0;
  TORCH_ARG(double, growth_factor) = 2.0;
  TORCH_ARG(double, backoff_factor) = 0.5;
  /// Good steps in a row before the scale grows.
  TORCH_ARG(int64_t, growth_interval) = 2000;
  /// false: every call passes through (float32 and bf16 need no scaling).
  TORCH_ARG(bool, enabled) = true;
};

class LossScaler {
 public:
  explicit LossScaler(LossScalerOptions options = {});

  /// loss × scale, to call backward on (the loss itself when disabled).
  torch::Tensor scale(const torch::Tensor& loss) const;

  /// Divides the gradients of `optimizer`'s parameters by the scale in place, then steps it unless
  /// any gradient is inf or NaN. Returns whether it stepped. At most once per optimiser per update().
  bool step(torch::optim::Optimizer& optimizer);

  /// After each training step's optimiser steps: backs off if any step was skipped since the last
  /// update, else counts a good step and grows the scale every growth_interval of them.
  void update();

  double current_scale() const { return scale_; }
  int64_t good_steps() const { return good_steps_; }
  /// Steps skipped over the scaler's life (for metrics).
  int64_t skipped_steps() const { return skipped_; }

 private:
  LossScalerOptions options_;
  double scale_;
  int64_t good_steps_ = 0;
  int64_t skipped_ = 0;
  bool found_inf_ = false;
};

}  // namespace gankit::compute
