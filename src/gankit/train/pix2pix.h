// pix2pix (Isola et al. 2017): paired image-to-image translation. A U-Net generator maps the input
// A to B; a PatchGAN discriminator judges (A, B) pairs patch by patch; G minimises the adversarial
// loss plus λ·L1 to the target. The learning rates decay linearly to 0 over the last
// train.lr_decay_steps steps, as the reference trains its second half.
#pragma once
#include <torch/torch.h>

#include <memory>

#include "gankit/config/config.h"
#include "gankit/losses/adversarial.h"
#include "gankit/models/patchgan.h"
#include "gankit/models/registry.h"
#include "gankit/models/unet.h"
#include "gankit/train/two_players.h"

namespace gankit::train {

class Pix2pix : public TwoPlayerRecipe<models::UnetGenerator, models::PatchDiscriminator> {
 public:
  /// `info` describes paired training data; the held-out pairs (data.split = test) are read for
  /// evaluation and progress images when the data has them.
  Pix2pix(const config::Config& config, const data::DataInfo& info, torch::Device device,
          parallel::Group* group);

  models::ModelKind kind() const override { return models::ModelKind::ImageToImage; }
  /// One D update on (A, B) vs (A, G(A)), then one G update: adversarial + λ·L1. Returns loss_d,
  /// loss_g, loss_g_gan, loss_g_l1, d_real, d_fake.
  StepStats train_step(data::Loader& loader) override;
  std::pair<double, double> learning_rates() const override;
  void end_step(int64_t step, int64_t total_steps) override;

  /// Rows of input | output | target for the first held-out pairs (training pairs if none).
  void write_progress_image(const std::filesystem::path& png) override;
  /// Held-out L1 (in [0,1] pixel units) and SSIM of G's outputs, next to two baselines: returning
  /// the input (l1_input) and blank images (l1_blank_grey, l1_blank_white, l1_blank_black).
  Evaluation evaluate() override;
  std::string missing_held_out() const override;

 private:
  Pix2pix(models::TranslationNetworks networks, const config::Config& config, torch::Device device,
          parallel::Group* group);

  losses::AdversarialLoss loss_;
  double l1_weight_;
  double lr_factor_ = 1.0;
  int64_t lr_decay_steps_;
  torch::Tensor held_out_inputs_, held_out_targets_;  // [M,C,S,S] uint8, may be undefined
  torch::Tensor preview_inputs_, preview_targets_;    // [K,C,S,S] in [-1,1]
};

}  // namespace gankit::train
