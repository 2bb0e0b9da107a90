// `gankit train --nproc N`: this machine's share of a data-parallel job, started the way torchrun
// starts PyTorch workers. N copies of this executable run as ranks 0..N-1 with MASTER_ADDR,
// MASTER_PORT, RANK, LOCAL_RANK and WORLD_SIZE set; the launcher forwards Ctrl-C, and when a
// worker dies it names the rank and stops the rest.
#pragma once
#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace gankit::parallel {

struct LocalLaunchOptions {
  int nproc = 2;
  /// Intra-op threads per worker (OMP_NUM_THREADS), unless the user set OMP_NUM_THREADS.
  int threads_per_worker = 1;
  /// How long the others get to stop by themselves once one worker has failed, before SIGKILL.
  std::chrono::milliseconds grace{std::chrono::seconds(15)};
  /// Where the launcher's own messages go.
  std::ostream* err = nullptr;
};

/// Runs `arguments` (without the program name) in `options.nproc` worker processes of this
/// executable and waits for them. Returns 0 when every worker succeeded, 130 when interrupted,
/// else the first failure's exit status (128 + signal for a killed worker).
int launch_local_workers(const std::vector<std::string>& arguments, const LocalLaunchOptions& options);

/// A TCP port on 127.0.0.1 that was free a moment ago (for MASTER_PORT).
int free_local_port();

}  // namespace gankit::parallel
