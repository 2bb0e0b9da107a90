// The Fréchet distance between two Gaussians (the "F" of FID, Heusel et al. 2017).
#pragma once
#include "gankit/metrics/feature_statistics.h"

namespace gankit::metrics {

/// |mu_a - mu_b|^2 + Tr(S_a) + Tr(S_b) - 2 Tr((S_a S_b)^(1/2)), in float64.
///
/// pytorch-fid takes scipy.linalg.sqrtm of the non-symmetric S_a S_b; here the trace term comes
/// from symmetric eigendecompositions instead: with A = S_a^(1/2), A S_b A is similar to S_a S_b
/// and symmetric positive semi-definite, so Tr((S_a S_b)^(1/2)) = sum sqrt(eig(A S_b A)).
/// In both decompositions eigenvalues below D * eps * (the largest) count as 0: they are rounding
/// noise, which eigh cannot resolve either, and its square root (~1e-8 each) would otherwise add
/// up over the null space of rank-deficient covariances (fewer samples than dimensions) to ~1e-6.
/// So FD(x, x) is 0 to ~1e-13 relative to Tr(S), and no diagonal offset is needed.
/// Statistics of different dimensions are a gankit::Error.
double frechet_distance(const FeatureStatistics& a, const FeatureStatistics& b);

}  // namespace gankit::metrics
