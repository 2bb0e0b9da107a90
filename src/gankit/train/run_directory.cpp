#include "gankit/train/run_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "gankit/error.h"

namespace gankit::train {

namespace fs = std::filesystem;

namespace {

/// The pid the lock file names (written by its holder), or "?" when unreadable.
std::string lock_holder(int fd) {
  char text[32] = {};
  const ssize_t got = ::pread(fd, text, sizeof(text) - 1, 0);
  if (got <= 0) return "?";
  std::string pid(text, static_cast<size_t>(got));
  return pid.substr(0, pid.find('\n'));
}

/// Opens and locks the folder's lock file; the returned descriptor holds the lock.
int take_lock(const fs::path& dir) {
  const fs::path file = dir / kRunLockFile;
  if (fs::is_directory(file)) fail("{}: is a folder; gankit keeps its run lock there", file.string());
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail("{}: cannot create the run lock ({})", file.string(), std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const std::string holder = lock_holder(fd);
    ::close(fd);
    fail("{}: another gankit run is using this folder (pid {}); wait for it or choose another --out",
         dir.string(), holder);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The pid is only for the message above; the flock is what excludes.
  }
  return fd;
}

/// Whether the folder holds anything besides the lock file.
bool holds_files(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != kRunLockFile) return true;
  }
  return false;
}

/// Every path a run writes is absent or of the right kind; the folders it needs are created.
void check_outputs(const fs::path& dir) {
  for (const char* folder : {"checkpoints", "samples", "plots"}) {
    const fs::path path = dir / folder;
    if (fs::exists(path) && !fs::is_directory(path)) {
      fail("{}: is a file, but the run writes a folder there; move it away or choose another --out", path.string());
    }
  }
  for (const char* file : {"config.toml", "metrics.jsonl", "report.html", "progress.gif"}) {
    const fs::path path = dir / file;
    if (fs::is_directory(path)) {
      fail("{}: is a folder, but the run writes a file there; move it away or choose another --out", path.string());
    }
  }
  for (const char* folder : {"checkpoints", "samples"}) {
    std::error_code ec;
    fs::create_directories(dir / folder, ec);
    if (ec) fail("{}: cannot create folder ({})", (dir / folder).string(), ec.message());
    const fs::path probe = dir / folder / kRunLockFile;  // writable? (an empty file, removed at once)
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fail("{}: cannot write there ({})", (dir / folder).string(), std::strerror(errno));
    ::close(fd);
    fs::remove(probe, ec);
  }
}

}  // namespace

RunDirectory RunDirectory::claim(const fs::path& path, bool resume) {
  std::error_code ec;
  if (fs::exists(path) && !fs::is_directory(path)) {
    fail("{}: is a file; --out names the run's folder", path.string());
  }
  fs::create_directories(path, ec);
  if (ec) fail("{}: cannot create the run folder ({})", path.string(), ec.message());
  RunDirectory run;
  run.path_ = path;
  run.lock_fd_ = take_lock(path);
  if (!resume && holds_files(path)) {
    fail("{}: already holds a run; pass --resume to continue it, or choose another --out (any file in the "
         "folder counts: a run stopped before its first checkpoint, or someone's files)",
         path.string());
  }
  check_outputs(path);
  return run;
}

RunDirectory::RunDirectory(RunDirectory&& other) noexcept
    : path_(std::move(other.path_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

RunDirectory& RunDirectory::operator=(RunDirectory&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    path_ = std::move(other.path_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

RunDirectory::~RunDirectory() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

fs::path create_fresh_run_dir(const fs::path& base) {
  std::error_code ec;
  if (base.has_parent_path()) {
    fs::create_directories(base.parent_path(), ec);
    if (ec) fail("{}: cannot create folder ({})", base.parent_path().string(), ec.message());
  }
  for (int i = 1; i < 100000; ++i) {
    const fs::path candidate = i == 1 ? base : fs::path(base.string() + "-" + std::to_string(i));
    if (fs::create_directory(candidate, ec)) return candidate;  // true only for the one who made it
    if (ec && ec != std::errc::file_exists) fail("{}: cannot create folder ({})", candidate.string(), ec.message());
  }
  fail("{}: no free run folder name (tried {}-2 to {}-99999)", base.string(), base.string(), base.string());
}

}  // namespace gankit::train
