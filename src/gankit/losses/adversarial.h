// Adversarial losses as free functions on discriminator logits, chosen by one enum and one switch.
#pragma once
#include <torch/torch.h>

#include <string>

#include "gankit/enum_table.h"

namespace gankit::losses {

enum class AdversarialLoss {
  Bce,          ///< non-saturating GAN (Goodfellow 2014), BCE with logits
  Hinge,        ///< hinge (Lim & Ye 2017; SAGAN, BigGAN)
  Wasserstein,  ///< critic score difference (Arjovsky 2017); needs clipping or a penalty
  Lsgan,        ///< least squares (Mao 2017), targets 1 and 0
};

/// Every loss with its name (train.loss).
const EnumTable<AdversarialLoss>& adversarial_losses();
/// A name of adversarial_losses(); anything else throws listing the valid names.
AdversarialLoss parse_adversarial_loss(const std::string& name);

/// Discriminator loss from logits on real [N] and fake [N] images (mean over the batch).
torch::Tensor discriminator_loss(AdversarialLoss loss, const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits);

/// The same with D's targets [N] for real and fake images in place of 1 and 0 (label smoothing,
/// noisy labels); bce and lsgan use them, hinge and wasserstein have no targets and ignore them.
torch::Tensor discriminator_loss(AdversarialLoss loss, const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits, const torch::Tensor& real_targets,
                                 const torch::Tensor& fake_targets);

/// D's targets for a batch of n: real 1 - smoothing, fake 0; each target swapped for the other
/// with probability `noise`. Draws from torch's default generator on `device`.
std::pair<torch::Tensor, torch::Tensor> discriminator_targets(int64_t n, double smoothing, double noise,
                                                              torch::Device device);

/// Generator loss from the discriminator's logits on fake images.
torch::Tensor generator_loss(AdversarialLoss loss, const torch::Tensor& fake_logits);

/// What "D(x)" means in logs: a probability for BCE (sigmoid of the logit), else the raw score.
torch::Tensor discriminator_score(AdversarialLoss loss, const torch::Tensor& logits);

}  // namespace gankit::losses
