// DCGAN (Radford et al. 2016; pytorch/examples dcgan): transposed-conv generator, strided-conv
// discriminator, BatchNorm, no biases. At 32x32 G is 4x4 -> 8 -> 16 -> 32; each doubling of the
// image size adds one block on each side.
#pragma once
#include <torch/torch.h>

#include "gankit/models/networks.h"

namespace gankit::models {

struct DcganOptions {
  DcganOptions(int64_t channels, int64_t image_size) : channels_(channels), image_size_(image_size) {}

  /// Number of stride-2 stages: image_size = 4 * 2^stages.
  int64_t stages() const;

  TORCH_ARG(int64_t, channels);
  /// A power of two, at least 8.
  TORCH_ARG(int64_t, image_size);
  /// Length of the noise vector.
  TORCH_ARG(int64_t, z_dim) = 100;
  /// Base width w: G's last hidden block and D's first block have w channels.
  TORCH_ARG(int64_t, width) = 64;
  /// BatchNorm in D's inner blocks (DCGAN); off for critics that must not batch-normalise.
  TORCH_ARG(bool, discriminator_batch_norm) = true;
};

class DcganGeneratorImpl : public Generator {
 public:
  explicit DcganGeneratorImpl(const DcganOptions& options);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  DcganOptions options;

 private:
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(DcganGenerator);

class DcganDiscriminatorImpl : public Discriminator {
 public:
  explicit DcganDiscriminatorImpl(const DcganOptions& options);
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) override;
  DcganOptions options;

 private:
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(DcganDiscriminator);

}  // namespace gankit::models
