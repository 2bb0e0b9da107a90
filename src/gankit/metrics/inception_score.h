// The Inception Score (Salimans et al. 2016) from a classifier's logits on generated images.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace gankit::metrics {

struct InceptionScore {
  double mean = 0;  ///< the score averaged over the splits
  double std = 0;   ///< its standard deviation over the splits (ddof = 0, numpy's default)
};

/// IS from class logits [N,K]: p(y|x) = softmax in float64; the rows are cut into `splits`
/// contiguous chunks, chunk i = rows [i*N/splits, (i+1)*N/splits) (integer division, as the
/// original implementation), and each chunk scores exp(mean_x KL(p(y|x) || p(y))) with p(y) the
/// chunk's mean prediction. Ranges from 1 (every prediction alike) to K (confident and evenly
/// spread over the classes). Needs N >= splits >= 1.
InceptionScore inception_score(const torch::Tensor& logits, int64_t splits = 10);

}  // namespace gankit::metrics
