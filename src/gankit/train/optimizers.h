// Optimisers chosen by config (train.optimizer), shared by every recipe.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "gankit/config/train_options.h"

namespace gankit::parallel {
class Group;
}

namespace gankit::train {

/// `options.optimizer`: adam (with options.betas) or rmsprop, at learning rate `lr`. In a
/// data-parallel `group` of more than one process it averages the ranks' gradients before each
/// step; `group` null: a single process.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const config::TrainOptions& options,
                                                        std::vector<torch::Tensor> parameters, double lr,
                                                        parallel::Group* group);

/// Sets every parameter group's learning rate (schedules).
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

/// The linear decay of pix2pix: 1 until the last `decay_steps` steps, then linearly down to 0 at
/// `total_steps`. decay_steps = 0 means constant.
double linear_decay_factor(int64_t step, int64_t total_steps, int64_t decay_steps);

}  // namespace gankit::train
