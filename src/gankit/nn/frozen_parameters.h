// Freezing a network for one backward pass: the generator's update runs backward through D for
// the gradient with respect to D's input only; D's own weight gradients would be thrown away at
// D's next zero_grad. Not computing them saves about a third of that backward pass.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace gankit::nn {

/// While alive, the module's parameters do not require gradients; restored on destruction.
class FrozenParameters {
 public:
  explicit FrozenParameters(torch::nn::Module& module) {
    for (auto& parameter : module.parameters()) {
      if (parameter.requires_grad()) {
        parameter.set_requires_grad(false);
        frozen_.push_back(parameter);
      }
    }
  }
  ~FrozenParameters() {
    for (auto& parameter : frozen_) parameter.set_requires_grad(true);
  }
  FrozenParameters(const FrozenParameters&) = delete;
  FrozenParameters& operator=(const FrozenParameters&) = delete;

 private:
  std::vector<torch::Tensor> frozen_;
};

}  // namespace gankit::nn
