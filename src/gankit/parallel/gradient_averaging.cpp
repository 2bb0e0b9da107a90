#include "gankit/parallel/gradient_averaging.h"

namespace gankit::parallel {

void average_gradients(torch::optim::Optimizer& optimizer, Group& group) {
  std::vector<torch::Tensor> gradients;
  for (auto& param_group : optimizer.param_groups()) {
    for (auto& parameter : param_group.params()) {
      if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
      gradients.push_back(parameter.grad());
    }
  }
  group.average(gradients);
}

}  // namespace gankit::parallel
