#include "gankit/metrics/nearest_neighbours.h"

#include <limits>

#include "gankit/error.h"

namespace gankit::metrics {

torch::Tensor squared_knn_radii(const torch::Tensor& set, int64_t k) {
  auto radii = torch::empty({set.size(0)}, torch::kDouble);
  for_each_distance_block(set, set, [&](int64_t begin, torch::Tensor& block) {
    block.diagonal(begin).fill_(std::numeric_limits<double>::infinity());
    radii.slice(0, begin, begin + block.size(0)).copy_(std::get<0>(block.kthvalue(k, 1)));
  });
  return radii;
}

torch::Tensor as_float64(const torch::Tensor& set) { return set.to(torch::kDouble).contiguous(); }

void check_knn_sets(const torch::Tensor& real, const torch::Tensor& fake, int64_t k, const char* metric) {
  if (real.dim() != 2 || fake.dim() != 2) {
    fail("{}: expects two feature sets [N,D], got {} and {} dimensions", metric, real.dim(), fake.dim());
  }
  if (real.size(1) != fake.size(1)) {
    fail("{}: the feature sets have different dimensions ({} and {})", metric, real.size(1), fake.size(1));
  }
  if (k < 1) fail("{}: k must be at least 1, got {}", metric, k);
  if (real.size(0) < k + 1 || fake.size(0) < k + 1) {
    fail("{}: k = {} needs at least {} samples in each set, got {} real and {} fake", metric, k, k + 1,
         real.size(0), fake.size(0));
  }
}

}  // namespace gankit::metrics
