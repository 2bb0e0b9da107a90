#include "gankit/metrics/inception_score.h"

#include "gankit/error.h"

namespace gankit::metrics {

InceptionScore inception_score(const torch::Tensor& logits, int64_t splits) {
  if (logits.dim() != 2) fail("inception_score: expects logits [N,K], got {} dimensions", logits.dim());
  if (splits < 1) fail("inception_score: needs at least 1 split, got {}", splits);
  const int64_t count = logits.size(0);
  if (count < splits) fail("inception_score: {} predictions cannot fill {} splits", count, splits);
  const auto log_p = torch::log_softmax(logits.to(torch::kDouble), 1);  // finite even where p underflows
  const auto p = log_p.exp();
  auto scores = torch::empty({splits}, torch::kDouble);
  for (int64_t i = 0; i < splits; ++i) {
    const int64_t begin = i * count / splits, end = (i + 1) * count / splits;
    const auto part = p.slice(0, begin, end), log_part = log_p.slice(0, begin, end);
    const auto log_marginal = part.mean(0, true).log();
    // p log(p / p(y)), taken as 0 where p is 0 (the original would give 0 * -inf = nan there).
    const auto terms = torch::where(part > 0, part * (log_part - log_marginal), torch::zeros_like(part));
    scores[i] = terms.sum(1).mean().exp();
  }
  return {scores.mean().item<double>(), scores.std(/*unbiased=*/false).item<double>()};
}

}  // namespace gankit::metrics
