// Data parallelism's one change to the update: before an optimiser steps, every rank's gradients
// are replaced by their mean over the ranks (bucketed all-reduce), so identical weights take
// identical steps. A decorator over LibTorch's optimisers, so every recipe gets it unchanged and
// checkpoints hold the plain optimiser state.
#pragma once
#include <torch/torch.h>

#include <utility>
#include <vector>

#include "gankit/parallel/group.h"

namespace gankit::parallel {

/// Mean over `group`'s ranks of the gradients of every parameter `optimizer` updates. A parameter
/// without a gradient gets zeros first, so every rank all-reduces the same buckets.
void average_gradients(torch::optim::Optimizer& optimizer, Group& group);

template <typename Optimizer>
class GradientAveraging : public Optimizer {
 public:
  template <typename... Args>
  explicit GradientAveraging(Group& group, Args&&... args)
      : Optimizer(std::forward<Args>(args)...), group_(group) {}

  torch::Tensor step(torch::optim::Optimizer::LossClosure closure = nullptr) override {
    average_gradients(*this, group_);
    return Optimizer::step(std::move(closure));
  }

 private:
  Group& group_;
};

}  // namespace gankit::parallel
