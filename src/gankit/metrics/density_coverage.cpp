#include "gankit/metrics/density_coverage.h"

#include "gankit/metrics/nearest_neighbours.h"

namespace gankit::metrics {

DensityCoverage density_coverage(const torch::Tensor& real, const torch::Tensor& fake, int64_t k) {
  check_knn_sets(real, fake, k, "density_coverage");
  const auto real64 = as_float64(real), fake64 = as_float64(fake);
  const auto radii = squared_knn_radii(real64, k);  // [N]
  int64_t hits = 0, covered = 0;
  // Rows are real samples, so each row's ball is tested against every fake at once.
  for_each_distance_block(real64, fake64, [&](int64_t begin, torch::Tensor& block) {
    const auto inside = block.le(radii.slice(0, begin, begin + block.size(0)).unsqueeze(1));  // [rows,M]
    hits += inside.sum().item<int64_t>();
    covered += inside.any(1).sum().item<int64_t>();
  });
  const auto n = static_cast<double>(real.size(0)), m = static_cast<double>(fake.size(0));
  return {static_cast<double>(hits) / (static_cast<double>(k) * m), static_cast<double>(covered) / n};
}

}  // namespace gankit::metrics
