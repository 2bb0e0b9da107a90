#include "gankit/nn/blocks.h"

#include "gankit/nn/conv_transpose.h"
#include "gankit/nn/spectral_norm.h"
#include "gankit/nn/sync_batch_norm.h"

namespace gankit::nn {

namespace tnn = torch::nn;

torch::nn::AnyModule conv2d(const torch::nn::Conv2dOptions& options, bool spectral_norm) {
  return spectral_norm ? tnn::AnyModule(SNConv2d(options)) : tnn::AnyModule(tnn::Conv2d(options));
}

torch::nn::AnyModule conv_transpose2d(const torch::nn::ConvTranspose2dOptions& options, bool spectral_norm) {
  return spectral_norm ? tnn::AnyModule(SNConvTranspose2d(options)) : tnn::AnyModule(BatchedConvTranspose2d(options));
}

void append_up_block(torch::nn::Sequential& sequence, int64_t in, int64_t out, const BlockOptions& options) {
  sequence->push_back(conv_transpose2d(tnn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1).bias(false),
                                       options.spectral_norm()));
  if (options.batch_norm()) sequence->push_back(batch_norm_2d(out));
  sequence->push_back(tnn::ReLU(tnn::ReLUOptions().inplace(true)));
}

void append_down_block(torch::nn::Sequential& sequence, int64_t in, int64_t out, const BlockOptions& options) {
  sequence->push_back(
      conv2d(tnn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(false), options.spectral_norm()));
  if (options.batch_norm()) sequence->push_back(batch_norm_2d(out));
  sequence->push_back(tnn::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
}

}  // namespace gankit::nn
