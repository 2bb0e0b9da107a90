// Per-image random numbers in a data-parallel run. Every rank's generator is seeded alike and
// draws alike, so each draws the numbers for the whole global batch and keeps its own rows: ranks
// never share noise, and N processes with batch B see exactly what one process with batch N*B
// would (the test that data parallelism is correct rests on this).
#pragma once
#include <torch/torch.h>

#include <functional>

namespace gankit::parallel {

/// `draw(n)` on a single process; `draw(n * ranks)` rows [rank*n, (rank+1)*n) inside the current
/// group. `draw` must put the image index on dimension 0.
torch::Tensor draw_rows(int64_t n, const std::function<torch::Tensor(int64_t)>& draw);

}  // namespace gankit::parallel
