// pix2pix's PatchGAN discriminator (Isola et al. 2017), as NLayerDiscriminator in
// junyanz/pytorch-CycleGAN-and-pix2pix with norm_layer=BatchNorm2d. With n_layers = 3 and ndf = 64:
//   C64 (no BatchNorm) - C128 - C256 (4x4, stride 2) - C512 (4x4, stride 1) - 1 (4x4, stride 1)
// LeakyReLU(0.2) after each but the last; every conv pads 1. Each output logit sees a 70x70 patch:
// 256x256 in -> 30x30 logits. Conditional: the input is the source image joined to the real or
// generated target along channels, torch::cat({a, b}, 1) (6 channels for RGB -> RGB).
#pragma once
#include <torch/torch.h>

namespace gankit::models {

struct PatchDiscriminatorOptions {
  explicit PatchDiscriminatorOptions(int64_t in_channels) : in_channels_(in_channels) {}

  /// Channels of the joined pair: source + target (6 for RGB pix2pix).
  TORCH_ARG(int64_t, in_channels);
  /// ndf: channels of the first conv; each later one doubles them, up to 8x.
  TORCH_ARG(int64_t, width) = 64;
  /// Stride-2 convs (the first included); 3 gives the 70x70 receptive field.
  TORCH_ARG(int64_t, n_layers) = 3;
};

class PatchDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit PatchDiscriminatorImpl(const PatchDiscriminatorOptions& options);

  /// [N,in,H,W] -> [N,1,H',W'] real-vs-fake logits, one per patch (H' = H/2^n_layers - 2).
  torch::Tensor forward(const torch::Tensor& pair);

  PatchDiscriminatorOptions options;

 private:
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(PatchDiscriminator);

}  // namespace gankit::models
