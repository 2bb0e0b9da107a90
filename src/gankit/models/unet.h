// pix2pix's U-Net generator (Isola et al. 2017), as UnetGenerator / UnetSkipConnectionBlock in
// junyanz/pytorch-CycleGAN-and-pix2pix with norm_layer=BatchNorm2d and use_dropout=True. Widths with
// ngf = 64 and num_downs = 8 (256x256):
//   encoder  C64 - C128 - C256 - C512 - C512 - C512 - C512 - C512   (Conv4x4 s2, LeakyReLU 0.2)
//   decoder  CD512 - CD512 - CD512 - C512 - C256 - C128 - C64 - out  (ReLU, ConvT4x4 s2, tanh last)
// with each decoder level fed the previous level's output joined to the encoder features of the same
// size. The first encoder conv and the innermost one have no BatchNorm; convs followed by BatchNorm
// have no bias. Dropout(0.5) sits in the num_downs - 5 decoder levels right after the innermost one.
#pragma once
#include <torch/torch.h>

namespace gankit::models {

struct UnetGeneratorOptions {
  UnetGeneratorOptions(int64_t in_channels, int64_t out_channels, int64_t num_downs)
      : in_channels_(in_channels), out_channels_(out_channels), num_downs_(num_downs) {}

  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  /// Number of stride-2 downsamplings, at least 5: 8 for 256x256 (1x1 bottleneck), 7 for 128x128.
  /// Input height and width must be multiples of 2^num_downs.
  TORCH_ARG(int64_t, num_downs);
  /// ngf: channels of the outermost level; inner levels have 2x, 4x and then 8x this.
  TORCH_ARG(int64_t, width) = 64;
  /// Dropout(0.5) in the num_downs - 5 decoder levels after the innermost that still output ngf*8
  /// channels (pix2pix's only noise source; active in training mode only).
  TORCH_ARG(bool, dropout) = true;
};

class UnetGeneratorImpl : public torch::nn::Module {
 public:
  explicit UnetGeneratorImpl(const UnetGeneratorOptions& options);

  /// [N,in,H,W] in [-1, 1] -> [N,out,H,W] in [-1, 1]; H and W multiples of 2^num_downs (else
  /// c10::Error saying so).
  torch::Tensor forward(const torch::Tensor& input);

  UnetGeneratorOptions options;

 private:
  /// encoder_[i]: level i's downsampling, outermost first (the order they run).
  torch::nn::ModuleList encoder_;
  /// decoder_[j]: level num_downs-1-j's upsampling, innermost first (the order they run).
  torch::nn::ModuleList decoder_;
};
TORCH_MODULE(UnetGenerator);

/// G applied as pix2pix runs it at training time (BatchNorm on the image's own statistics, as the
/// paper runs it), one image at a time: inputs [N,C,H,W] in [-1,1] -> [N,C,H,W] on the CPU.
/// Dropout off, so the same input always gives the same output.
torch::Tensor translate(UnetGenerator& generator, const torch::Tensor& inputs);

}  // namespace gankit::models
