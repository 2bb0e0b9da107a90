#include "gankit/nn/batchnorm_stats.h"

#include "gankit/nn/sync_batch_norm.h"

namespace gankit::nn {

namespace {

/// Calls f(impl) for every BatchNorm1d/2d and SyncBatchNorm under `module`.
template <typename F>
void for_each_batchnorm(torch::nn::Module& module, F&& f) {
  module.apply([&](torch::nn::Module& child) {
    if (auto* bn2 = child.as<torch::nn::BatchNorm2d>()) {
      f(*bn2);
    } else if (auto* bn1 = child.as<torch::nn::BatchNorm1d>()) {
      f(*bn1);
    } else if (auto* sync = child.as<SyncBatchNorm>()) {
      f(*sync);
    }
  });
}

}  // namespace

bool has_batchnorm(torch::nn::Module& module) {
  bool found = false;
  for_each_batchnorm(module, [&](auto& bn) { found = found || bn.options.track_running_stats(); });
  return found;
}

void recompute_batchnorm_stats(torch::nn::Module& module, const std::function<void()>& forward,
                               int64_t batches) {
  const bool was_training = module.is_training();
  std::vector<c10::optional<double>> momenta;
  for_each_batchnorm(module, [&](auto& bn) {
    momenta.push_back(bn.options.momentum());
    bn.options.momentum(c10::nullopt);  // cumulative average over the batches below
    bn.reset_running_stats();
  });
  // Only BatchNorm layers in training mode: others (spectral norm's power iteration, dropout)
  // must behave as they do when sampling.
  module.eval();
  for_each_batchnorm(module, [](auto& bn) { bn.train(true); });
  {
    torch::NoGradGuard no_grad;
    for (int64_t i = 0; i < batches; ++i) forward();
  }
  size_t index = 0;
  for_each_batchnorm(module, [&](auto& bn) { bn.options.momentum(momenta[index++]); });
  module.train(was_training);
}

}  // namespace gankit::nn
