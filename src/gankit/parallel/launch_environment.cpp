#include "gankit/parallel/launch_environment.h"

#include <cstdlib>
#include <limits>

#include "gankit/error.h"

namespace gankit::parallel {

namespace {

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

/// The integer in `name`, within [low, high].
int integer_variable(const char* name, const std::string& text, long low, long high) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0' || value < low || value > high) {
    fail("environment: {}={} is not an integer in [{}, {}]", name, text, low, high);
  }
  return static_cast<int>(value);
}

}  // namespace

std::optional<LaunchEnvironment> launch_environment_from_env() {
  const auto world = variable("WORLD_SIZE");
  if (!world) return std::nullopt;
  LaunchEnvironment env;
  env.world_size = integer_variable("WORLD_SIZE", *world, 1, 1 << 16);
  if (env.world_size == 1) return std::nullopt;
  const auto rank = variable("RANK");
  if (!rank) fail("environment: WORLD_SIZE={} is set but RANK is not (set both, as torchrun does)", *world);
  env.rank = integer_variable("RANK", *rank, 0, env.world_size - 1);
  env.local_rank = integer_variable("LOCAL_RANK", variable("LOCAL_RANK").value_or("0"), 0, 1 << 16);
  const auto addr = variable("MASTER_ADDR");
  const auto port = variable("MASTER_PORT");
  if (!addr || !port) {
    fail("environment: WORLD_SIZE={} needs MASTER_ADDR and MASTER_PORT (the host and port of rank 0's store)",
         *world);
  }
  env.master_addr = *addr;
  env.master_port = integer_variable("MASTER_PORT", *port, 1, 65535);
  env.store_served_by_launcher = variable("TORCHELASTIC_USE_AGENT_STORE").value_or("") == "True";
  if (const auto restarts = variable("TORCHELASTIC_RESTART_COUNT")) env.store_prefix += "/attempt_" + *restarts;
  return env;
}

std::string rank_prefix_from_env() {
  try {
    if (auto env = launch_environment_from_env()) return "rank " + std::to_string(env->rank) + ": ";
  } catch (const Error&) {
  }
  return "";
}

}  // namespace gankit::parallel
