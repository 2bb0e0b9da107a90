// What the trainer drives: one kind of GAN training (adversarial image synthesis, paired
// translation, inpainting) with its networks, optimisers and losses. The trainer owns the loop,
// the run directory and checkpoints; a recipe owns everything model-specific.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/compute/loss_scaler.h"
#include "gankit/data/loader.h"
#include "gankit/models/model_kind.h"

namespace gankit::parallel {
class Group;
}

namespace gankit::train {

/// Named scalars of one step, kept as 0-dim tensors: converting to numbers forces a sync, so
/// that happens only when a step is logged.
struct StepStats {
  std::vector<std::pair<std::string, torch::Tensor>> scalars;
};

/// Named numbers from a held-out evaluation, logged to metrics.jsonl as they are.
using Evaluation = std::vector<std::pair<std::string, double>>;

class Recipe : public checkpoint::TrainingState {
 public:
  /// What the generator maps from and to (stored in checkpoints).
  virtual models::ModelKind kind() const = 0;

  /// One generator update and the discriminator updates before it.
  virtual StepStats train_step(data::Loader& loader) = 0;
  /// Batches one train_step consumes.
  virtual int64_t batches_per_step() const { return 1; }
  /// Learning rates of G and D in use now (for metrics.jsonl).
  virtual std::pair<double, double> learning_rates() const = 0;
  /// Called after every step with the number of steps done and the run's total (LR schedules).
  virtual void end_step(int64_t /*step*/, int64_t /*total_steps*/) {}

  /// Brings eval-mode state up to date with the weights (precise BatchNorm); before images and
  /// checkpoints.
  virtual void refresh(int64_t /*step*/) {}
  /// Writes the run's progress image for this step (a PNG): the same inputs every time.
  virtual void write_progress_image(const std::filesystem::path& png) = 0;
  /// Metrics on held-out data; empty when the recipe has none.
  virtual Evaluation evaluate() { return {}; }
  /// For the run banner: a line saying why there will be no held-out metrics, when a recipe that
  /// evaluates on held-out data found none; else "".
  virtual std::string missing_held_out() const { return {}; }
  /// `n` images from the sampling generator, uint8 [N,C,H,W] on the CPU, for noise drawn from
  /// `seed` (conditional models: labels [N], the classes in turn), for FID during training. An
  /// undefined images tensor for recipes that do not generate from noise.
  virtual std::pair<torch::Tensor, torch::Tensor> draw_samples(int64_t /*n*/, uint64_t /*seed*/) { return {}; }

  virtual const torch::nn::Module& generator_module() const = 0;
  virtual const torch::nn::Module& discriminator_module() const = 0;
  /// The networks a data-parallel run keeps identical on every rank (broadcast from rank 0 before
  /// the first step): G and D, and any weight average.
  virtual std::vector<const torch::nn::Module*> replicated_modules() const {
    return {&generator_module(), &discriminator_module()};
  }

  /// fp16: every backward and optimiser step of the recipe goes through dynamic loss scaling
  /// (the trainer turns it on); off, they pass through unchanged.
  void use_loss_scaling(bool on) { scaler_ = compute::LossScaler(compute::LossScalerOptions().enabled(on)); }
  const compute::LossScaler& loss_scaler() const { return scaler_; }
  /// After each train_step: the scale backs off after a skipped step, or grows.
  void update_loss_scale() { scaler_.update(); }

 protected:
  /// loss.backward(), of the scaled loss under fp16.
  void backward(const torch::Tensor& loss) { scaler_.scale(loss).backward(); }
  /// optimizer.step(), with the gradients unscaled first under fp16, and skipped when they hold
  /// inf or NaN. Returns whether it stepped.
  bool optimizer_step(torch::optim::Optimizer& optimizer) { return scaler_.step(optimizer); }

 private:
  compute::LossScaler scaler_{compute::LossScalerOptions().enabled(false)};
};

/// Recipe::missing_held_out's line for a recipe whose held-out images are `held_out` (undefined or
/// empty: none).
std::string no_held_out_line(const torch::Tensor& held_out);

/// Writes G, D and their optimisers under the keys generator, discriminator, optimizer_g,
/// optimizer_d; load_players reads them back. Shared by every two-player recipe.
void save_players(torch::serialize::OutputArchive& archive, const torch::nn::Module& generator,
                  const torch::nn::Module& discriminator, const torch::optim::Optimizer& optimizer_g,
                  const torch::optim::Optimizer& optimizer_d);
void load_players(torch::serialize::InputArchive& archive, torch::nn::Module& generator,
                  torch::nn::Module& discriminator, torch::optim::Optimizer& optimizer_g,
                  torch::optim::Optimizer& optimizer_d);

}  // namespace gankit::train
