// Batches for training: shuffled with the run's seed, last partial batch dropped, prepared ahead
// on a background thread so the training step never waits.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>

#include "gankit/data/data_options.h"

namespace gankit::data {

/// One training batch.
struct Batch {
  torch::Tensor images;   ///< float32 [B,C,H,W] in [-1, 1]; for paired data the model's input
  torch::Tensor labels;   ///< int64 [B]; undefined for unlabelled data
  torch::Tensor targets;  ///< float32 [B,C,H,W] in [-1, 1], the other side of each pair (same
                          ///< crop and flip as images); undefined for unpaired data
};

/// What the model needs to know about the data, available before the first batch.
struct DataInfo {
  int64_t size = 0;         ///< images in the set
  int64_t channels = 0;     ///< C of every batch (of images and of targets alike)
  int64_t image_size = 0;   ///< H = W of every batch
  int64_t num_classes = 0;  ///< 0 when unlabelled
  bool streamed = false;    ///< decoded on the fly rather than held in memory
  bool paired = false;      ///< batches carry targets (data.pairs)
  std::string description;  ///< e.g. "fashion-mnist train: 60000 images 1x28x28 (10 classes) from /usr/share/..."
};

/// Runtime settings of a loader that are not part of the data config.
struct LoaderOptions {
  int64_t batch_size = 64;  ///< images per batch of this process
  uint64_t seed = 0;
  /// Data parallelism: the global batch is batch_size * world_size images and this process gets
  /// rows [rank * batch_size, (rank + 1) * batch_size) of it, so the ranks' shards are disjoint
  /// and together cover what one process with the global batch would read.
  int64_t rank = 0;
  int64_t world_size = 1;
};

/// Batch k (counted from 0 over the whole run) is a pure function of (data, seed, k, rank, world
/// size): epoch e = k / batches_per_epoch() uses a permutation drawn from the seed and e, and
/// random augmentation draws from the seed and k (for the whole global batch). So seek(k) after a resume yields the same batches an
/// uninterrupted run would have seen.
class Loader {
 public:
  virtual ~Loader() = default;
  virtual const DataInfo& info() const = 0;
  /// Global batches per epoch: floor(N / (batch_size * world_size)).
  virtual int64_t batches_per_epoch() const = 0;
  /// The next batch; blocks only if the background thread is behind.
  virtual Batch next() = 0;
  /// Continue from global batch index k (used on resume).
  virtual void seek(int64_t batch_index) = 0;
  /// Global index of the batch next() returns next.
  virtual int64_t position() const = 0;
};

/// Opens the data set described by `data` (throws gankit::Error naming the file on bad input).
std::unique_ptr<Loader> make_loader(const DataOptions& data, const LoaderOptions& options);

/// Reads the whole set into memory as uint8 [N,C,H,W] after fitting (no random augmentation):
/// for evaluation and tests. Labels int64 [N] or undefined. For paired data images are the
/// model's inputs and targets the other sides (data.direction applied).
struct ImageSet {
  torch::Tensor images;
  torch::Tensor labels;
  int64_t num_classes = 0;
  torch::Tensor targets{};  ///< uint8 [N,C,H,W]; undefined for unpaired data
};
ImageSet load_images(const DataOptions& data);

/// The images a run on `data` never trains on, for evaluation: the set's own test split (or an
/// image folder's test/ or val/), or the last data.holdout files. An empty set (images undefined)
/// when there is none: a flat folder, a CSV or an IDX file without data.holdout reads the same
/// images for either split, and those are training images.
ImageSet load_held_out(const DataOptions& data);

}  // namespace gankit::data
