#include "gankit/models/inpaint_net.h"

#include "gankit/nn/conv_transpose.h"
#include "gankit/nn/init.h"
#include "gankit/nn/sync_batch_norm.h"

namespace gankit::models {

namespace tnn = torch::nn;

namespace {

/// layer -> BatchNorm2d -> ReLU; the layer has no bias, as BatchNorm's shift replaces it.
template <typename Layer>
void append(tnn::Sequential& body, Layer layer, int64_t channels) {
  body->push_back(layer);
  body->push_back(nn::batch_norm_2d(channels));
  body->push_back(tnn::ReLU(tnn::ReLUOptions().inplace(true)));
}

tnn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t dilation = 1) {
  // "same" padding for odd kernels; with stride 2 it halves even sizes
  return tnn::Conv2d(tnn::Conv2dOptions(in, out, kernel)
                         .stride(stride)
                         .padding(dilation * (kernel - 1) / 2)
                         .dilation(dilation)
                         .bias(false));
}

nn::BatchedConvTranspose2d up(int64_t in, int64_t out) {
  return nn::BatchedConvTranspose2d(tnn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1).bias(false));
}

}  // namespace

InpaintGeneratorImpl::InpaintGeneratorImpl(const InpaintGeneratorOptions& options_) : options(options_) {
  const int64_t w = options.width();
  TORCH_CHECK(w >= 2 && w % 2 == 0, "InpaintGenerator: width must be even and at least 2, got ", w);
  TORCH_CHECK(options.in_channels() > 0 && options.out_channels() > 0,
              "InpaintGenerator: channels must be positive");
  for (const int64_t d : options.dilations()) {
    TORCH_CHECK(d >= 1, "InpaintGenerator: dilations must be at least 1, got ", d);
  }
  body_ = tnn::Sequential();
  append(body_, conv(options.in_channels(), w, 5), w);  // [N,in,H,W] -> [N,w,H,W]
  append(body_, conv(w, 2 * w, 3, 2), 2 * w);           // -> [N,2w,H/2,W/2]
  append(body_, conv(2 * w, 2 * w, 3), 2 * w);
  append(body_, conv(2 * w, 4 * w, 3, 2), 4 * w);  // -> [N,4w,H/4,W/4]
  append(body_, conv(4 * w, 4 * w, 3), 4 * w);
  for (const int64_t d : options.dilations()) {  // wider context at the same size
    append(body_, conv(4 * w, 4 * w, 3, 1, d), 4 * w);
  }
  append(body_, conv(4 * w, 4 * w, 3), 4 * w);
  append(body_, up(4 * w, 2 * w), 2 * w);  // -> [N,2w,H/2,W/2]
  append(body_, conv(2 * w, 2 * w, 3), 2 * w);
  append(body_, up(2 * w, w), w);           // -> [N,w,H,W]
  append(body_, conv(w, w / 2, 3), w / 2);  // -> [N,w/2,H,W]
  // -> [N,out,H,W] in [-1, 1]
  body_->push_back(tnn::Conv2d(tnn::Conv2dOptions(w / 2, options.out_channels(), 3).padding(1)));
  body_->push_back(tnn::Tanh());
  register_module("body", body_);
  nn::init_dcgan_(*this);
}

torch::Tensor InpaintGeneratorImpl::forward(const torch::Tensor& input) {
  TORCH_CHECK(input.dim() == 4 && input.size(1) == options.in_channels(),
              "InpaintGenerator: expected input [N,", options.in_channels(),
              ",H,W] (masked image and mask), got ", input.sizes());
  TORCH_CHECK(input.size(2) > 0 && input.size(3) > 0 && input.size(2) % 4 == 0 && input.size(3) % 4 == 0,
              "InpaintGenerator: image height and width must be multiples of 4, got ", input.size(2), "x",
              input.size(3));
  return body_->forward(input);
}

torch::Tensor make_inpaint_input(const torch::Tensor& images, const torch::Tensor& mask) {
  TORCH_CHECK(images.dim() == 4 && mask.dim() == 4 && mask.size(1) == 1 && mask.size(0) == images.size(0) &&
                  mask.size(2) == images.size(2) && mask.size(3) == images.size(3),
              "make_inpaint_input: expected images [N,C,H,W] and mask [N,1,H,W], got ", images.sizes(),
              " and ", mask.sizes());
  const auto m = mask.to(images.dtype());
  return torch::cat({images * (1 - m), m}, 1);
}

torch::Tensor complete(InpaintGenerator& generator, const torch::Tensor& images, const torch::Tensor& masks) {
  torch::NoGradGuard no_grad;
  const bool was_training = generator->is_training();
  generator->eval();
  const auto device = generator->parameters().front().device();
  // float32 on the CPU whatever precision G ran in (bf16 under autocast)
  const auto painted =
      generator->forward(make_inpaint_input(images.to(device), masks.to(device))).to(torch::kCPU, torch::kFloat);
  generator->train(was_training);
  return images * (1 - masks) + painted * masks;
}

}  // namespace gankit::models
