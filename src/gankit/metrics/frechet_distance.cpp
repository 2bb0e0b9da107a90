#include "gankit/metrics/frechet_distance.h"

#include <limits>

#include "gankit/error.h"

namespace gankit::metrics {

namespace {

void check_statistics(const FeatureStatistics& s, const char* name) {
  if (!s.mean.defined() || !s.covariance.defined() || s.mean.dim() != 1 || s.covariance.dim() != 2 ||
      s.covariance.size(0) != s.mean.size(0) || s.covariance.size(1) != s.mean.size(0)) {
    fail("frechet_distance: statistics {} need a mean [D] and a covariance [D,D]", name);
  }
}

/// Runs LAPACK's symmetric eigensolvers on one thread for its lifetime. Under LibTorch's thread
/// team, Debian's OpenBLAS (OpenMP flavour) took 65 s for a 2048x2048 eigh on two threads against
/// 2.3 s on one (its threads spin against LibTorch's); and the solver's tridiagonal reduction is
/// memory-bound, so more threads gain little anyway.
class OneThread {
 public:
  OneThread() : saved_(torch::get_num_threads()) { torch::set_num_threads(1); }
  ~OneThread() { torch::set_num_threads(saved_); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int saved_;
};

/// The eigenvalues of a symmetric [D,D] matrix as returned by eigh, with those below
/// D * eps * (the largest) set to 0: below that they are rounding noise, negative ones included.
torch::Tensor denoised(const torch::Tensor& eigenvalues) {
  const double floor = static_cast<double>(eigenvalues.numel()) * std::numeric_limits<double>::epsilon() *
                       eigenvalues.max().clamp_min(0).item<double>();
  return torch::where(eigenvalues > floor, eigenvalues, torch::zeros_like(eigenvalues));
}

/// The principal square root of a symmetric positive semi-definite matrix.
torch::Tensor symmetric_sqrt(const torch::Tensor& matrix) {
  const auto [values, vectors] = [&] {
    OneThread one_thread;
    return torch::linalg::eigh((matrix + matrix.t()) / 2, "L");
  }();
  return (vectors * denoised(values).sqrt()).mm(vectors.t());
}

}  // namespace

double frechet_distance(const FeatureStatistics& a, const FeatureStatistics& b) {
  check_statistics(a, "a");
  check_statistics(b, "b");
  if (a.mean.size(0) != b.mean.size(0)) {
    fail("frechet_distance: the statistics have different dimensions ({} and {})", a.mean.size(0),
         b.mean.size(0));
  }
  const auto mean_a = a.mean.to(torch::kDouble), mean_b = b.mean.to(torch::kDouble);
  const auto cov_a = a.covariance.to(torch::kDouble), cov_b = b.covariance.to(torch::kDouble);
  const auto root_a = symmetric_sqrt(cov_a);
  const auto product = root_a.mm(cov_b).mm(root_a);  // similar to cov_a cov_b, but symmetric
  const auto eigenvalues = [&] {
    OneThread one_thread;
    return torch::linalg::eigvalsh((product + product.t()) / 2, "L");
  }();
  const auto trace_sqrt = denoised(eigenvalues).sqrt().sum();
  const auto difference = mean_a - mean_b;
  return (difference.dot(difference) + cov_a.trace() + cov_b.trace() - 2 * trace_sqrt).item<double>();
}

}  // namespace gankit::metrics
