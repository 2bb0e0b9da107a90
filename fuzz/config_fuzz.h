// The checks shared by the config targets.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "gankit/config/config.h"
#include "gankit/error.h"

namespace gankit::fuzz {

/// Resolves and validates `config`; one that validates must survive to_toml -> from_toml unchanged
/// (a run writes config.toml and --resume and checkpoints read it back).
inline void check_config(config::Config& config) {
  config.apply_model_recipe();
  config.validate();
  const std::string written = config.to_toml();
  std::string again;
  try {
    again = config::Config::from_toml(written, "config.toml (written)").to_toml();
  } catch (const Error& error) {
    std::fprintf(stderr, "fuzz: a validated config does not read back: %s\n%s\n", error.what(), written.c_str());
    std::abort();
  }
  if (again != written) {
    std::fprintf(stderr, "fuzz: config changes through to_toml:\n%s\n---\n%s\n", written.c_str(), again.c_str());
    std::abort();
  }
}

}  // namespace gankit::fuzz
