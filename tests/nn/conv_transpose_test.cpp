// The batched-GEMM transposed convolution computes what ConvTranspose2d computes, gradients too.
#include <gtest/gtest.h>

#include "gankit/nn/conv_transpose.h"
#include "gankit/nn/frozen_parameters.h"

namespace gankit::nn {
namespace {

namespace tnn = torch::nn;

struct Case {
  int64_t in, out, kernel, stride, padding, size;
  bool bias;
};

class BatchedConvTranspose : public ::testing::TestWithParam<Case> {};

TEST_P(BatchedConvTranspose, MatchesConvTranspose2dInValueAndGradient) {
  const auto c = GetParam();
  torch::manual_seed(3);
  const auto options = tnn::ConvTranspose2dOptions(c.in, c.out, c.kernel).stride(c.stride).padding(c.padding).bias(c.bias);
  tnn::ConvTranspose2d reference(options);
  BatchedConvTranspose2d batched(options);
  {
    torch::NoGradGuard no_grad;
    batched->weight.copy_(reference->weight);
    if (c.bias) batched->bias.copy_(reference->bias);
  }
  const auto x = torch::randn({5, c.in, c.size, c.size});
  const auto x_ref = x.clone().requires_grad_(), x_new = x.clone().requires_grad_();
  const auto y_ref = reference->forward(x_ref), y_new = batched->forward(x_new);
  ASSERT_EQ(y_new.sizes(), y_ref.sizes());
  EXPECT_TRUE(torch::allclose(y_new, y_ref, 1e-5, 1e-5));
  const auto g = torch::randn_like(y_ref);
  y_ref.backward(g);
  y_new.backward(g);
  EXPECT_TRUE(torch::allclose(x_new.grad(), x_ref.grad(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(batched->weight.grad(), reference->weight.grad(), 1e-4, 1e-4));
  if (c.bias) EXPECT_TRUE(torch::allclose(batched->bias.grad(), reference->bias.grad(), 1e-4, 1e-4));
}

INSTANTIATE_TEST_SUITE_P(Shapes, BatchedConvTranspose,
                         ::testing::Values(Case{100, 32, 4, 1, 0, 1, false},  // DCGAN's first layer: a matmul
                                           Case{32, 16, 4, 2, 1, 4, false},   // 4x4 -> 8x8 through fold
                                           Case{8, 3, 4, 2, 1, 2, true},      // with bias
                                           Case{6, 4, 3, 2, 0, 3, false},     // odd kernel, no padding
                                           Case{6, 4, 4, 2, 1, 1, true},      // 1x1 with padding: fold
                                           Case{8, 4, 4, 2, 1, 8, false}));   // 8x8: the layer's own path

TEST(BatchedConvTranspose, LargeInputsTakeTheLayersOwnPath) {
  torch::manual_seed(4);
  BatchedConvTranspose2d layer(tnn::ConvTranspose2dOptions(4, 2, 4).stride(2).padding(1));
  const auto x = torch::randn({2, 4, 8, 8});
  EXPECT_TRUE(torch::equal(layer->forward(x), layer->torch::nn::ConvTranspose2dImpl::forward(x)));
}

TEST(FrozenParameters, BackwardSkipsWeightGradientsAndRestores) {
  torch::manual_seed(5);
  tnn::Linear d(3, 1);
  const auto x = torch::randn({4, 3}, torch::requires_grad());
  {
    FrozenParameters frozen(*d);
    EXPECT_FALSE(d->weight.requires_grad());
    d->forward(x).sum().backward();
  }
  EXPECT_TRUE(d->weight.requires_grad());
  EXPECT_TRUE(d->bias.requires_grad());
  EXPECT_FALSE(d->weight.grad().defined());
  // The input's gradient is what it would be unfrozen: the weights, summed over the output.
  EXPECT_TRUE(torch::allclose(x.grad(), d->weight.detach().expand({4, 3})));
}

}  // namespace
}  // namespace gankit::nn
