// GAN image inpainting (completion): G sees the image with its hole blanked, x ⊙ (1−m), plus the
// mask m, and paints the hole; the output is composited so known pixels stay exactly the input's.
// G minimises λ·(L1 over the hole) plus an adversarial term from a global critic that judges
// whole composited images (WGAN-GP by default: train.loss = wasserstein, train.penalty = gp).
#pragma once
#include <torch/torch.h>

#include <memory>

#include "gankit/config/config.h"
#include "gankit/data/masks.h"
#include "gankit/losses/adversarial.h"
#include "gankit/losses/penalty.h"
#include "gankit/models/dcgan.h"
#include "gankit/models/inpaint_net.h"
#include "gankit/models/registry.h"
#include "gankit/train/two_players.h"

namespace gankit::train {

/// D is a global critic: DCGAN's discriminator without BatchNorm.
class Inpainting : public TwoPlayerRecipe<models::InpaintGenerator, models::DcganDiscriminator> {
 public:
  /// Trains on `info`'s images with holes of kind train.mask; evaluates on the held-out images
  /// (data.split = test) with a centre hole of half the image's side.
  Inpainting(const config::Config& config, const data::DataInfo& info, torch::Device device,
             parallel::Group* group);

  models::ModelKind kind() const override { return models::ModelKind::Inpainting; }
  /// One critic update (+ penalty) on real vs composited images, then one G update. Returns
  /// loss_d, loss_g, loss_g_adv, loss_g_l1, d_real, d_fake (and gp/r1 with a penalty).
  StepStats train_step(data::Loader& loader) override;

  /// Rows of masked input | completed output | original for the first held-out images (the first
  /// training batch's when there are none).
  void write_progress_image(const std::filesystem::path& png) override;
  /// On the held-out images with a centre hole: hole_psnr, ssim, hole_l1 of G's completions, and
  /// the same for two baselines, mean fill (the known pixels' mean colour) and nearest fill (the
  /// nearest known pixel).
  Evaluation evaluate() override;
  std::string missing_held_out() const override;

 private:
  Inpainting(models::InpaintingNetworks networks, const config::Config& config, torch::Device device,
             parallel::Group* group);

  losses::AdversarialLoss loss_;
  losses::Penalty penalty_;
  double penalty_weight_, l1_weight_, adversarial_weight_;
  data::MaskKind mask_kind_;
  torch::Tensor held_out_;       // [M,C,S,S] uint8, may be undefined
  torch::Tensor preview_;  // [K,C,S,S] uint8: the first held-out images, else the first training batch's
  Evaluation baselines_;         // computed once
};

}  // namespace gankit::train
