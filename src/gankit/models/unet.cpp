#include "gankit/models/unet.h"

#include <algorithm>
#include <vector>

#include "gankit/nn/conv_transpose.h"
#include "gankit/nn/init.h"
#include "gankit/nn/sync_batch_norm.h"

namespace gankit::models {

namespace tnn = torch::nn;

namespace {

tnn::LeakyReLU leaky_relu() {
  return tnn::LeakyReLU(tnn::LeakyReLUOptions().negative_slope(0.2).inplace(true));
}

}  // namespace

UnetGeneratorImpl::UnetGeneratorImpl(const UnetGeneratorOptions& options_) : options(options_) {
  const int64_t n = options.num_downs(), w = options.width();
  TORCH_CHECK(n >= 5, "UnetGenerator: num_downs must be at least 5, got ", n);
  TORCH_CHECK(w > 0 && options.in_channels() > 0 && options.out_channels() > 0,
              "UnetGenerator: channels and width must be positive");
  // Channels of level l's encoder output (l = 0 outermost): w, 2w, 4w, then 8w down to the bottleneck.
  const auto channels = [w](int64_t l) {
    return w * std::min<int64_t>(int64_t{1} << std::min<int64_t>(l, 3), 8);
  };

  encoder_ = tnn::ModuleList();
  for (int64_t l = 0; l < n; ++l) {
    const int64_t in = l == 0 ? options.in_channels() : channels(l - 1);
    // [N,in,H,W] -> [N,c(l),H/2,W/2]
    tnn::Sequential down(
        tnn::Conv2d(tnn::Conv2dOptions(in, channels(l), 4).stride(2).padding(1).bias(false)));
    if (l > 0 && l < n - 1) down->push_back(nn::batch_norm_2d(channels(l)));  // none outermost or innermost
    // The reference applies this LeakyReLU at the start of the next level, in place, so its skip also
    // carries the activated features; the decoder's ReLU would hide the difference anyway.
    if (l < n - 1) down->push_back(leaky_relu());
    encoder_->push_back(down);
  }

  decoder_ = tnn::ModuleList();
  for (int64_t l = n - 1; l >= 0; --l) {
    // The innermost level sees the bottleneck alone; the others, the inner level's output joined to
    // the skip: [N,c(l)(x2),H,W] -> [N,c(l-1),2H,2W]
    const int64_t in = l == n - 1 ? channels(l) : 2 * channels(l);
    tnn::Sequential up(tnn::ReLU(tnn::ReLUOptions().inplace(true)));
    if (l == 0) {
      up->push_back(nn::BatchedConvTranspose2d(
          tnn::ConvTranspose2dOptions(in, options.out_channels(), 4).stride(2).padding(1).bias(true)));
      up->push_back(tnn::Tanh());
    } else {
      up->push_back(nn::BatchedConvTranspose2d(
          tnn::ConvTranspose2dOptions(in, channels(l - 1), 4).stride(2).padding(1).bias(false)));
      up->push_back(nn::batch_norm_2d(channels(l - 1)));
      // The reference's `for i in range(num_downs - 5)` blocks: levels 4 .. n-2.
      if (options.dropout() && l >= 4 && l < n - 1) up->push_back(tnn::Dropout(0.5));
    }
    decoder_->push_back(up);
  }
  register_module("encoder", encoder_);
  register_module("decoder", decoder_);
  nn::init_dcgan_(*this);  // pix2pix's 'normal' init: N(0, 0.02), BatchNorm weight N(1, 0.02)
}

torch::Tensor UnetGeneratorImpl::forward(const torch::Tensor& input) {
  const int64_t n = options.num_downs(), multiple = int64_t{1} << n;
  TORCH_CHECK(input.dim() == 4 && input.size(1) == options.in_channels(), "UnetGenerator: expected input [N,",
              options.in_channels(), ",H,W], got ", input.sizes());
  TORCH_CHECK(input.size(2) > 0 && input.size(3) > 0 && input.size(2) % multiple == 0 &&
                  input.size(3) % multiple == 0,
              "UnetGenerator: image height and width must be multiples of 2^num_downs = ", multiple,
              " (num_downs ", n, "), got ", input.size(2), "x", input.size(3));
  std::vector<torch::Tensor> skips;  // skips[l]: level l's encoder output [N,c(l),H/2^(l+1),W/2^(l+1)]
  auto x = input;
  for (int64_t l = 0; l < n; ++l) {
    x = encoder_->ptr<tnn::SequentialImpl>(l)->forward(x);
    if (l < n - 1) skips.push_back(x);
  }
  // x: bottleneck [N,c(n-1),H/2^n,W/2^n]
  for (int64_t j = 0; j < n; ++j) {
    if (j > 0) x = torch::cat({skips[n - 1 - j], x}, 1);  // skip first, as the reference joins them
    x = decoder_->ptr<tnn::SequentialImpl>(j)->forward(x);
  }
  return x;  // [N,out,H,W]
}

torch::Tensor translate(UnetGenerator& generator, const torch::Tensor& inputs) {
  torch::NoGradGuard no_grad;
  const bool was_training = generator->is_training();
  // BatchNorm on each image's own statistics, as at training time (batch 1); dropout off. (The
  // running averages BatchNorm keeps meanwhile are never used: G always runs this way.)
  generator->train();
  generator->apply([](torch::nn::Module& m) {
    if (m.as<torch::nn::Dropout>() != nullptr) m.eval();
  });
  std::vector<torch::Tensor> outputs;
  const auto device = generator->parameters().front().device();
  for (int64_t i = 0; i < inputs.size(0); ++i) {
    // float32 on the CPU whatever precision G ran in (bf16 under autocast)
    outputs.push_back(generator->forward(inputs.narrow(0, i, 1).to(device)).to(torch::kCPU, torch::kFloat));
  }
  generator->train(was_training);
  return torch::cat(outputs);
}

}  // namespace gankit::models
