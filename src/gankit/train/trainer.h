// Runs a training job end to end: data, networks, the adversarial loop, and the run directory
// (config.toml, metrics.jsonl, samples/, checkpoints/).
#pragma once
#include <atomic>
#include <filesystem>
#include <iosfwd>
#include <memory>

#include "gankit/config/config.h"

namespace gankit::parallel {
class Group;
}

namespace gankit::train {

struct TrainerOptions {
  std::filesystem::path run_dir;
  /// Continue from run_dir/checkpoints/latest.pt when it exists.
  bool resume = false;
  /// train.precision is the resumed run's own (no --set gave it): when this machine cannot run
  /// it (bf16 recorded on an AVX-512 CPU, resumed on an AVX2 one), continue at what auto picks
  /// here, with a warning, instead of refusing to resume.
  bool precision_from_run = false;
  /// Where progress goes, and whether it is a terminal (redrawn bar) or not (plain lines).
  std::ostream* out = nullptr;
  bool interactive = false;
  /// Set from a signal handler to stop after the current step with a checkpoint.
  const std::atomic<bool>* stop = nullptr;
  /// Data parallelism: this process is one rank of `group`. Rank 0 decides the config and resume,
  /// alone writes the run directory, and sends the others its config and checkpoint; every rank
  /// trains on its shard of each global batch with gradients averaged. Null: a single process.
  std::shared_ptr<parallel::Group> group;
  /// Which CUDA device this process uses (LOCAL_RANK in a multi-GPU job).
  int cuda_device = 0;
};

struct TrainResult {
  int64_t step = 0;
  int64_t total_steps = 0;
  bool interrupted = false;
  std::filesystem::path checkpoint;  ///< checkpoints/latest.pt
  std::filesystem::path last_grid;   ///< the last 10x10 grid written to samples/
  double images_per_s = 0;           ///< real images consumed per second of training, all ranks together
  std::filesystem::path report;      ///< report.html
};

/// The config a resumed run continues with: the one stored in run_dir's latest checkpoint.
/// Throws if run_dir holds no checkpoint.
config::Config stored_config(const std::filesystem::path& run_dir);

/// Trains `config` in options.run_dir. Refuses to overwrite an existing run unless resuming.
TrainResult train(config::Config config, const TrainerOptions& options);

}  // namespace gankit::train
