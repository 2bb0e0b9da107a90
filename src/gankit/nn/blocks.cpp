#include "gankit/nn/blocks.h"

namespace gankit::nn {

namespace tnn = torch::nn;

torch::nn::Sequential up_block(int64_t in, int64_t out) {
  return tnn::Sequential(
      tnn::ConvTranspose2d(tnn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1).bias(false)),
      tnn::BatchNorm2d(out), tnn::ReLU(tnn::ReLUOptions().inplace(true)));
}

torch::nn::Sequential down_block(int64_t in, int64_t out, bool batch_norm) {
  tnn::Sequential block(
      tnn::Conv2d(tnn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(false)));
  if (batch_norm) block->push_back(tnn::BatchNorm2d(out));
  block->push_back(tnn::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
  return block;
}

}  // namespace gankit::nn
