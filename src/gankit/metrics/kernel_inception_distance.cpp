#include "gankit/metrics/kernel_inception_distance.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gankit/error.h"

namespace gankit::metrics {

namespace {

void check_sets(const torch::Tensor& x, const torch::Tensor& y, const char* what) {
  if (x.dim() != 2 || y.dim() != 2) {
    fail("{}: expects two feature sets [N,D], got {} and {} dimensions", what, x.dim(), y.dim());
  }
  if (x.size(1) != y.size(1))
    fail("{}: the feature sets have different dimensions ({} and {})", what, x.size(1), y.size(1));
  if (x.size(0) < 2 || y.size(0) < 2) {
    fail("{}: needs at least 2 samples in each set, got {} and {}", what, x.size(0), y.size(0));
  }
}

/// (x y^T / d + 1)^3 for float64 x [n,d], y [m,d]: [n,m].
torch::Tensor cubic_kernel(const torch::Tensor& x, const torch::Tensor& y) {
  return (x.mm(y.t()) / static_cast<double>(x.size(1)) + 1).pow(3);
}

/// The sum of a square matrix without its diagonal.
double off_diagonal_sum(const torch::Tensor& matrix) {
  return (matrix.sum() - matrix.diagonal().sum()).item<double>();
}

/// mmd2_unbiased for float64 sets that passed check_sets.
double mmd2_of(const torch::Tensor& x, const torch::Tensor& y) {
  const auto n = static_cast<double>(x.size(0)), m = static_cast<double>(y.size(0));
  return off_diagonal_sum(cubic_kernel(x, x)) / (n * (n - 1)) +
         off_diagonal_sum(cubic_kernel(y, y)) / (m * (m - 1)) -
         2 * cubic_kernel(x, y).sum().item<double>() / (n * m);
}

}  // namespace

double mmd2_unbiased(const torch::Tensor& x, const torch::Tensor& y) {
  check_sets(x, y, "mmd2_unbiased");
  return mmd2_of(x.to(torch::kDouble), y.to(torch::kDouble));
}

KidResult kernel_inception_distance(const torch::Tensor& real, const torch::Tensor& fake,
                                    torch::Generator& generator, int64_t subsets, int64_t subset_size) {
  check_sets(real, fake, "kernel_inception_distance");
  if (subsets < 1) fail("kernel_inception_distance: needs at least 1 subset, got {}", subsets);
  if (subset_size < 2)
    fail("kernel_inception_distance: the subset size must be at least 2, got {}", subset_size);
  const auto real64 = real.to(torch::kDouble), fake64 = fake.to(torch::kDouble);
  const int64_t size = std::min({subset_size, real.size(0), fake.size(0)});
  std::vector<double> values;
  values.reserve(subsets);
  for (int64_t i = 0; i < subsets; ++i) {
    const auto real_rows = torch::randperm(real.size(0), generator).slice(0, 0, size);
    const auto fake_rows = torch::randperm(fake.size(0), generator).slice(0, 0, size);
    values.push_back(mmd2_of(real64.index_select(0, real_rows), fake64.index_select(0, fake_rows)));
  }
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(subsets);
  double variance = 0;
  for (double v : values) variance += (v - mean) * (v - mean);
  variance /= static_cast<double>(subsets);
  return {mean, std::sqrt(variance), subsets, size};
}

}  // namespace gankit::metrics
