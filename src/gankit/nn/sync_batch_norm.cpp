#include "gankit/nn/sync_batch_norm.h"

#include "gankit/parallel/differentiable_sum.h"
#include "gankit/parallel/group.h"

namespace gankit::nn {

namespace {

thread_local bool build_sync = false;

/// Batch norm over every rank's batch: each rank's count, mean and variance (stable, from
/// var_mean) become sums in float64, those are summed over the ranks, and the global mean and
/// biased variance normalise this rank's part. Running statistics as torch.nn.SyncBatchNorm keeps
/// them: the unbiased variance, momentum or (momentum unset) a cumulative average.
torch::Tensor batch_norm_over_ranks(SyncBatchNormImpl& bn, const torch::Tensor& x, parallel::Group& group) {
  const int64_t channels = x.size(1);
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  const auto [local_var, local_mean] = torch::var_mean(x, dims, /*unbiased=*/false);
  const double local_count = static_cast<double>(x.numel() / channels);
  const auto mean64 = local_mean.to(torch::kDouble), var64 = local_var.to(torch::kDouble);
  const auto sums = parallel::differentiable_sum(
      torch::cat({mean64 * local_count, (var64 + mean64 * mean64) * local_count,
                  torch::full({1}, local_count, mean64.options())}),
      group);
  const auto count = sums[2 * channels];
  const auto mean = sums.narrow(0, 0, channels) / count;
  const auto var = (sums.narrow(0, channels, channels) / count - mean * mean).clamp_min(0.0);

  const auto& options = bn.options;
  if (options.track_running_stats()) {
    torch::NoGradGuard no_grad;
    bn.num_batches_tracked += 1;
    const double factor = options.momentum().has_value()
                              ? *options.momentum()
                              : 1.0 / static_cast<double>(bn.num_batches_tracked.item<int64_t>());
    const double n = count.item<double>();
    const auto unbiased = var * (n / std::max(1.0, n - 1.0));
    bn.running_mean.mul_(1 - factor).add_(mean.to(bn.running_mean.scalar_type()), factor);
    bn.running_var.mul_(1 - factor).add_(unbiased.to(bn.running_var.scalar_type()), factor);
  }
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[1] = channels;
  const auto scale = torch::rsqrt(var + options.eps()).to(x.scalar_type()).view(shape);
  auto y = (x - mean.to(x.scalar_type()).view(shape)) * scale;
  if (options.affine()) y = y * bn.weight.view(shape) + bn.bias.view(shape);
  return y;
}

}  // namespace

SyncBatchNormImpl::SyncBatchNormImpl(const torch::nn::BatchNormOptions& options_) : options(options_) { reset(); }

// The same names, initial values and flags as torch::nn::BatchNorm's, so state dicts match.
void SyncBatchNormImpl::reset() {
  if (options.affine()) {
    weight = register_parameter("weight", torch::ones({options.num_features()}));
    bias = register_parameter("bias", torch::zeros({options.num_features()}));
  } else {
    weight = register_parameter("weight", torch::Tensor(), /*requires_grad=*/false);
    bias = register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", torch::zeros({options.num_features()}));
    running_var = register_buffer("running_var", torch::ones({options.num_features()}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
  } else {
    running_mean = register_buffer("running_mean", torch::Tensor());
    running_var = register_buffer("running_var", torch::Tensor());
    num_batches_tracked = register_buffer("num_batches_tracked", torch::Tensor());
  }
}

void SyncBatchNormImpl::reset_running_stats() {
  if (!options.track_running_stats()) return;
  torch::NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

torch::Tensor SyncBatchNormImpl::forward(const torch::Tensor& input) {
  TORCH_CHECK(input.dim() >= 2, "SyncBatchNorm expects [N, C, ...] input, got ", input.sizes());
  auto* group = parallel::current_group();
  if (is_training() && group != nullptr && group->size() > 1) return batch_norm_over_ranks(*this, input, *group);
  // One process: exactly torch::nn::BatchNorm's forward.
  double factor = 0.0;
  if (is_training() && options.track_running_stats()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked += 1;
    factor = options.momentum().has_value() ? *options.momentum()
                                            : 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
  }
  return torch::batch_norm(input, weight, bias, running_mean, running_var,
                           is_training() || !options.track_running_stats(), factor, options.eps(),
                           torch::cuda::cudnn_is_available());
}

void SyncBatchNormImpl::pretty_print(std::ostream& stream) const {
  stream << "gankit::nn::SyncBatchNorm(" << options.num_features() << ", eps=" << options.eps() << ")";
}

torch::nn::AnyModule batch_norm_1d(const torch::nn::BatchNormOptions& options) {
  return build_sync ? torch::nn::AnyModule(SyncBatchNorm(options)) : torch::nn::AnyModule(torch::nn::BatchNorm1d(options));
}

torch::nn::AnyModule batch_norm_2d(const torch::nn::BatchNormOptions& options) {
  return build_sync ? torch::nn::AnyModule(SyncBatchNorm(options)) : torch::nn::AnyModule(torch::nn::BatchNorm2d(options));
}

BuildSyncBatchNorm::BuildSyncBatchNorm(bool enabled) : previous_(build_sync) { build_sync = enabled; }
BuildSyncBatchNorm::~BuildSyncBatchNorm() { build_sync = previous_; }

}  // namespace gankit::nn
