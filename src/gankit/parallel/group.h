// A data-parallel job's process group: c10d's TCPStore for the rendezvous, ProcessGroupGloo for
// CPU tensors and ProcessGroupNCCL for CUDA tensors where the LibTorch build has it. gankit's
// collectives (bucketed gradient averaging, broadcasts, sums) and the errors users see when a
// rank dies or stops answering live here; c10d's headers stay out of this one.
#pragma once
#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gankit/parallel/launch_environment.h"

namespace gankit::parallel {

struct GroupOptions {
  /// How long a collective or the rendezvous waits for a rank before failing with an error
  /// naming it.
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  /// How long the rendezvous waits for every rank to arrive: processes start at different times,
  /// and a client that finds no store yet retries with backoff, so this is not cut short.
  std::chrono::milliseconds join_timeout{std::chrono::minutes(5)};
  /// Tensors the collectives will see: CUDA selects NCCL where built in, else Gloo.
  torch::Device device = torch::kCPU;
  /// Gradients are all-reduced in flat buckets of about this size (PyTorch DDP's default, 25 MiB).
  int64_t bucket_bytes = 25 << 20;
};

/// Whether this build can form a process group (LibTorch with c10d Gloo).
bool distributed_available();

class Group {
 public:
  /// Joins the job `env` describes: rank 0 serves the store at MASTER_ADDR:MASTER_PORT, the
  /// others connect to it; returns once every rank has joined. Throws gankit::Error when the
  /// ranks do not all arrive within options.join_timeout.
  static std::shared_ptr<Group> connect(const LaunchEnvironment& env, const GroupOptions& options = {});
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  const GroupOptions& options() const { return options_; }

  /// Replaces every rank's `tensors` with rank `root`'s, in place.
  void broadcast(const std::vector<torch::Tensor>& tensors, int root = 0);
  /// Replaces each of `tensors` with its mean over the ranks, in place; bucketed, every bucket in
  /// flight at once.
  void average(const std::vector<torch::Tensor>& tensors);
  /// The sum over the ranks of `tensor` (a new tensor; the input is left alone).
  torch::Tensor sum(const torch::Tensor& tensor);
  /// The largest of every rank's `value`.
  double max(double value);
  /// Rank `root`'s bytes on every rank (e.g. a checkpoint file).
  std::string broadcast_bytes(const std::string& bytes_on_root, int root = 0);
  /// Waits until every rank reaches this point.
  void barrier();

  /// A short message through the store: `publish` on one rank, `fetch` (waits up to the
  /// timeout) on the others.
  void publish(const std::string& key, const std::string& value);
  std::string fetch(const std::string& key);

 private:
  struct State;
  Group(int rank, int size, const GroupOptions& options, std::unique_ptr<State> state);
  /// Runs `operation` (named `what` in errors) and turns c10d/Gloo failures into one-line errors
  /// that name the rank that was lost.
  template <typename F>
  void guarded(const char* what, F&& operation);

  int rank_;
  int size_;
  GroupOptions options_;
  std::unique_ptr<State> state_;
};

/// The group this thread trains in (nullptr outside a data-parallel job or inside LocalOnly): what
/// SyncBatchNorm and parallel::draw_rows consult.
Group* current_group();

/// Makes `group` current on this thread for the guard's lifetime.
class CurrentGroup {
 public:
  explicit CurrentGroup(Group* group);
  ~CurrentGroup();
  CurrentGroup(const CurrentGroup&) = delete;
  CurrentGroup& operator=(const CurrentGroup&) = delete;

 private:
  Group* previous_;
};

/// Work one rank does alone (sample grids, evaluation, BatchNorm refreshes): no collectives.
class LocalOnly : public CurrentGroup {
 public:
  LocalOnly() : CurrentGroup(nullptr) {}
};

}  // namespace gankit::parallel
