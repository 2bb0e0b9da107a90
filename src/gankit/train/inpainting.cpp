#include "gankit/train/inpainting.h"

#include "gankit/compat.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "gankit/metrics/image_quality.h"
#include "gankit/models/registry.h"
#include "gankit/nn/frozen_parameters.h"
#include "gankit/parallel/global_draw.h"
#include "gankit/train/optimizers.h"

namespace gankit::train {

namespace {

/// Training holes for n images of side `size`, drawn from torch's default generator, whose state
/// checkpoints keep.
torch::Tensor training_masks(data::MaskKind kind, int64_t n, int64_t size) {
  auto generator = compat::default_cpu_generator();
  return data::make_masks(kind, n, size, generator);
}

/// Centre holes for evaluation and previews (no randomness).
torch::Tensor center_masks(int64_t n, int64_t size) {
  auto generator = at::detail::createCPUGenerator(0);
  return data::make_masks(data::MaskKind::Center, n, size, generator);
}

/// [0,1] floats from uint8.
torch::Tensor unit(const torch::Tensor& u8) { return u8.to(torch::kFloat) / 255.0; }

}  // namespace

Inpainting::Inpainting(const config::Config& config, const data::DataInfo& info, torch::Device device,
                       parallel::Group* group)
    : Inpainting(
          models::make_inpainting_networks(config.model, {info.channels, info.image_size, info.num_classes}),
          config, device, group) {}

Inpainting::Inpainting(models::InpaintingNetworks networks, const config::Config& config,
                       torch::Device device, parallel::Group* group)
    : TwoPlayerRecipe(std::move(networks.generator), std::move(networks.critic), config.train, device, group),
      loss_(losses::parse_adversarial_loss(config.train.loss)),
      penalty_(losses::parse_penalty(config.train.penalty)),
      penalty_weight_(config.train.penalty_weight),
      l1_weight_(config.train.l1_weight),
      adversarial_weight_(config.train.adversarial_weight),
      mask_kind_(data::parse_mask_kind(config.train.mask)) {
  if (config.train.n_critic != 1)
    fail("model inpaint trains with train.n_critic = 1, got {}", config.train.n_critic);
  held_out_ = data::load_held_out(config.data).images;
  if (held_out_.defined() && held_out_.size(0) > 0)
    preview_ = held_out_.narrow(0, 0, std::min<int64_t>(6, held_out_.size(0)));
}

StepStats Inpainting::train_step(data::Loader& loader) {
  const auto real = loader.next().images.to(device_, /*non_blocking=*/true);
  const int64_t n = real.size(0), size = real.size(2);
  if (!preview_.defined()) preview_ = data::from_unit_range(real.narrow(0, 0, std::min<int64_t>(6, n)).cpu());
  // Data-parallel: each rank its rows of the global batch's holes, as for noise.
  const auto masks =
      parallel::draw_rows(n, [&](int64_t rows) { return training_masks(mask_kind_, rows, size); }).to(device_);
  generator_->train();
  discriminator_->train();
  const auto painted = generator_->forward(models::make_inpaint_input(real, masks));
  const auto completed = real * (1 - masks) + painted * masks;

  StepStats stats;
  optimizer_d_->zero_grad();
  const auto real_logits = discriminator_->forward(real, {});
  const auto fake_logits = discriminator_->forward(completed.detach(), {});
  auto loss_d = losses::discriminator_loss(loss_, real_logits, fake_logits);
  torch::Tensor penalty;
  if (penalty_ != losses::Penalty::None) {
    const losses::Critic critic = [&](const torch::Tensor& x) { return discriminator_->forward(x, {}); };
    const auto term = losses::penalty_term(penalty_, penalty_weight_, critic, real, completed);
    penalty = term.value;
    loss_d = loss_d + term.loss;
  }
  backward(loss_d);
  optimizer_step(*optimizer_d_);

  optimizer_g_->zero_grad();
  nn::FrozenParameters frozen_critic(*discriminator_);  // backward through D for G's gradient only
  // L1 over the hole only: outside it the composite is the input whatever G paints.
  const auto hole_l1 = ((painted - real).abs() * masks).sum() / (masks.sum() * real.size(1)).clamp_min(1);
  const auto loss_adv = losses::generator_loss(loss_, discriminator_->forward(completed, {}));
  const auto loss_g = l1_weight_ * hole_l1 + adversarial_weight_ * loss_adv;
  backward(loss_g);
  optimizer_step(*optimizer_g_);

  stats.scalars = {{"loss_d", loss_d.detach()},
                   {"loss_g", loss_g.detach()},
                   {"loss_g_adv", loss_adv.detach()},
                   {"loss_g_l1", hole_l1.detach()},
                   {"d_real", losses::discriminator_score(loss_, real_logits.detach())},
                   {"d_fake", losses::discriminator_score(loss_, fake_logits.detach())}};
  if (penalty.defined()) stats.scalars.emplace_back(losses::penalty_name(penalty_), penalty.detach());
  return stats;
}

void Inpainting::write_progress_image(const std::filesystem::path& png) {
  if (!preview_.defined()) return;
  const auto& originals = preview_;
  const auto masks = center_masks(originals.size(0), originals.size(2));
  const auto completed =
      data::from_unit_range(models::complete(generator_, data::to_unit_range(originals), masks));
  const auto masked = (originals.to(torch::kFloat) * (1 - masks)).to(torch::kUInt8);
  const auto rows = torch::stack({masked, completed, originals}, 1).flatten(0, 1);  // masked | output | original
  io::write_png(png, io::make_grid(rows, 3));
}

Evaluation Inpainting::evaluate() {
  if (!held_out_.defined() || held_out_.size(0) == 0) return {};
  const int64_t n = held_out_.size(0);
  const auto masks = center_masks(n, held_out_.size(2));
  const auto original = unit(held_out_);
  // Scored after the uint8 round trip a saved completion goes through.
  std::vector<torch::Tensor> chunks;
  for (int64_t start = 0; start < n; start += 100) {
    const int64_t k = std::min<int64_t>(100, n - start);
    chunks.push_back(data::from_unit_range(models::complete(
        generator_, data::to_unit_range(held_out_.narrow(0, start, k)), masks.narrow(0, start, k))));
  }
  const auto completed = unit(torch::cat(chunks));
  Evaluation evaluation{{"hole_psnr", metrics::psnr(completed, original, masks)},
                        {"ssim", metrics::ssim(completed, original)},
                        {"hole_l1", metrics::masked_l1(completed, original, masks)}};
  if (baselines_.empty()) {
    const auto mean_fill = metrics::mean_fill(original, masks);
    const auto nearest_fill = metrics::nearest_fill(original, masks);
    baselines_ = {{"mean_fill_hole_psnr", metrics::psnr(mean_fill, original, masks)},
                  {"mean_fill_ssim", metrics::ssim(mean_fill, original)},
                  {"nearest_fill_hole_psnr", metrics::psnr(nearest_fill, original, masks)},
                  {"nearest_fill_ssim", metrics::ssim(nearest_fill, original)},
                  {"held_out", static_cast<double>(n)}};
  }
  evaluation.insert(evaluation.end(), baselines_.begin(), baselines_.end());
  return evaluation;
}

std::string Inpainting::missing_held_out() const { return no_held_out_line(held_out_); }

}  // namespace gankit::train
