#include "gankit/losses/penalty.h"

#include <vector>

#include "gankit/error.h"
#include "gankit/parallel/global_draw.h"

namespace gankit::losses {

namespace {

/// ∇ₓ Σ D(x) with x a fresh leaf, kept in the graph (create_graph) so a penalty on it reaches D's
/// parameters: [N,C,H,W] -> [N, C*H*W].
torch::Tensor input_gradient(const Critic& critic, const torch::Tensor& images) {
  const auto x = images.detach().requires_grad_(true);
  const auto logits = critic(x);
  const auto grads = torch::autograd::grad({logits.sum()}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/true,
                                           /*create_graph=*/true);
  return grads[0].flatten(1);
}

}  // namespace

const EnumTable<Penalty>& penalties() {
  static const EnumTable<Penalty> table{
      {Penalty::None, "none", "no penalty"},
      {Penalty::GradientPenalty, "gp", "WGAN-GP, on real/fake interpolates"},
      {Penalty::R1, "r1", "R1, on real images"},
  };
  return table;
}

Penalty parse_penalty(const std::string& name) { return penalties().parse(name, "penalty"); }

torch::Tensor gradient_penalty(const Critic& critic, const torch::Tensor& real, const torch::Tensor& fake,
                               const torch::Tensor& epsilon) {
  TORCH_CHECK(real.sizes() == fake.sizes(), "gradient_penalty: real ", real.sizes(), " vs fake ",
              fake.sizes());
  const int64_t n = real.size(0);
  const auto eps = epsilon.defined() ? epsilon
                                      : parallel::draw_rows(n, [&](int64_t rows) { return torch::rand({rows}, real.options()); });
  TORCH_CHECK(eps.numel() == n, "gradient_penalty: epsilon needs one number per image, got ", eps.sizes());
  std::vector<int64_t> shape(real.dim(), 1);  // [N,1,1,1]
  shape[0] = n;
  const auto e = eps.to(real.options()).view(shape);
  // x̂ = εx + (1-ε)G(z), detached by input_gradient: the penalty trains D only.
  const auto norms = input_gradient(critic, e * real + (1 - e) * fake).norm(2, 1);  // [N]
  return (norms - 1).pow(2).mean();
}

torch::Tensor r1_penalty(const Critic& critic, const torch::Tensor& real) {
  // Σ g² rather than ‖g‖²: the same value without the square root, whose gradient at 0 is undefined.
  return input_gradient(critic, real).pow(2).sum(1).mean();
}

const char* penalty_name(Penalty penalty) { return penalties().name(penalty); }

PenaltyTerm penalty_term(Penalty penalty, double weight, const Critic& critic, const torch::Tensor& real,
                         const torch::Tensor& fake) {
  try {
    PenaltyTerm term;
    term.value = penalty == Penalty::R1 ? r1_penalty(critic, real) : gradient_penalty(critic, real, fake.detach());
    term.loss = (penalty == Penalty::R1 ? 0.5 * weight : weight) * term.value;
    return term;
  } catch (const c10::Error& e) {
    const std::string reason = e.what_without_backtrace();
    fail("train.penalty = {}: the discriminator cannot be differentiated twice ({})", penalty_name(penalty),
         reason.substr(0, reason.find('\n')));
  }
}

}  // namespace gankit::losses
