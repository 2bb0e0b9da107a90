// The one interface every adversarial architecture implements: a generator and a discriminator.
#pragma once
#include <torch/torch.h>

#include <memory>

namespace gankit::models {

/// Maps noise (and, for conditional models, labels) to images.
class Generator : public torch::nn::Module {
 public:
  /// z [N,Z], labels [N] int64 or undefined -> images [N,C,H,W] in [-1, 1]
  virtual torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) = 0;
};

/// What a discriminator says about a batch.
struct Scores {
  torch::Tensor logits;        ///< [N] real-vs-fake
  torch::Tensor class_logits;  ///< [N,K] for auxiliary-classifier models (AC-GAN), else undefined
};

/// Scores images (and labels, for conditional models) as real or fake.
class Discriminator : public torch::nn::Module {
 public:
  /// images [N,C,H,W] in [-1, 1], labels [N] or undefined -> logits [N]
  virtual torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels) = 0;

  /// Both heads in one pass; models without a class head return forward()'s logits alone.
  virtual Scores score(const torch::Tensor& images, const torch::Tensor& labels) {
    return {forward(images, labels), {}};
  }
};

/// G and D of a noise-to-image model.
struct Networks {
  std::shared_ptr<Generator> generator;
  std::shared_ptr<Discriminator> discriminator;
};

/// G and D as any registry row builds them, whatever its kind; registry.h's typed builders view
/// them as their kind's classes.
struct BuiltNetworks {
  std::shared_ptr<torch::nn::Module> generator;
  std::shared_ptr<torch::nn::Module> discriminator;
};

}  // namespace gankit::models
