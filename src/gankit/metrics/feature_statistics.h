// The mean and covariance of a set of feature vectors (e.g. Inception pool features): the
// Gaussian that the Fréchet distance (frechet_distance.h) compares.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace gankit::metrics {

struct FeatureStatistics {
  torch::Tensor mean;        ///< float64 [D]
  torch::Tensor covariance;  ///< float64 [D,D], unbiased (divides by N - 1), as numpy.cov(rowvar=False)
  int64_t count = 0;         ///< N, the number of feature vectors behind them
};

/// Statistics of `features` [N,D] (any floating dtype), computed in float64. Needs N >= 2.
FeatureStatistics feature_statistics(const torch::Tensor& features);

}  // namespace gankit::metrics
