// Dynamic loss scaling, step by step against GradScaler's rules.
#include <gtest/gtest.h>

#include "gankit/compute/loss_scaler.h"

namespace {

using gankit::compute::LossScaler;
using gankit::compute::LossScalerOptions;

struct OneWeight {
  torch::Tensor w = torch::ones({2}, torch::requires_grad());
  torch::optim::SGD sgd{{w}, torch::optim::SGDOptions(0.5)};
};

TEST(LossScaler, ScalesTheLossAndUnscalesGradientsBeforeTheStep) {
  OneWeight m;
  LossScaler scaler(LossScalerOptions().init_scale(1024));
  const auto loss = (m.w * torch::tensor({3.0f, -1.0f})).sum();
  const auto scaled = scaler.scale(loss);
  EXPECT_FLOAT_EQ(scaled.item<float>(), 1024 * loss.item<float>());
  scaled.backward();
  EXPECT_TRUE(scaler.step(m.sgd));
  // Gradient (3, -1) after unscaling; SGD lr 0.5: w = 1 - 0.5 g.
  EXPECT_TRUE(torch::allclose(m.w.detach(), torch::tensor({-0.5f, 1.5f})));
  scaler.update();
  EXPECT_EQ(scaler.current_scale(), 1024);
  EXPECT_EQ(scaler.good_steps(), 1);
}

TEST(LossScaler, SkipsAStepWithInfOrNanAndHalvesTheScale) {
  for (float bad : {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    OneWeight m;
    LossScaler scaler(LossScalerOptions().init_scale(8));
    m.w.mutable_grad() = torch::tensor({bad, 1.0f});
    EXPECT_FALSE(scaler.step(m.sgd));
    EXPECT_TRUE(torch::equal(m.w.detach(), torch::ones({2})));  // not stepped
    scaler.update();
    EXPECT_EQ(scaler.current_scale(), 4);
    EXPECT_EQ(scaler.skipped_steps(), 1);
  }
}

TEST(LossScaler, GrowsAfterTheIntervalOfGoodStepsAndRestartsTheCountAfterABackoff) {
  OneWeight m;
  LossScaler scaler(LossScalerOptions().init_scale(16).growth_interval(3));
  const auto good_step = [&] {
    m.w.mutable_grad() = torch::ones({2});
    EXPECT_TRUE(scaler.step(m.sgd));
    scaler.update();
  };
  good_step();
  good_step();
  EXPECT_EQ(scaler.current_scale(), 16);
  good_step();
  EXPECT_EQ(scaler.current_scale(), 32);
  good_step();
  m.w.mutable_grad() = torch::full({2}, std::numeric_limits<float>::infinity());
  scaler.step(m.sgd);
  scaler.update();
  EXPECT_EQ(scaler.current_scale(), 16);
  EXPECT_EQ(scaler.good_steps(), 0);
}

TEST(LossScaler, DisabledPassesThrough) {
  OneWeight m;
  LossScaler scaler(LossScalerOptions().enabled(false));
  const auto loss = m.w.sum();
  EXPECT_TRUE(torch::equal(scaler.scale(loss), loss));
  m.w.mutable_grad() = torch::ones({2});
  EXPECT_TRUE(scaler.step(m.sgd));
  EXPECT_TRUE(torch::allclose(m.w.detach(), torch::full({2}, 0.5f)));
}

}  // namespace
