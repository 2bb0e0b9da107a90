#include "gankit/nn/blocks.h"

namespace gankit::nn {

namespace tnn = torch::nn;

void append_up_block(torch::nn::Sequential& sequence, int64_t in, int64_t out) {
  sequence->push_back(
      tnn::ConvTranspose2d(tnn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1).bias(false)));
  sequence->push_back(tnn::BatchNorm2d(out));
  sequence->push_back(tnn::ReLU(tnn::ReLUOptions().inplace(true)));
}

void append_down_block(torch::nn::Sequential& sequence, int64_t in, int64_t out, bool batch_norm) {
  sequence->push_back(tnn::Conv2d(tnn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(false)));
  if (batch_norm) sequence->push_back(tnn::BatchNorm2d(out));
  sequence->push_back(tnn::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
}

}  // namespace gankit::nn
