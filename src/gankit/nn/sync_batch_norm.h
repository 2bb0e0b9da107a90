// BatchNorm whose training statistics are those of the whole global batch, every rank's images
// together (PyTorch's SyncBatchNorm), for train.sync_bn in a data-parallel run. Outside a group,
// in eval mode, or inside parallel::LocalOnly it computes what LibTorch's BatchNorm does. Its
// parameters and buffers have BatchNorm's names, so checkpoints load either way.
#pragma once
#include <torch/torch.h>

namespace gankit::nn {

/// For [N, C, ...] input of any rank (BatchNorm1d's and BatchNorm2d's uses alike).
class SyncBatchNormImpl : public torch::nn::Cloneable<SyncBatchNormImpl> {
 public:
  explicit SyncBatchNormImpl(const torch::nn::BatchNormOptions& options_);
  void reset() override;
  void reset_running_stats();
  torch::Tensor forward(const torch::Tensor& input);
  void pretty_print(std::ostream& stream) const override;

  torch::nn::BatchNormOptions options;
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};
TORCH_MODULE(SyncBatchNorm);

/// The models' BatchNorm layers: SyncBatchNorm while a BuildSyncBatchNorm guard is alive on this
/// thread, else LibTorch's.
torch::nn::AnyModule batch_norm_1d(const torch::nn::BatchNormOptions& options);
torch::nn::AnyModule batch_norm_2d(const torch::nn::BatchNormOptions& options);

/// Networks built while this lives get SyncBatchNorm layers.
class BuildSyncBatchNorm {
 public:
  explicit BuildSyncBatchNorm(bool enabled = true);
  ~BuildSyncBatchNorm();
  BuildSyncBatchNorm(const BuildSyncBatchNorm&) = delete;
  BuildSyncBatchNorm& operator=(const BuildSyncBatchNorm&) = delete;

 private:
  bool previous_;
};

}  // namespace gankit::nn
