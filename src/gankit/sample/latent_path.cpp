#include "gankit/sample/latent_path.h"

#include "gankit/error.h"

namespace gankit::sample {

torch::Tensor latent_path(const torch::Tensor& from, const torch::Tensor& to, int64_t steps, bool spherical) {
  if (steps < 2) fail("an interpolation needs at least 2 steps, got {}", steps);
  const auto t = torch::linspace(0, 1, steps, from.options()).view({1, steps, 1});  // [1,S,1]
  const auto a = from.unsqueeze(1), b = to.unsqueeze(1);                          // [P,1,Z]
  const auto straight = a * (1 - t) + b * t;
  if (!spherical) return straight;
  const auto cos_omega =
      (torch::nn::functional::normalize(from, torch::nn::functional::NormalizeFuncOptions().dim(1)) *
       torch::nn::functional::normalize(to, torch::nn::functional::NormalizeFuncOptions().dim(1)))
          .sum(1)
          .clamp(-1, 1)
          .view({-1, 1, 1});
  const auto omega = torch::acos(cos_omega);
  const auto sin_omega = torch::sin(omega);
  const auto degenerate = sin_omega.abs() < 1e-6;
  const auto safe_sin = torch::where(degenerate, torch::ones_like(sin_omega), sin_omega);
  const auto arc = (torch::sin((1 - t) * omega) * a + torch::sin(t * omega) * b) / safe_sin;
  return torch::where(degenerate, straight, arc);
}

}  // namespace gankit::sample
