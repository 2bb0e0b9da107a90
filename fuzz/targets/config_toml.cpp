// TOML configs (configs/*.toml, a run's config.toml, a checkpoint's stored config):
// config::Config::from_toml, then apply_model_recipe and validate; a config that validates must
// come back unchanged through to_toml (what a run writes and --resume reads).
// fuzz-instrument: fuzz/toml_impl.cpp
// fuzz-max-len: 8192
#include "../fuzz_target.h"
#include "../config_fuzz.h"

GANKIT_FUZZ_TARGET(config_toml) {
  try {
    auto config = gankit::config::Config::from_toml(std::string(reinterpret_cast<const char*>(data), size),
                                                    "fuzz.toml");
    gankit::fuzz::check_config(config);
  } catch (const gankit::Error&) {
  }
}
