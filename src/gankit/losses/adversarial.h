// Adversarial losses as free functions on discriminator logits, chosen by one enum and one switch.
#pragma once
#include <torch/torch.h>

#include <string>

namespace gankit::losses {

enum class AdversarialLoss {
  Bce,          ///< non-saturating GAN (Goodfellow 2014), BCE with logits
  Hinge,        ///< hinge (Lim & Ye 2017; SAGAN, BigGAN)
  Wasserstein,  ///< critic score difference (Arjovsky 2017); needs clipping or a penalty
  Lsgan,        ///< least squares (Mao 2017), targets 1 and 0
};

/// "bce" | "hinge" | "wasserstein" | "lsgan"; anything else throws listing the valid names.
AdversarialLoss parse_adversarial_loss(const std::string& name);

/// Discriminator loss from logits on real [N] and fake [N] images (mean over the batch).
torch::Tensor discriminator_loss(AdversarialLoss loss, const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits);

/// Generator loss from the discriminator's logits on fake images.
torch::Tensor generator_loss(AdversarialLoss loss, const torch::Tensor& fake_logits);

/// What "D(x)" means in logs: a probability for BCE (sigmoid of the logit), else the raw score.
torch::Tensor discriminator_score(AdversarialLoss loss, const torch::Tensor& logits);

}  // namespace gankit::losses
