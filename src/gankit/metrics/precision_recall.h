// Improved precision and recall (Kynkäänniemi et al. 2019): how much of the generated set lies on
// the real manifold (precision) and how much of the real set the generated one covers (recall),
// each manifold approximated by k-nearest-neighbour balls around its samples.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace gankit::metrics {

struct PrecisionRecall {
  double precision = 0;  ///< fraction of fake samples inside some real sample's ball
  double recall = 0;     ///< fraction of real samples inside some fake sample's ball
};

/// Precision and recall of `fake` [N_fake,D] against `real` [N_real,D] features. A sample's ball
/// has as radius the Euclidean distance to its k-th nearest neighbour among the other samples of
/// its set; a point is inside when its distance is <= that radius. Distances are computed in
/// float64 (from |a|^2 - 2 a.b + |b|^2) a block of rows at a time, so the full N_fake x N_real
/// matrix is never held (about 32 MB at once). Needs k >= 1 and at least k + 1 samples in each set.
PrecisionRecall precision_recall(const torch::Tensor& real, const torch::Tensor& fake, int64_t k = 3);

}  // namespace gankit::metrics
