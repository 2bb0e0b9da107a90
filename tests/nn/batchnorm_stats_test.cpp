// Precise BatchNorm statistics equal the exact mean and (unbiased) variance averaged over batches.
#include <gtest/gtest.h>

#include "gankit/nn/batchnorm_stats.h"

namespace {

TEST(BatchNormStats, RecomputesExactAveragesAndRestoresMomentumAndMode) {
  torch::manual_seed(0);
  torch::nn::BatchNorm1d bn(torch::nn::BatchNormOptions(3).momentum(0.1));
  bn->eval();
  std::vector<torch::Tensor> batches;
  for (int i = 0; i < 4; ++i) batches.push_back(torch::randn({16, 3}) * (i + 1) + i);
  size_t next = 0;
  gankit::nn::recompute_batchnorm_stats(*bn, [&] { bn->forward(batches[next++]); }, 4);
  auto mean = torch::zeros({3}), var = torch::zeros({3});
  for (const auto& b : batches) mean += b.mean(0) / 4, var += b.var(0, /*unbiased=*/true) / 4;
  EXPECT_TRUE(torch::allclose(bn->running_mean, mean, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(bn->running_var, var, 1e-5, 1e-5));
  EXPECT_FALSE(bn->is_training());
  ASSERT_TRUE(bn->options.momentum().has_value());
  EXPECT_DOUBLE_EQ(*bn->options.momentum(), 0.1);
  EXPECT_TRUE(gankit::nn::has_batchnorm(*bn));
  torch::nn::Linear plain(2, 2);
  EXPECT_FALSE(gankit::nn::has_batchnorm(*plain));
}

}  // namespace
