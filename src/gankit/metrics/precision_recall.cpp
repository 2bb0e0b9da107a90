#include "gankit/metrics/precision_recall.h"

#include <algorithm>
#include <limits>

#include "gankit/error.h"

namespace gankit::metrics {

namespace {

/// Elements of one block of the distance matrix: 2^22 float64 values, 32 MB.
constexpr int64_t kBlockElements = int64_t{1} << 22;

/// Calls visit(begin, block) with block = the squared distances [rows, N_b] from rows
/// begin.. of `a` [N_a,D] to every row of `b` [N_b,D], for consecutive row blocks covering `a`.
template <typename Visit>
void for_each_distance_block(const torch::Tensor& a, const torch::Tensor& b, Visit&& visit) {
  const auto a_norms = a.square().sum(1, true);         // [N_a,1]
  const auto b_norms = b.square().sum(1).unsqueeze(0);  // [1,N_b]
  const int64_t rows = std::max<int64_t>(1, kBlockElements / b.size(0));
  for (int64_t begin = 0; begin < a.size(0); begin += rows) {
    const auto part = a.slice(0, begin, begin + rows);
    auto block = (a_norms.slice(0, begin, begin + rows) + b_norms).addmm_(part, b.t(), 1, -2);
    visit(begin, block.clamp_min_(0));  // rounding can make a near-zero distance negative
  }
}

/// The squared distance from each row of `set` to its k-th nearest other row.
torch::Tensor squared_radii(const torch::Tensor& set, int64_t k) {
  auto radii = torch::empty({set.size(0)}, torch::kDouble);
  for_each_distance_block(set, set, [&](int64_t begin, torch::Tensor& block) {
    // A sample is not its own neighbour, even where a duplicate of it is.
    block.diagonal(begin).fill_(std::numeric_limits<double>::infinity());
    radii.slice(0, begin, begin + block.size(0)).copy_(std::get<0>(block.kthvalue(k, 1)));
  });
  return radii;
}

/// The fraction of `points` within (<=) the k-NN ball of at least one row of `centres`.
double coverage(const torch::Tensor& centres, const torch::Tensor& points, int64_t k) {
  const auto radii = squared_radii(centres, k).unsqueeze(0);  // [1,N_centres]
  int64_t inside = 0;
  for_each_distance_block(points, centres, [&](int64_t, torch::Tensor& block) {
    inside += block.le(radii).any(1).sum().item<int64_t>();
  });
  return static_cast<double>(inside) / static_cast<double>(points.size(0));
}

}  // namespace

PrecisionRecall precision_recall(const torch::Tensor& real, const torch::Tensor& fake, int64_t k) {
  if (real.dim() != 2 || fake.dim() != 2) {
    fail("precision_recall: expects two feature sets [N,D], got {} and {} dimensions", real.dim(),
         fake.dim());
  }
  if (real.size(1) != fake.size(1)) {
    fail("precision_recall: the feature sets have different dimensions ({} and {})", real.size(1),
         fake.size(1));
  }
  if (k < 1) fail("precision_recall: k must be at least 1, got {}", k);
  if (real.size(0) < k + 1 || fake.size(0) < k + 1) {
    fail("precision_recall: k = {} needs at least {} samples in each set, got {} real and {} fake", k, k + 1,
         real.size(0), fake.size(0));
  }
  const auto real64 = real.to(torch::kDouble).contiguous(), fake64 = fake.to(torch::kDouble).contiguous();
  return {coverage(real64, fake64, k), coverage(fake64, real64, k)};
}

}  // namespace gankit::metrics
