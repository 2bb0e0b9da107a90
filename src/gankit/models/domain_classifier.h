// A small CNN classifier for one data set's domain (MNIST, Fashion-MNIST, CIFAR-10, ...): its
// penultimate activations are the features of a domain FID, its logits the class accuracy of
// conditional samples. Input: float [N,C,S,S] in [-1,1], as the data pipeline yields and the
// generators produce. Each stage: Conv3x3-BN-ReLU at full resolution, then the DCGAN down block
// (Conv4x4 s2-BN-LeakyReLU) halving H and W; then Linear -> ReLU (the features) -> Linear (logits).
#pragma once
#include <torch/torch.h>

namespace gankit::models {

struct DomainClassifierOptions {
  DomainClassifierOptions(int64_t channels, int64_t image_size, int64_t num_classes)
      : channels_(channels), image_size_(image_size), num_classes_(num_classes) {}

  /// H = W after the stages: image_size / 2^stages.
  int64_t final_size() const;

  TORCH_ARG(int64_t, channels);
  /// Side of the square input; a multiple of 2^stages.
  TORCH_ARG(int64_t, image_size);
  /// K, at least 2.
  TORCH_ARG(int64_t, num_classes);
  /// Channels of the first stage; each later stage doubles them.
  TORCH_ARG(int64_t, width) = 32;
  /// Stages, each halving H and W.
  TORCH_ARG(int64_t, stages) = 3;
  /// Length of the penultimate feature vector (what a domain FID compares).
  TORCH_ARG(int64_t, feature_dim) = 128;
  /// Dropout on the features before the logits, while training.
  TORCH_ARG(double, dropout) = 0.0;
};

class DomainClassifierImpl : public torch::nn::Module {
 public:
  explicit DomainClassifierImpl(const DomainClassifierOptions& options);

  /// Penultimate activations (after ReLU): [N,C,S,S] -> [N,feature_dim].
  torch::Tensor features(const torch::Tensor& images);
  /// Class logits: [N,C,S,S] -> [N,num_classes].
  torch::Tensor forward(const torch::Tensor& images);
  /// Logits from features(): [N,feature_dim] -> [N,num_classes].
  torch::Tensor classify(const torch::Tensor& features);

  DomainClassifierOptions options;

 private:
  torch::nn::Sequential body_{nullptr};
  torch::nn::Linear embed_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear logits_{nullptr};
};
TORCH_MODULE(DomainClassifier);

}  // namespace gankit::models
