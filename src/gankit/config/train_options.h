// The `[train]` section of a config: the optimisation schedule and the run's bookkeeping.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "gankit/enum_table.h"

namespace gankit::config {

/// train.optimizer
enum class Optimizer { Adam, RmsProp };
inline const EnumTable<Optimizer>& optimizers() {
  static const EnumTable<Optimizer> table{
      {Optimizer::Adam, "adam", "Adam with train.betas"},
      {Optimizer::RmsProp, "rmsprop", "RMSprop (WGAN)"},
  };
  return table;
}

/// train.device
enum class DeviceChoice { Auto, Cpu, Cuda };
inline const EnumTable<DeviceChoice>& device_choices() {
  static const EnumTable<DeviceChoice> table{
      {DeviceChoice::Auto, "auto", "CUDA when this LibTorch sees a device, else the CPU"},
      {DeviceChoice::Cpu, "cpu", "the CPU"},
      {DeviceChoice::Cuda, "cuda", "a CUDA device (an error without one)"},
  };
  return table;
}

struct TrainOptions {
  /// Generator updates to run; 0 = use `epochs`.
  int64_t steps = 0;
  /// Passes over the data (used when steps = 0); one epoch = floor(N / batch_size) batches.
  int64_t epochs = 1;
  int64_t batch_size = 64;
  /// Seeds weights, noise, shuffling and augmentation: same seed, same run.
  int64_t seed = 0;
  double lr_g = 2e-4;
  double lr_d = 2e-4;
  /// Adam's (beta1, beta2).
  std::array<double, 2> betas{0.5, 0.999};
  /// Discriminator updates per generator update.
  int64_t n_critic = 1;
  /// Adversarial loss: bce (non-saturating) | hinge | wasserstein | lsgan.
  std::string loss = "bce";
  /// adam (uses betas) | rmsprop (WGAN).
  std::string optimizer = "adam";
  /// Clamp D's weights to [-clip, clip] after each D update (WGAN); 0 = off.
  double clip = 0.0;
  /// Gradient penalty on D: none | gp (WGAN-GP, on real/fake interpolates) | r1 (on real images).
  std::string penalty = "none";
  /// The penalty's weight: λ for gp (10 in WGAN-GP); γ for r1, which adds γ/2·E‖∇D(x)‖².
  double penalty_weight = 10.0;
  /// One-sided label smoothing: D's target for real images is 1 - this (Salimans 2016: 0.1).
  double label_smoothing = 0.0;
  /// Noisy labels: the probability that each of D's real/fake targets is flipped.
  double label_noise = 0.0;
  /// DiffAugment policy on every image D sees: "" (off) or e.g. "color,translation,cutout".
  std::string diffaugment = "";
  /// Weight of the L1 reconstruction term in G's loss (pix2pix: λ = 100; inpainting: hole L1).
  double l1_weight = 100.0;
  /// Weight of the adversarial term in G's loss for reconstruction recipes (pix2pix, inpainting).
  double adversarial_weight = 1.0;
  /// Holes to train inpainting on: center | rectangles | free-form | mixed (one of the three per image).
  std::string mask = "mixed";
  /// Learning rates decay linearly to 0 over the last this-many steps (pix2pix); 0 = constant.
  int64_t lr_decay_steps = 0;
  /// AC-GAN: D's class head also learns the classes of generated images (the paper). false trains
  /// it on real images only, so it cannot learn G's mistakes as classes.
  bool fake_class_loss = true;
  /// Exponential moving average decay of the generator weights; 0 = off.
  double ema = 0.0;
  /// Steps between lines of metrics.jsonl (and progress lines when not on a terminal).
  int64_t log_every = 50;
  /// Steps between 10x10 sample grids in samples/; 0 = only at the end.
  int64_t sample_every = 500;
  /// Steps between evaluations on held-out data (for recipes that have one); 0 = only at the end.
  int64_t eval_every = 0;
  /// Feature extractor for FID at each evaluation: "" (none), "classifier:FILE" (a domain
  /// classifier from `gankit classifier train`) or "inception:FILE" (pytorch-fid's weights). The
  /// checkpoint with the lowest FID so far is kept as checkpoints/best.pt.
  std::string eval_features = "";
  /// Generated (and real) images each FID is computed from.
  int64_t eval_samples = 5000;
  /// Steps between checkpoints (checkpoints/latest.pt); 0 = only at the end.
  int64_t checkpoint_every = 500;
  /// auto | cpu | cuda
  std::string device = "auto";
  /// Arithmetic of the heavy ops: auto | fp32 | bf16 | fp16 (compute/precision.h). A run writes the
  /// resolved choice (never auto) to its config.toml, so a resume computes the same way.
  std::string precision = "auto";
  /// Intra-op threads; 0 = the cores available to this process.
  int64_t threads = 0;
  /// Data-parallel runs (several processes): BatchNorm statistics over the whole global batch
  /// (SyncBatchNorm) instead of each process's own batch_size images. Costs an all-reduce per
  /// BatchNorm layer per forward; makes N processes train exactly like one with N times the batch.
  bool sync_bn = false;
};

}  // namespace gankit::config
