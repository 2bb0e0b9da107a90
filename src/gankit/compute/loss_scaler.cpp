#include "gankit/compute/loss_scaler.h"

namespace gankit::compute {

LossScaler::LossScaler(LossScalerOptions options) : options_(options), scale_(options.init_scale()) {
  TORCH_CHECK(options.init_scale() > 0, "loss scaler: init_scale must be positive");
  TORCH_CHECK(options.growth_factor() > 1, "loss scaler: growth_factor must be above 1");
  TORCH_CHECK(options.backoff_factor() > 0 && options.backoff_factor() < 1, "loss scaler: backoff_factor must be in (0, 1)");
  TORCH_CHECK(options.growth_interval() >= 1, "loss scaler: growth_interval must be at least 1");
}

torch::Tensor LossScaler::scale(const torch::Tensor& loss) const {
  return options_.enabled() ? loss * scale_ : loss;
}

bool LossScaler::step(torch::optim::Optimizer& optimizer) {
  if (!options_.enabled()) {
    optimizer.step();
    return true;
  }
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) {
      if (p.grad().defined()) grads.push_back(p.grad());
    }
  }
  // One reduction for all gradients: a sum of |g| is finite only when every entry is.
  bool finite = true;
  if (!grads.empty()) {
    torch::Tensor total = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat).device(grads[0].device()));
    for (auto& g : grads) {
      g.mul_(1.0 / scale_);
      total = total + g.abs().sum().to(torch::kFloat);
    }
    finite = std::isfinite(total.item<float>());
  }
  if (!finite) {
    found_inf_ = true;
    ++skipped_;
    return false;
  }
  optimizer.step();
  return true;
}

void LossScaler::update() {
  if (!options_.enabled()) return;
  if (found_inf_) {
    scale_ *= options_.backoff_factor();
    good_steps_ = 0;
  } else if (++good_steps_ >= options_.growth_interval()) {
    scale_ *= options_.growth_factor();
    good_steps_ = 0;
  }
  found_inf_ = false;
}

}  // namespace gankit::compute
