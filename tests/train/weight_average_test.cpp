// The generator's weight average: the update formula with its warm-up, and what sampling uses.
#include <gtest/gtest.h>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/sample/sampler.h"
#include "gankit/train/trainer.h"
#include "gankit/train/weight_average.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

namespace {

using namespace gankit;

TEST(WeightAverage, FollowsTheEmaFormulaWithWarmUp) {
  torch::nn::Linear average(2, 1), source(2, 1);
  train::copy_weights(*average, *source);
  const auto start = source->weight.clone();
  {
    torch::NoGradGuard no_grad;
    source->weight.add_(1.0);
  }
  // After 0 updates d = min(0.999, 1/10) = 0.1: average = 0.1 * start + 0.9 * (start + 1).
  train::update_weight_average(*average, *source, 0.999, 0);
  EXPECT_TRUE(torch::allclose(average->weight, start + 0.9));
  // Late in training d = decay.
  train::update_weight_average(*average, *source, 0.5, 1000);
  EXPECT_TRUE(torch::allclose(average->weight, 0.5 * (start + 0.9) + 0.5 * (start + 1.0)));
}

TEST(WeightAverage, CheckpointKeepsItAndSamplingUsesIt) {
  test::TempDir with, without;
  auto config = test::tiny_config(4);
  test::train_quietly(config, without.path());
  config.set("train.ema=0.9");
  test::train_quietly(config, with.path());

  auto checkpoint = checkpoint::open_checkpoint(with / "checkpoints/latest.pt");
  torch::serialize::InputArchive average;
  EXPECT_TRUE(checkpoint.archive.try_read("generator_ema", average));
  // Same seed, same raw G; the sampled images differ only because the average is used.
  sample::SampleOptions sample_options;
  sample_options.count = 4;
  const auto plain = sample::Sampler(without / "checkpoints/latest.pt").sample(sample_options).images;
  const auto averaged = sample::Sampler(with / "checkpoints/latest.pt").sample(sample_options).images;
  EXPECT_FALSE(torch::equal(plain, averaged));
}

TEST(WeightAverage, ResumedRunEqualsAnUninterruptedOne) {
  test::TempDir straight, split;
  auto config = test::tiny_config(6);
  config.set("train.ema=0.9");
  test::train_quietly(config, straight.path());
  config.set("train.steps=3");
  test::train_quietly(config, split.path());
  config.set("train.steps=6");
  test::train_quietly(config, split.path(), /*resume=*/true);
  sample::SampleOptions sample_options;
  sample_options.count = 4;
  EXPECT_TRUE(torch::equal(sample::Sampler(straight / "checkpoints/latest.pt").sample(sample_options).images,
                           sample::Sampler(split / "checkpoints/latest.pt").sample(sample_options).images));
}

}  // namespace
