// The DCGAN family (Radford et al. 2016; pytorch/examples dcgan): transposed-conv generator,
// strided-conv discriminator, no biases. At 32x32 G is 4x4 -> 8 -> 16 -> 32; each doubling of the
// image size adds one block on each side. Options turn it into the family's other members:
// spectral norm (SN-DCGAN), self-attention (SAGAN), label conditioning (cGAN) and an auxiliary
// classifier (AC-GAN); the registry (models/registry.cpp) names the combinations.
#pragma once
#include <torch/torch.h>

#include "gankit/models/networks.h"

namespace gankit::models {

struct DcganOptions {
  DcganOptions(int64_t channels, int64_t image_size) : channels_(channels), image_size_(image_size) {}

  /// Number of stride-2 stages: image_size = 4 * 2^stages.
  int64_t stages() const;
  /// Whether D joins a label map to the image (cGAN), as opposed to classifying (AC-GAN).
  bool discriminator_takes_labels() const { return num_classes_ > 0 && !auxiliary_classifier_; }

  TORCH_ARG(int64_t, channels);
  /// A power of two, at least 8.
  TORCH_ARG(int64_t, image_size);
  /// Length of the noise vector.
  TORCH_ARG(int64_t, z_dim) = 100;
  /// Base width w: G's last hidden block and D's first block have w channels.
  TORCH_ARG(int64_t, width) = 64;
  /// BatchNorm in D's inner blocks (DCGAN); off for critics that must not batch-normalise.
  TORCH_ARG(bool, discriminator_batch_norm) = true;
  /// Spectral norm on every convolution of D (SN-GAN, SAGAN).
  TORCH_ARG(bool, discriminator_spectral_norm) = false;
  /// Spectral norm on every convolution of G (SAGAN).
  TORCH_ARG(bool, generator_spectral_norm) = false;
  /// Feature-map size at which G and D each get a self-attention block (SAGAN: 16); 0 = none.
  TORCH_ARG(int64_t, attention_size) = 0;
  /// Classes of a conditional model; 0 = unconditional. G joins a learned label embedding to z.
  TORCH_ARG(int64_t, num_classes) = 0;
  /// With num_classes: D gets a K-class head (AC-GAN) instead of a label map joined to its input
  /// image (cGAN).
  TORCH_ARG(bool, auxiliary_classifier) = false;
};

class DcganGeneratorImpl : public Generator {
 public:
  explicit DcganGeneratorImpl(const DcganOptions& options);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  DcganOptions options;

 private:
  torch::nn::Embedding label_embedding_{nullptr};
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(DcganGenerator);

class DcganDiscriminatorImpl : public Discriminator {
 public:
  explicit DcganDiscriminatorImpl(const DcganOptions& options);
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) override;
  Scores score(const torch::Tensor& images, const torch::Tensor& labels) override;
  DcganOptions options;

 private:
  torch::nn::Embedding label_map_{nullptr};
  torch::nn::Sequential body_{nullptr};
  /// Layers of body_ in the input block; the rest run channels-last (see score()).
  size_t input_block_layers_ = 0;
  torch::nn::AnyModule validity_, classes_;
};
TORCH_MODULE(DcganDiscriminator);

}  // namespace gankit::models
