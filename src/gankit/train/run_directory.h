// A run's folder: one live run at a time (a lock held for the whole run), never another run's
// results. Claimed before the first step, with every path the run will write checked first, so
// a run that cannot finish fails in its first second rather than at its final save.
#pragma once
#include <filesystem>

namespace gankit::train {

/// The lock file inside a run directory (locked with flock while a run uses the folder; the
/// kernel releases it when the process dies, so a killed run never leaves a stale lock).
constexpr const char* kRunLockFile = ".gankit-run.lock";

/// Holds a run directory for as long as it lives.
class RunDirectory {
 public:
  /// Creates `path` if needed, takes its lock, and checks it:
  ///  - another live gankit run holding the lock: gankit::Error "PATH: another gankit run is using
  ///    this folder (pid N)";
  ///  - without `resume`, any content at all (a finished run, a run killed before its first
  ///    checkpoint, someone's files): "PATH: already holds a run (...); pass --resume ... or choose
  ///    another --out";
  ///  - every output path the run writes (checkpoints/, samples/, plots/, config.toml,
  ///    metrics.jsonl, report.html, progress.gif) must be of the right kind: a file where a folder
  ///    goes, or a folder where a file goes, is an error naming it. checkpoints/ and samples/ are
  ///    created, so an unwritable folder fails here too.
  static RunDirectory claim(const std::filesystem::path& path, bool resume);

  RunDirectory() = default;
  RunDirectory(RunDirectory&& other) noexcept;
  RunDirectory& operator=(RunDirectory&& other) noexcept;
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;
  ~RunDirectory();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int lock_fd_ = -1;
};

/// A new, empty folder `base`, or `base`-2, -3, ...: created here with one atomic mkdir, so two
/// runs started at the same moment never pick the same one, and an existing folder (a run, or a
/// run killed before its first checkpoint) is never reused.
std::filesystem::path create_fresh_run_dir(const std::filesystem::path& base);

}  // namespace gankit::train
