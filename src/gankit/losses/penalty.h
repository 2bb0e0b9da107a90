// Gradient penalties on the discriminator, added to its loss: WGAN-GP (Gulrajani et al. 2017)
// and R1 (Mescheder et al. 2018). Both differentiate D's gradient (double backward).
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>

#include "gankit/enum_table.h"

namespace gankit::losses {

enum class Penalty {
  None,
  GradientPenalty,  ///< "gp": E[(‖∇D(x̂)‖₂ − 1)²] on x̂ = εx + (1−ε)G(z), ε ~ U[0,1] per image
  R1,               ///< "r1": E[‖∇D(x)‖₂²] on real images
};

/// Every penalty with its name (train.penalty).
const EnumTable<Penalty>& penalties();
/// A name of penalties(); anything else throws gankit::Error listing the valid names.
Penalty parse_penalty(const std::string& name);

/// D as a function of images alone (labels, for conditional models, bound by the caller):
/// images [N,C,H,W] -> logits [N].
using Critic = std::function<torch::Tensor(const torch::Tensor&)>;

/// E[(‖∇ₓD(x̂)‖₂ − 1)²] (unscaled; WGAN-GP uses λ = 10). `epsilon` [N] mixes real and fake;
/// undefined = drawn U[0,1) from torch's default generator. Differentiable in D's parameters.
torch::Tensor gradient_penalty(const Critic& critic, const torch::Tensor& real, const torch::Tensor& fake,
                               const torch::Tensor& epsilon = {});

/// E[‖∇ₓD(x)‖₂²] on real images (unscaled; R1 adds γ/2 times this). Differentiable in D's
/// parameters.
torch::Tensor r1_penalty(const Critic& critic, const torch::Tensor& real);

/// "gp" or "r1" (the metric name of a penalty); "none" for None.
const char* penalty_name(Penalty penalty);

/// A penalty on one D step: its value (for the logs) and the term it adds to D's loss.
struct PenaltyTerm {
  torch::Tensor value;  ///< unscaled, as gradient_penalty / r1_penalty return it
  torch::Tensor loss;   ///< λ·gp (WGAN-GP), or γ/2·R1 (Mescheder et al. 2018)
};

/// The term `penalty` (not None) of weight λ or γ adds to D's loss; fake is detached here. A D
/// that cannot be differentiated twice is a gankit::Error naming train.penalty.
PenaltyTerm penalty_term(Penalty penalty, double weight, const Critic& critic, const torch::Tensor& real,
                         const torch::Tensor& fake);

}  // namespace gankit::losses
