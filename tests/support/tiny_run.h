// A tiny but real training configuration: DCGAN of width 8 on Fashion-MNIST's test split at
// 16x16 (Debian's dataset-fashion-mnist), a few steps. Seconds, not minutes.
#pragma once
#include <string>
#include <vector>

#include "gankit/train/config.h"

namespace gankit::test {

inline std::vector<std::string> tiny_overrides(int steps = 6) {
  return {"model.width=8",       "model.z_dim=8",        "data.split=test",
          "data.image_size=16",  "train.batch_size=16",  "train.steps=" + std::to_string(steps),
          "train.log_every=2",   "train.sample_every=3", "train.checkpoint_every=3"};
}

inline gankit::train::Config tiny_config(int steps = 6) {
  gankit::train::Config config;
  for (const auto& assignment : tiny_overrides(steps)) config.set(assignment);
  return config;
}

/// The same overrides as `--set K=V ...` arguments for the CLI.
inline std::string tiny_set_args(int steps = 6) {
  std::string args;
  for (const auto& assignment : tiny_overrides(steps)) args += " --set " + assignment;
  return args;
}

}  // namespace gankit::test
