// Image-completion generator after Iizuka et al. 2017 ("Globally and locally consistent image
// completion"), scaled down for 64x64 faces: two downsamplings instead of two-at-256, the same
// dilated middle, widths w / 2w / 4w with w = 64:
//   conv5x5 w - conv3x3 s2 2w - conv3x3 2w - conv3x3 s2 4w - conv3x3 4w
//   - dilated conv3x3 4w (dilation 2, 4, 8, 16) - conv3x3 4w
//   - convT4x4 s2 2w - conv3x3 2w - convT4x4 s2 w - conv3x3 w/2 - conv3x3 out, tanh
// BatchNorm + ReLU after every layer but the last. Input: the image with the hole blanked and the mask
// as a 4th channel (make_inpaint_input); the recipe pastes the known pixels back over the output.
//
// The critic for inpainting needs no new code: the DCGAN discriminator without BatchNorm (WGAN-GP
// must not batch-normalise its critic), models/dcgan.h:
//   DcganDiscriminator(DcganOptions(3, 64).discriminator_batch_norm(false))
#pragma once
#include <torch/torch.h>

#include <vector>

namespace gankit::models {

struct InpaintGeneratorOptions {
  /// The masked image's channels plus one for the mask.
  TORCH_ARG(int64_t, in_channels) = 4;
  TORCH_ARG(int64_t, out_channels) = 3;
  /// w: channels at full resolution (2w at 1/2, 4w at 1/4); even, as the last hidden layer has w/2.
  TORCH_ARG(int64_t, width) = 64;
  /// Dilations of the middle 3x3 convs at 1/4 resolution (Iizuka et al.: 2, 4, 8, 16). A dilation
  /// of at least a quarter of the image side reaches only padding off-centre.
  TORCH_ARG(std::vector<int64_t>, dilations) = std::vector<int64_t>{2, 4, 8, 16};
};

class InpaintGeneratorImpl : public torch::nn::Module {
 public:
  explicit InpaintGeneratorImpl(const InpaintGeneratorOptions& options = {});

  /// [N,in,H,W] (H, W multiples of 4) -> [N,out,H,W] in [-1, 1]
  torch::Tensor forward(const torch::Tensor& input);

  InpaintGeneratorOptions options;

 private:
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(InpaintGenerator);

/// The generator's input: images [N,C,H,W] with the hole zeroed, joined to mask [N,1,H,W] (1 = hole)
/// -> [N,C+1,H,W].
torch::Tensor make_inpaint_input(const torch::Tensor& images, const torch::Tensor& mask);

/// Completes images [N,C,S,S] in [-1,1] with holes masks [N,1,S,S] (1 = hole): G in eval mode,
/// composited, so outside the holes the result equals the input exactly. On the CPU.
torch::Tensor complete(InpaintGenerator& generator, const torch::Tensor& images, const torch::Tensor& masks);

}  // namespace gankit::models
