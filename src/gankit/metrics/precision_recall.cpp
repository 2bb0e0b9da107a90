#include "gankit/metrics/precision_recall.h"

#include "gankit/metrics/nearest_neighbours.h"

namespace gankit::metrics {

namespace {

/// The fraction of `points` within (<=) the k-NN ball of at least one row of `centres`.
double share_inside(const torch::Tensor& centres, const torch::Tensor& points, int64_t k) {
  const auto radii = squared_knn_radii(centres, k).unsqueeze(0);  // [1,N_centres]
  int64_t inside = 0;
  for_each_distance_block(points, centres, [&](int64_t, torch::Tensor& block) {
    inside += block.le(radii).any(1).sum().item<int64_t>();
  });
  return static_cast<double>(inside) / static_cast<double>(points.size(0));
}

}  // namespace

PrecisionRecall precision_recall(const torch::Tensor& real, const torch::Tensor& fake, int64_t k) {
  check_knn_sets(real, fake, k, "precision_recall");
  const auto real64 = as_float64(real), fake64 = as_float64(fake);
  return {share_inside(real64, fake64, k), share_inside(fake64, real64, k)};
}

}  // namespace gankit::metrics
