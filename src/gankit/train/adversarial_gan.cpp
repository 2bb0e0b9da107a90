#include "gankit/train/adversarial_gan.h"

#include "gankit/compat.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "gankit/models/generation.h"
#include "gankit/nn/batchnorm_stats.h"
#include "gankit/nn/frozen_parameters.h"
#include "gankit/parallel/global_draw.h"
#include "gankit/parallel/group.h"
#include "gankit/train/optimizers.h"
#include "gankit/train/weight_average.h"

namespace gankit::train {

AdversarialGan::AdversarialGan(models::Networks networks,
                               std::shared_ptr<models::Generator> average_generator,
                               const config::TrainOptions& options, int64_t z_dim, int64_t num_classes,
                               torch::Device device, parallel::Group* group)
    : networks_(std::move(networks)),
      average_generator_(options.ema > 0 ? std::move(average_generator) : nullptr),
      ema_decay_(options.ema),
      optimizer_g_(make_optimizer(options,
                                  (networks_.generator->to(device), networks_.generator->parameters()),
                                  options.lr_g, group)),
      optimizer_d_(make_optimizer(
          options, (networks_.discriminator->to(device), networks_.discriminator->parameters()), options.lr_d,
          group)),
      loss_(losses::parse_adversarial_loss(options.loss)),
      penalty_(losses::parse_penalty(options.penalty)),
      penalty_weight_(options.penalty_weight),
      clip_(options.clip),
      label_smoothing_(options.label_smoothing),
      label_noise_(options.label_noise),
      fake_class_loss_(options.fake_class_loss),
      diffaugment_(nn::DiffAugmentPolicy::parse(options.diffaugment)),
      n_critic_(options.n_critic),
      z_dim_(z_dim),
      num_classes_(num_classes),
      device_(device),
      lr_g_(options.lr_g),
      lr_d_(options.lr_d),
      seed_(static_cast<uint64_t>(options.seed)),
      // The global batch: a data-parallel run refreshes G's statistics as one process would.
      batch_size_(options.batch_size * (group != nullptr ? group->size() : 1)) {
  TORCH_CHECK(options.ema == 0 || average_generator_, "train.ema needs an average generator");
  if (penalty_ != losses::Penalty::None && nn::has_batchnorm(*networks_.discriminator)) {
    fail("train.penalty = {}: this model's discriminator has BatchNorm, which mixes a batch's images, so a "
         "per-image gradient penalty does not constrain it (use wgan-gp, sn-dcgan or sagan)",
         options.penalty);
  }
  if (average_generator_) {
    average_generator_->to(device);
    copy_weights(*average_generator_, *networks_.generator);
  }
  // The same 100 noise vectors for every grid of the run, so grids show progress, not noise.
  auto grid_noise = at::detail::createCPUGenerator(seed_ + 1);
  grid_z_ = torch::randn({100, z_dim_}, grid_noise);
  if (num_classes_ > 0) grid_labels_ = torch::arange(100, torch::kLong).div(10, "floor").remainder(num_classes_);
}

void AdversarialGan::refresh(int64_t step) {
  if (refreshed_at_ == step) return;
  refresh_generator_statistics(seed_ + 2, batch_size_);
  refreshed_at_ = step;
}

void AdversarialGan::write_progress_image(const std::filesystem::path& png) {
  // From the sampling generator: the weight average when there is one, else G.
  io::write_png(
      png, io::make_grid(
               models::generate_images(sampling_generator(), grid_z_, grid_labels_, grid_z_.size(0)), 10));
}

torch::Tensor AdversarialGan::sample_labels(int64_t n) const {
  if (num_classes_ == 0) return {};
  return parallel::draw_rows(n, [&](int64_t rows) {
    return torch::randint(num_classes_, {rows}, torch::TensorOptions().dtype(torch::kLong).device(device_));
  });
}

torch::Tensor AdversarialGan::augment(const torch::Tensor& images) const {
  return diffaugment_.any() ? nn::diff_augment(images, diffaugment_) : images;
}

torch::Tensor AdversarialGan::penalty(const torch::Tensor& real, const torch::Tensor& fake,
                                      const torch::Tensor& labels, StepStats& stats) {
  auto& d = *networks_.discriminator;
  const losses::Critic critic = [&](const torch::Tensor& images) { return d.forward(images, labels); };
  const auto term = losses::penalty_term(penalty_, penalty_weight_, critic, real, fake);
  stats.scalars.emplace_back(losses::penalty_name(penalty_), term.value.detach());
  return term.loss;
}

StepStats AdversarialGan::train_step(data::Loader& loader) {
  networks_.generator->train();
  networks_.discriminator->train();
  StepStats extra;  // penalty and class statistics, after the four standard ones
  CriticStep critic;
  for (int64_t i = 0; i < n_critic_; ++i) {
    extra.scalars.clear();
    critic = critic_step(loader.next(), extra);
  }
  const auto loss_g = generator_step(critic.fake, critic.fake_labels, extra);
  StepStats stats{{{"loss_d", critic.loss.detach()},
                   {"loss_g", loss_g.detach()},
                   {"d_real", losses::discriminator_score(loss_, critic.real_scores.logits.detach())},
                   {"d_fake", losses::discriminator_score(loss_, critic.fake_scores.logits.detach())}}};
  for (auto& scalar : extra.scalars) stats.scalars.push_back(std::move(scalar));
  return stats;
}

AdversarialGan::CriticStep AdversarialGan::critic_step(const data::Batch& batch, StepStats& extra) {
  auto& g = *networks_.generator;
  auto& d = *networks_.discriminator;
  const auto real = batch.images.to(device_, /*non_blocking=*/true);
  const auto real_labels =
      num_classes_ > 0 && batch.labels.defined() ? batch.labels.to(device_) : torch::Tensor();
  const int64_t n = real.size(0);

  // D update. Real and fake go through D separately, so D's BatchNorm sees pure batches.
  CriticStep step;
  optimizer_d_->zero_grad();
  step.real_scores = d.score(augment(real), real_labels);
  step.fake_labels = sample_labels(n);
  const auto z = parallel::draw_rows(n, [&](int64_t rows) {
    return torch::randn({rows, z_dim_}, real.options());
  });
  step.fake = g.forward(z, step.fake_labels);
  step.fake_scores = d.score(augment(step.fake.detach()), step.fake_labels);
  step.loss = adversarial_loss_d(step.real_scores.logits, step.fake_scores.logits);
  if (step.real_scores.class_logits.defined()) {
    step.loss =
        step.loss + class_loss_d(step.real_scores, real_labels, step.fake_scores, step.fake_labels, extra);
  }
  if (penalty_ != losses::Penalty::None) step.loss = step.loss + penalty(real, step.fake, real_labels, extra);
  backward(step.loss);
  optimizer_step(*optimizer_d_);
  if (clip_ > 0) {
    torch::NoGradGuard no_grad;
    for (auto& p : d.parameters()) p.clamp_(-clip_, clip_);
  }
  return step;
}

torch::Tensor AdversarialGan::adversarial_loss_d(const torch::Tensor& real_logits,
                                                 const torch::Tensor& fake_logits) {
  if (label_smoothing_ > 0 || label_noise_ > 0) {
    const auto [real_targets, fake_targets] =
        losses::discriminator_targets(real_logits.size(0), label_smoothing_, label_noise_, device_);
    return losses::discriminator_loss(loss_, real_logits, fake_logits, real_targets, fake_targets);
  }
  return losses::discriminator_loss(loss_, real_logits, fake_logits);
}

torch::Tensor AdversarialGan::class_loss_d(const models::Scores& real_scores,
                                           const torch::Tensor& real_labels,
                                           const models::Scores& fake_scores,
                                           const torch::Tensor& fake_labels, StepStats& extra) {
  // AC-GAN: D also learns to tell the class, of real images and of G's.
  auto class_loss = torch::nn::functional::cross_entropy(real_scores.class_logits, real_labels);
  if (fake_class_loss_) {
    class_loss = class_loss + torch::nn::functional::cross_entropy(fake_scores.class_logits, fake_labels);
  }
  extra.scalars.emplace_back("class_loss_d", class_loss.detach());
  extra.scalars.emplace_back("class_acc_real",
                             (real_scores.class_logits.argmax(1) == real_labels).to(torch::kFloat).mean());
  return class_loss;
}

torch::Tensor AdversarialGan::generator_step(const torch::Tensor& fake, const torch::Tensor& fake_labels,
                                             StepStats& extra) {
  // G update on the last fake batch, scored by the freshly updated D.
  auto& d = *networks_.discriminator;
  optimizer_g_->zero_grad();
  torch::Tensor loss_g;
  {
    nn::FrozenParameters frozen_d(d);  // backward through D for G's gradient only
    const auto scores_for_g = d.score(augment(fake), fake_labels);
    loss_g = losses::generator_loss(loss_, scores_for_g.logits);
    if (scores_for_g.class_logits.defined()) {
      const auto class_loss = torch::nn::functional::cross_entropy(scores_for_g.class_logits, fake_labels);
      extra.scalars.emplace_back("class_loss_g", class_loss.detach());
      loss_g = loss_g + class_loss;
    }
    backward(loss_g);
  }
  optimizer_step(*optimizer_g_);
  if (average_generator_)
    update_weight_average(*average_generator_, *networks_.generator, ema_decay_, ema_updates_++);
  return loss_g;
}

std::pair<torch::Tensor, torch::Tensor> AdversarialGan::draw_samples(int64_t n, uint64_t seed) {
  auto noise = at::detail::createCPUGenerator(seed);
  const auto z = torch::randn({n, z_dim_}, noise);
  const auto labels = num_classes_ > 0 ? torch::arange(n, torch::kLong).remainder(num_classes_) : torch::Tensor();
  return {models::generate_images(sampling_generator(), z, labels, 500), labels};
}

void AdversarialGan::refresh_generator_statistics(uint64_t seed, int64_t batch_size) {
  auto& g = sampling_generator();
  if (!nn::has_batchnorm(g)) return;
  auto noise = at::detail::createCPUGenerator(seed);
  nn::recompute_batchnorm_stats(
      g,
      [&] {
        auto z = torch::randn({batch_size, z_dim_}, noise).to(device_);
        torch::Tensor labels;
        if (num_classes_ > 0) labels = torch::randint(num_classes_, {batch_size}, noise).to(device_);
        g.forward(z, labels);
      },
      /*batches=*/50);
}

void AdversarialGan::save(torch::serialize::OutputArchive& archive) const {
  save_players(archive, *networks_.generator, *networks_.discriminator, *optimizer_g_, *optimizer_d_);
  if (average_generator_) {
    torch::serialize::OutputArchive average;
    average_generator_->save(average);
    archive.write("generator_ema", average);
    archive.write("ema_updates", c10::IValue(ema_updates_));
  }
}

void AdversarialGan::load(torch::serialize::InputArchive& archive) {
  load_players(archive, *networks_.generator, *networks_.discriminator, *optimizer_g_, *optimizer_d_);
  networks_.generator->to(device_);
  networks_.discriminator->to(device_);
  if (average_generator_) {
    torch::serialize::InputArchive average;
    c10::IValue updates;
    if (archive.try_read("generator_ema", average) && archive.try_read("ema_updates", updates)) {
      average_generator_->load(average);
      average_generator_->to(device_);
      ema_updates_ = updates.toInt();
    } else {  // a run started without EMA and resumed with it: start the average here
      copy_weights(*average_generator_, *networks_.generator);
    }
  }
}

}  // namespace gankit::train
