#include "gankit/train/adversarial_gan.h"

#include "gankit/compat.h"
#include "gankit/nn/batchnorm_stats.h"
#include "gankit/train/weight_average.h"

namespace gankit::train {

namespace {

torch::optim::AdamOptions adam(double lr, const std::array<double, 2>& betas) {
  return torch::optim::AdamOptions(lr).betas({betas[0], betas[1]});
}

}  // namespace

AdversarialGan::AdversarialGan(models::Networks networks, std::shared_ptr<models::Generator> average_generator,
                               const TrainOptions& options, int64_t z_dim, int64_t num_classes,
                               torch::Device device)
    : networks_(std::move(networks)),
      average_generator_(options.ema > 0 ? std::move(average_generator) : nullptr),
      ema_decay_(options.ema),
      optimizer_g_((networks_.generator->to(device), networks_.generator->parameters()),
                   adam(options.lr_g, options.betas)),
      optimizer_d_((networks_.discriminator->to(device), networks_.discriminator->parameters()),
                   adam(options.lr_d, options.betas)),
      loss_(losses::parse_adversarial_loss(options.loss)),
      n_critic_(options.n_critic),
      z_dim_(z_dim),
      num_classes_(num_classes),
      device_(device) {
  TORCH_CHECK(options.ema == 0 || average_generator_, "train.ema needs an average generator");
  if (average_generator_) {
    average_generator_->to(device);
    copy_weights(*average_generator_, *networks_.generator);
  }
}

torch::Tensor AdversarialGan::sample_labels(int64_t n) const {
  if (num_classes_ == 0) return {};
  return torch::randint(num_classes_, {n}, torch::TensorOptions().dtype(torch::kLong).device(device_));
}

StepStats AdversarialGan::train_step(data::Loader& loader) {
  auto& g = *networks_.generator;
  auto& d = *networks_.discriminator;
  g.train();
  d.train();
  torch::Tensor loss_d, real_logits, fake_logits, fake, fake_labels;
  for (int64_t i = 0; i < n_critic_; ++i) {
    data::Batch batch = loader.next();
    const auto real = batch.images.to(device_, /*non_blocking=*/true);
    const auto real_labels = batch.labels.defined() ? batch.labels.to(device_) : torch::Tensor();
    const int64_t n = real.size(0);

    // D update. Real and fake go through D separately, so D's BatchNorm sees pure batches.
    optimizer_d_.zero_grad();
    real_logits = d.forward(real, real_labels);
    fake_labels = sample_labels(n);
    fake = g.forward(torch::randn({n, z_dim_}, real.options()), fake_labels);
    fake_logits = d.forward(fake.detach(), fake_labels);
    loss_d = losses::discriminator_loss(loss_, real_logits, fake_logits);
    loss_d.backward();
    optimizer_d_.step();
  }

  // G update on the last fake batch, scored by the freshly updated D.
  optimizer_g_.zero_grad();
  const auto fake_logits_for_g = d.forward(fake, fake_labels);
  const auto loss_g = losses::generator_loss(loss_, fake_logits_for_g);
  loss_g.backward();
  optimizer_g_.step();
  if (average_generator_) update_weight_average(*average_generator_, g, ema_decay_, ema_updates_++);

  return {{{"loss_d", loss_d.detach()},
           {"loss_g", loss_g.detach()},
           {"d_real", losses::discriminator_score(loss_, real_logits.detach())},
           {"d_fake", losses::discriminator_score(loss_, fake_logits.detach())}}};
}

torch::Tensor AdversarialGan::generate(const torch::Tensor& z, const torch::Tensor& labels) {
  auto& g = sampling_generator();
  const bool was_training = g.is_training();
  g.eval();
  torch::NoGradGuard no_grad;
  auto images = g.forward(z.to(device_), labels.defined() ? labels.to(device_) : labels);
  g.train(was_training);
  return images;
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
  torch::serialize::OutputArchive g, d, opt_g, opt_d;
  networks_.generator->save(g);
  networks_.discriminator->save(d);
  optimizer_g_.save(opt_g);
  optimizer_d_.save(opt_d);
  archive.write("generator", g);
  archive.write("discriminator", d);
  archive.write("optimizer_g", opt_g);
  archive.write("optimizer_d", opt_d);
  if (average_generator_) {
    torch::serialize::OutputArchive average;
    average_generator_->save(average);
    archive.write("generator_ema", average);
    archive.write("ema_updates", c10::IValue(ema_updates_));
  }
}

void AdversarialGan::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive g, d, opt_g, opt_d;
  archive.read("generator", g);
  archive.read("discriminator", d);
  archive.read("optimizer_g", opt_g);
  archive.read("optimizer_d", opt_d);
  networks_.generator->load(g);
  networks_.discriminator->load(d);
  optimizer_g_.load(opt_g);
  optimizer_d_.load(opt_d);
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
