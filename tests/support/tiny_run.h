// A tiny but real training configuration: DCGAN of width 8 on Fashion-MNIST's test split at
// 16x16 (Debian's dataset-fashion-mnist), a few steps. Seconds, not minutes.
#pragma once
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "gankit/config/config.h"
#include "gankit/train/trainer.h"

namespace gankit::test {

inline std::vector<std::string> tiny_overrides(int steps = 6) {
  return {"model.width=8",       "model.z_dim=8",        "data.split=test",
          "data.image_size=16",  "train.batch_size=16",  "train.steps=" + std::to_string(steps),
          "train.log_every=2",   "train.sample_every=3", "train.checkpoint_every=3"};
}

inline gankit::config::Config tiny_config(int steps = 6) {
  gankit::config::Config config;
  for (const auto& assignment : tiny_overrides(steps)) config.set(assignment);
  return config;
}

/// The same overrides as `--set K=V ...` arguments for the CLI.
inline std::string tiny_set_args(int steps = 6) {
  std::string args;
  for (const auto& assignment : tiny_overrides(steps)) args += " --set " + assignment;
  return args;
}

/// Trains `config` in `dir` with progress output discarded.
inline gankit::train::TrainResult train_quietly(const gankit::config::Config& config,
                                                const std::filesystem::path& dir, bool resume = false) {
  std::ostringstream log;
  gankit::train::TrainerOptions options;
  options.run_dir = dir;
  options.resume = resume;
  options.out = &log;
  return gankit::train::train(config, options);
}

}  // namespace gankit::test
