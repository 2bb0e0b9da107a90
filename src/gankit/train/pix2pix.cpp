#include "gankit/train/pix2pix.h"

#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "gankit/metrics/image_quality.h"
#include "gankit/models/registry.h"
#include "gankit/nn/frozen_parameters.h"
#include "gankit/train/optimizers.h"

namespace gankit::train {

namespace {

/// G and D for paired data; unpaired data is refused first.
models::TranslationNetworks paired_networks(const config::Config& config, const data::DataInfo& info) {
  if (!info.paired) {
    fail("model pix2pix needs paired data: set data.pairs (side-by-side, folders, edges or gray)");
  }
  return models::make_translation_networks(config.model, {info.channels, info.image_size, info.num_classes});
}

}  // namespace

Pix2pix::Pix2pix(const config::Config& config, const data::DataInfo& info, torch::Device device,
                 parallel::Group* group)
    : Pix2pix(paired_networks(config, info), config, device, group) {}

Pix2pix::Pix2pix(models::TranslationNetworks networks, const config::Config& config, torch::Device device,
                 parallel::Group* group)
    : TwoPlayerRecipe(std::move(networks.generator), std::move(networks.discriminator), config.train, device,
                      group),
      loss_(losses::parse_adversarial_loss(config.train.loss)),
      l1_weight_(config.train.l1_weight),
      lr_decay_steps_(config.train.lr_decay_steps) {
  auto held_out = data::load_held_out(config.data);
  held_out_inputs_ = held_out.images;
  held_out_targets_ = held_out.targets;
  if (held_out_inputs_.defined() && held_out_inputs_.size(0) > 0) {
    const int64_t k = std::min<int64_t>(6, held_out_inputs_.size(0));
    preview_inputs_ = data::to_unit_range(held_out_inputs_.narrow(0, 0, k));
    preview_targets_ = data::to_unit_range(held_out_targets_.narrow(0, 0, k));
  }
}

StepStats Pix2pix::train_step(data::Loader& loader) {
  auto batch = loader.next();
  const auto input = batch.images.to(device_, /*non_blocking=*/true);
  const auto target = batch.targets.to(device_, /*non_blocking=*/true);
  if (!preview_inputs_.defined()) {  // no held-out pairs: preview the first training batch
    preview_inputs_ = input.narrow(0, 0, std::min<int64_t>(6, input.size(0))).cpu();
    preview_targets_ = target.narrow(0, 0, preview_inputs_.size(0)).cpu();
  }
  generator_->train();
  discriminator_->train();
  const auto fake = generator_->forward(input);

  // D: real pairs vs fake pairs, halved as the reference does to slow D down relative to G.
  optimizer_d_->zero_grad();
  const auto real_logits = discriminator_->forward(torch::cat({input, target}, 1));
  const auto fake_logits = discriminator_->forward(torch::cat({input, fake.detach()}, 1));
  const auto loss_d = 0.5 * losses::discriminator_loss(loss_, real_logits, fake_logits);
  backward(loss_d);
  optimizer_step(*optimizer_d_);

  // G: fool D on the pair, and stay close to the target.
  optimizer_g_->zero_grad();
  nn::FrozenParameters frozen_d(*discriminator_);  // backward through D for G's gradient only
  const auto loss_gan = losses::generator_loss(loss_, discriminator_->forward(torch::cat({input, fake}, 1)));
  const auto loss_l1 = torch::l1_loss(fake, target);
  const auto loss_g = loss_gan + l1_weight_ * loss_l1;
  backward(loss_g);
  optimizer_step(*optimizer_g_);

  return {{{"loss_d", loss_d.detach()},
           {"loss_g", loss_g.detach()},
           {"loss_g_gan", loss_gan.detach()},
           {"loss_g_l1", loss_l1.detach()},
           {"d_real", losses::discriminator_score(loss_, real_logits.detach())},
           {"d_fake", losses::discriminator_score(loss_, fake_logits.detach())}}};
}

std::pair<double, double> Pix2pix::learning_rates() const { return {lr_g_ * lr_factor_, lr_d_ * lr_factor_}; }

void Pix2pix::end_step(int64_t step, int64_t total_steps) {
  lr_factor_ = linear_decay_factor(step, total_steps, lr_decay_steps_);
  set_learning_rate(*optimizer_g_, lr_g_ * lr_factor_);
  set_learning_rate(*optimizer_d_, lr_d_ * lr_factor_);
}

void Pix2pix::write_progress_image(const std::filesystem::path& png) {
  if (!preview_inputs_.defined()) return;
  const auto outputs = models::translate(generator_, preview_inputs_);
  // [K,3,C,S,S] -> rows of input | output | target
  const auto rows = torch::stack({preview_inputs_, outputs, preview_targets_}, 1).flatten(0, 1);
  io::write_png(png, io::make_grid(data::from_unit_range(rows), 3));
}

Evaluation Pix2pix::evaluate() {
  if (!held_out_inputs_.defined() || held_out_inputs_.size(0) == 0) return {};
  const auto outputs = models::translate(generator_, data::to_unit_range(held_out_inputs_));
  // Compare in [0,1] pixel units, after the uint8 round trip a saved output goes through.
  const auto unit = [](const torch::Tensor& u8) { return u8.to(torch::kFloat) / 255.0; };
  const auto output = unit(data::from_unit_range(outputs));
  const auto target = unit(held_out_targets_);
  const auto input = unit(held_out_inputs_);
  return {{"l1", (output - target).abs().mean().item<double>()},
          {"ssim", metrics::ssim(output, target)},
          {"l1_input", (input - target).abs().mean().item<double>()},
          {"l1_blank_grey", (target - 0.5).abs().mean().item<double>()},
          {"l1_blank_white", (target - 1.0).abs().mean().item<double>()},
          {"l1_blank_black", target.abs().mean().item<double>()},
          {"held_out", static_cast<double>(held_out_inputs_.size(0))}};
}

std::string Pix2pix::missing_held_out() const { return no_held_out_line(held_out_inputs_); }

}  // namespace gankit::train
