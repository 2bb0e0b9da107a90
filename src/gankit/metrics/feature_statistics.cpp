#include "gankit/metrics/feature_statistics.h"

#include "gankit/error.h"

namespace gankit::metrics {

FeatureStatistics feature_statistics(const torch::Tensor& features) {
  if (features.dim() != 2)
    fail("feature_statistics: expects features [N,D], got {} dimensions", features.dim());
  const int64_t count = features.size(0);
  if (count < 2) fail("feature_statistics: a covariance needs at least 2 feature vectors, got {}", count);
  const auto x = features.to(torch::kDouble);
  auto mean = x.mean(0);
  const auto centred = x - mean;
  // Centring first (rather than E[xx^T] - mu mu^T) keeps the covariance accurate when |mu| >> sigma.
  auto covariance = centred.t().mm(centred) / static_cast<double>(count - 1);
  return {std::move(mean), std::move(covariance), count};
}

}  // namespace gankit::metrics
