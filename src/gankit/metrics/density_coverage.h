// Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for
// Generative Models"): precision and recall rebuilt on the real samples' k-NN balls alone, so
// that outliers among the generated samples cannot inflate them.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace gankit::metrics {

struct DensityCoverage {
  /// (1 / kM) * sum over the M fake samples of the real balls holding each one: 1 when fakes are
  /// spread like the reals, above 1 when they crowd into dense real regions, near 0 off the manifold.
  double density = 0;
  /// Fraction of real samples whose ball holds at least one fake sample (0..1): diversity.
  double coverage = 0;
};

/// Density and coverage of `fake` [M,D] against `real` [N,D] features. A real sample's ball has as
/// radius the Euclidean distance to its k-th nearest other real sample; inside means <= that
/// radius. Float64, computed a block of rows at a time. Needs k >= 1 and more than k samples in
/// each set (gankit::Error otherwise).
DensityCoverage density_coverage(const torch::Tensor& real, const torch::Tensor& fake, int64_t k = 5);

}  // namespace gankit::metrics
