// k-nearest-neighbour balls of feature sets, the common ground of improved precision/recall
// (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020): distances are float64 and
// computed a block of rows at a time, so an N x M distance matrix is never held whole.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>

namespace gankit::metrics {

/// Elements of one block of the distance matrix: 2^22 float64 values, 32 MB.
constexpr int64_t kDistanceBlockElements = int64_t{1} << 22;

/// Calls visit(begin, block) with block = the squared Euclidean distances [rows, N_b] from rows
/// begin.. of `a` [N_a,D] to every row of `b` [N_b,D] (both float64, contiguous), for consecutive
/// row blocks covering `a`.
template <typename Visit>
void for_each_distance_block(const torch::Tensor& a, const torch::Tensor& b, Visit&& visit) {
  const auto a_norms = a.square().sum(1, true);         // [N_a,1]
  const auto b_norms = b.square().sum(1).unsqueeze(0);  // [1,N_b]
  const int64_t rows = std::max<int64_t>(1, kDistanceBlockElements / std::max<int64_t>(1, b.size(0)));
  for (int64_t begin = 0; begin < a.size(0); begin += rows) {
    const auto part = a.slice(0, begin, begin + rows);
    auto block = (a_norms.slice(0, begin, begin + rows) + b_norms).addmm_(part, b.t(), 1, -2);
    visit(begin, block.clamp_min_(0));  // rounding can make a near-zero distance negative
  }
}

/// The squared distance from each row of `set` [N,D] (float64) to its k-th nearest other row:
/// a sample is not its own neighbour, even where a duplicate of it is. Needs N > k >= 1.
torch::Tensor squared_knn_radii(const torch::Tensor& set, int64_t k);

/// `set` as contiguous float64, the precision the ball tests are made in.
torch::Tensor as_float64(const torch::Tensor& set);

/// Throws gankit::Error unless `real` and `fake` are [N,D] sets of one width, each with more
/// than k rows, and k >= 1. `metric` names the caller in the message.
void check_knn_sets(const torch::Tensor& real, const torch::Tensor& fake, int64_t k, const char* metric);

}  // namespace gankit::metrics
