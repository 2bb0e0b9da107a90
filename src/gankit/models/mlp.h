// The vanilla GAN of Goodfellow et al. 2014, as the seeds' Keras/PyTorch scripts build it:
// fully connected G and D on flattened images.
#pragma once
#include <torch/torch.h>

#include "gankit/models/networks.h"

namespace gankit::models {

struct MlpOptions {
  MlpOptions(int64_t channels, int64_t image_size) : channels_(channels), image_size_(image_size) {}
  TORCH_ARG(int64_t, channels);
  TORCH_ARG(int64_t, image_size);
  /// Length of the noise vector.
  TORCH_ARG(int64_t, z_dim) = 100;
  /// Width w: G's hidden layers are w, 2w, 4w; D's are 2w, w.
  TORCH_ARG(int64_t, width) = 256;
  /// G's BatchNorm, in LibTorch's terms (Keras' momentum m is LibTorch's 1 - m).
  TORCH_ARG(double, batch_norm_momentum) = 0.1;
  TORCH_ARG(double, batch_norm_eps) = 1e-5;
  /// Glorot-uniform weights and zero biases (Keras' Dense), instead of LibTorch's Linear default
  /// (uniform in +-1/sqrt(fan_in), for weights and biases).
  TORCH_ARG(bool, glorot_init) = false;
};

class MlpGeneratorImpl : public Generator {
 public:
  explicit MlpGeneratorImpl(const MlpOptions& options);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  MlpOptions options;

 private:
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(MlpGenerator);

class MlpDiscriminatorImpl : public Discriminator {
 public:
  explicit MlpDiscriminatorImpl(const MlpOptions& options);
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) override;
  MlpOptions options;

 private:
  torch::nn::Sequential body_{nullptr};
};
TORCH_MODULE(MlpDiscriminator);

}  // namespace gankit::models
