// The kernel inception distance (KID, Bińkowski et al. 2018): the unbiased squared MMD between
// two sets of features under the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over
// random subsets, as torch-fidelity and clean-fid compute it.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace gankit::metrics {

struct KidResult {
  double mean = 0;          ///< the MMD^2 averaged over the subsets
  double std = 0;           ///< its standard deviation over the subsets (ddof = 0, as torch-fidelity)
  int64_t subsets = 0;      ///< how many subsets were drawn
  int64_t subset_size = 0;  ///< m, the size of each (from each set)
};

/// The unbiased MMD^2 between all of x [n,D] and all of y [m,D], in float64:
///   sum_{i!=j} k(x_i,x_j) / (n(n-1)) + sum_{i!=j} k(y_i,y_j) / (m(m-1)) - 2 sum_{i,j} k(x_i,y_j) / (nm).
/// With n = m this is KID's per-subset figure. Needs 2 or more samples in each set.
double mmd2_unbiased(const torch::Tensor& x, const torch::Tensor& y);

/// KID between `real` [N_real,D] and `fake` [N_fake,D] features: `subsets` times, draws
/// m = min(subset_size, N_real, N_fake) rows from each set without replacement (a real subset,
/// then a fake one, each a prefix of a random permutation from `generator`, a CPU generator) and
/// takes their mmd2_unbiased. The same generator state gives the same result. Needs 2 or more
/// samples in each set, subsets >= 1 and subset_size >= 2.
KidResult kernel_inception_distance(const torch::Tensor& real, const torch::Tensor& fake,
                                    torch::Generator& generator, int64_t subsets = 100,
                                    int64_t subset_size = 1000);

}  // namespace gankit::metrics
