#include "gankit/train/optimizers.h"

#include <algorithm>

#include "gankit/parallel/gradient_averaging.h"

namespace gankit::train {

namespace {
template <typename T>
struct OptimizerType {
  using type = T;
};
}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const config::TrainOptions& options,
                                                        std::vector<torch::Tensor> parameters, double lr,
                                                        parallel::Group* group) {
  auto build = [&](auto tag, auto optimizer_options) -> std::unique_ptr<torch::optim::Optimizer> {
    using Optimizer = typename decltype(tag)::type;
    if (group != nullptr && group->size() > 1) {
      return std::make_unique<parallel::GradientAveraging<Optimizer>>(*group, std::move(parameters), optimizer_options);
    }
    return std::make_unique<Optimizer>(std::move(parameters), optimizer_options);
  };
  const auto optimizer = config::optimizers().find(options.optimizer);
  TORCH_CHECK(optimizer.has_value(), "unknown optimizer ", options.optimizer);
  switch (*optimizer) {
    case config::Optimizer::RmsProp:
      return build(OptimizerType<torch::optim::RMSprop>{}, torch::optim::RMSpropOptions(lr));
    case config::Optimizer::Adam:
      break;
  }
  return build(OptimizerType<torch::optim::Adam>{},
               torch::optim::AdamOptions(lr).betas({options.betas[0], options.betas[1]}));
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
