// The adversarial recipe: a generator, a discriminator, their optimisers and one loss, trained by
// alternating updates. Architectures come from models/; everything else is chosen by config.
#pragma once
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "gankit/config/train_options.h"
#include "gankit/data/loader.h"
#include "gankit/losses/adversarial.h"
#include "gankit/losses/penalty.h"
#include "gankit/models/networks.h"
#include "gankit/nn/diff_augment.h"
#include "gankit/train/recipe.h"

namespace gankit::train {

class AdversarialGan : public Recipe {
 public:
  /// `average_generator` (same architecture as G, or null) receives the moving average of G's
  /// weights when options.ema > 0; sampling then uses it. `group`: the data-parallel group this
  /// process trains in, or null.
  AdversarialGan(models::Networks networks, std::shared_ptr<models::Generator> average_generator,
                 const config::TrainOptions& options, int64_t z_dim, int64_t num_classes,
                 torch::Device device, parallel::Group* group);

  /// n_critic discriminator updates (one batch each), then one generator update that reuses the
  /// last fake batch, as pytorch/examples dcgan does. Returns loss_d, loss_g, d_real, d_fake;
  /// then the penalty ("gp" or "r1", unweighted) when one is on, and class_loss_d, class_loss_g,
  /// class_acc_real for auxiliary-classifier models.
  StepStats train_step(data::Loader& loader) override;
  int64_t batches_per_step() const override { return n_critic_; }
  models::ModelKind kind() const override { return models::ModelKind::NoiseToImage; }
  std::pair<double, double> learning_rates() const override { return {lr_g_, lr_d_}; }

  /// Recomputes the sampling generator's BatchNorm statistics (see refresh_generator_statistics).
  void refresh(int64_t step) override;
  /// A 10x10 grid from the same 100 noise vectors every time; one row per class for conditional
  /// models.
  void write_progress_image(const std::filesystem::path& png) override;

  /// Images from the sampling generator for noise from `seed`, 500 at a time.
  std::pair<torch::Tensor, torch::Tensor> draw_samples(int64_t n, uint64_t seed) override;

  const torch::nn::Module& generator_module() const override { return *networks_.generator; }
  std::vector<const torch::nn::Module*> replicated_modules() const override {
    auto modules = Recipe::replicated_modules();
    if (average_generator_) modules.push_back(average_generator_.get());
    return modules;
  }
  const torch::nn::Module& discriminator_module() const override { return *networks_.discriminator; }

  /// Recomputes the sampling generator's BatchNorm statistics for its current weights (no-op
  /// without BN).
  /// Draws noise from its own generator seeded with `seed`, so the run's RNG is untouched.
  void refresh_generator_statistics(uint64_t seed, int64_t batch_size);

  /// Writes G, D and both optimisers into `archive` (keys generator, discriminator, optimizer_g,
  /// optimizer_d; generator_ema and ema_updates with a weight average) and reads them back.
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  models::Generator& generator() { return *networks_.generator; }
  models::Discriminator& discriminator() { return *networks_.discriminator; }
  int64_t z_dim() const { return z_dim_; }
  torch::Device device() const { return device_; }

 private:
  /// What one critic update leaves for the generator update and the step's statistics.
  struct CriticStep {
    torch::Tensor loss;               ///< D's whole loss
    torch::Tensor fake, fake_labels;  ///< G's images (and their labels) of this update
    models::Scores real_scores, fake_scores;
  };
  /// One D update on `batch` and a fresh fake batch (+ class loss, penalty, clipping).
  CriticStep critic_step(const data::Batch& batch, StepStats& extra);
  /// D's adversarial loss, with smoothed or noisy targets when those are on.
  torch::Tensor adversarial_loss_d(const torch::Tensor& real_logits, const torch::Tensor& fake_logits);
  /// AC-GAN: D's class loss on real (and, with fake_class_loss, fake) images; statistics to `extra`.
  torch::Tensor class_loss_d(const models::Scores& real_scores, const torch::Tensor& real_labels,
                             const models::Scores& fake_scores, const torch::Tensor& fake_labels,
                             StepStats& extra);
  /// One G update on `fake`, scored by the freshly updated D; then the weight average. Returns G's loss.
  torch::Tensor generator_step(const torch::Tensor& fake, const torch::Tensor& fake_labels, StepStats& extra);
  torch::Tensor sample_labels(int64_t n) const;
  /// D's view of images: DiffAugment'ed when a policy is on.
  torch::Tensor augment(const torch::Tensor& images) const;
  /// The weighted penalty term of D's loss (its unweighted value goes to `stats`).
  torch::Tensor penalty(const torch::Tensor& real, const torch::Tensor& fake, const torch::Tensor& labels,
                        StepStats& stats);
  models::Generator& sampling_generator() {
    return average_generator_ ? *average_generator_ : *networks_.generator;
  }

  models::Networks networks_;
  std::shared_ptr<models::Generator> average_generator_;
  double ema_decay_;
  int64_t ema_updates_ = 0;
  std::unique_ptr<torch::optim::Optimizer> optimizer_g_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_d_;
  losses::AdversarialLoss loss_;
  losses::Penalty penalty_;
  double penalty_weight_;
  double clip_;
  double label_smoothing_;
  double label_noise_;
  bool fake_class_loss_;
  nn::DiffAugmentPolicy diffaugment_;
  int64_t n_critic_;
  int64_t z_dim_;
  int64_t num_classes_;
  torch::Device device_;
  double lr_g_, lr_d_;
  uint64_t seed_;
  int64_t batch_size_;  // of the global batch, for precise BatchNorm statistics
  int64_t refreshed_at_ = -1;  // step whose BatchNorm statistics the sampling generator holds
  torch::Tensor grid_z_, grid_labels_;
};

}  // namespace gankit::train
