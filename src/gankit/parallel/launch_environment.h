// Where this process stands in a data-parallel job, read the way torchrun and Slurm-launched
// PyTorch jobs pass it: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace gankit::parallel {

struct LaunchEnvironment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;  ///< rank on this machine: picks the CUDA device
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  /// torchrun's agent serves the store at MASTER_ADDR:MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE):
  /// rank 0 connects as a client instead of serving it.
  bool store_served_by_launcher = false;
  /// Keys of this attempt (TORCHELASTIC_RESTART_COUNT), so a restarted job ignores an old one's.
  std::string store_prefix = "gankit";
};

/// The job this process belongs to, or nullopt when WORLD_SIZE is unset or 1 (a single process).
/// Throws gankit::Error naming the variable when one is missing or malformed.
std::optional<LaunchEnvironment> launch_environment_from_env();

/// "rank R: " when this process is one of several, else "" (for error messages).
std::string rank_prefix_from_env();

}  // namespace gankit::parallel
