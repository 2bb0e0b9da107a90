// The sum over a group's ranks as an autograd function: SyncBatchNorm's statistics. Its backward
// is the same all-reduce of the gradients, since every rank's output depends on every rank's input.
#pragma once
#include <torch/torch.h>

#include "gankit/parallel/group.h"

namespace gankit::parallel {

/// Sum of `tensor` over the ranks of `group`, differentiable.
torch::Tensor differentiable_sum(const torch::Tensor& tensor, Group& group);

}  // namespace gankit::parallel
