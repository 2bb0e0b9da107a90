#include "gankit/train/optimizers.h"

#include <algorithm>


namespace gankit::train {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainOptions& options,
                                                        std::vector<torch::Tensor> parameters, double lr) {
  if (options.optimizer == "rmsprop") {
    return std::make_unique<torch::optim::RMSprop>(std::move(parameters), torch::optim::RMSpropOptions(lr));
  }
  TORCH_CHECK(options.optimizer == "adam", "unknown optimizer ", options.optimizer);
  return std::make_unique<torch::optim::Adam>(
      std::move(parameters), torch::optim::AdamOptions(lr).betas({options.betas[0], options.betas[1]}));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

double linear_decay_factor(int64_t step, int64_t total_steps, int64_t decay_steps) {
  if (decay_steps <= 0) return 1.0;
  const int64_t left = total_steps - step;  // steps still to run
  return std::clamp(static_cast<double>(left) / static_cast<double>(decay_steps), 0.0, 1.0);
}

}  // namespace gankit::train
