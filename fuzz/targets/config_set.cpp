// `--set KEY=VALUE` overrides (VALUE in TOML syntax): config::Config::set, one line of the input
// per override, on the defaults; then as config_toml (validate, round trip through to_toml).
// fuzz-instrument: fuzz/toml_impl.cpp
// fuzz-max-len: 1024
#include "../fuzz_target.h"
#include "../config_fuzz.h"

GANKIT_FUZZ_TARGET(config_set) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  gankit::config::Config config;
  try {
    for (size_t start = 0; start <= text.size();) {
      const size_t end = std::min(text.find('\n', start), text.size());
      config.set(text.substr(start, end - start));
      start = end + 1;
    }
    gankit::fuzz::check_config(config);
  } catch (const gankit::Error&) {
  }
}
