#include "gankit/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "gankit/error.h"

namespace gankit::io {

namespace fs = std::filesystem;

namespace {

/// "PATH: cannot write (No space left on device)" for the errno a system call left.
[[noreturn]] void cannot_write(const fs::path& path, int error) {
  fail("{}: cannot write ({})", path.string(), std::strerror(error));
}

/// An open file descriptor, closed on destruction (errors then ignored: close() reports them).
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  /// Closes now; returns 0 or the errno.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

/// write(2) until every byte is out; `shown` names the file in errors (the target, not the temp).
void write_all(int fd, std::string_view bytes, const fs::path& shown) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      cannot_write(shown, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
}

/// The pieces `produce` gives, written to `tmp` and flushed to the disk.
void write_pieces(const fs::path& tmp, const fs::path& shown,
                  const std::function<void(const AppendBytes&)>& produce) {
  Descriptor file(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (file.get() < 0) cannot_write(shown, errno);
  produce([&](std::string_view bytes) { write_all(file.get(), bytes, shown); });
  // Delayed allocation can report a full disk only here, at fsync or close.
  if (::fsync(file.get()) != 0) cannot_write(shown, errno);
  if (const int error = file.close()) cannot_write(shown, error);
}

/// Makes the rename itself durable; a folder that cannot be opened or synced is left as it is.
void sync_folder(const fs::path& path) {
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  Descriptor dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
}

}  // namespace

void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) fail("{}: cannot create folder: {}", path.parent_path().string(), ec.message());
  }
  // Unique per process and call, so two writers never share a temp file.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  fs::path tmp = path;
  tmp += fmt::format(".{}.{:x}.tmp", ::getpid(), rng());
  try {
    write(tmp);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail("{}: cannot write ({})", path.string(), ec.message());
  }
}

void write_pieces_atomically(const fs::path& path, const std::function<void(const AppendBytes&)>& produce) {
  write_atomically(path, [&](const fs::path& tmp) { write_pieces(tmp, path, produce); });
  sync_folder(path);
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  write_pieces_atomically(path, [&](const AppendBytes& append) { append(bytes); });
}

void write_new_file(const fs::path& path, std::string_view bytes) {
  if (fs::exists(path)) fail("{}: already exists", path.string());
  // A complete file beside the target, then a hard link: unlike rename, link refuses to replace.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  fs::path staged = path;
  staged += fmt::format(".{}.{:x}.new", ::getpid(), rng());
  write_file_atomically(staged, bytes);
  std::error_code ec;
  fs::create_hard_link(staged, path, ec);
  std::error_code ignored;
  fs::remove(staged, ignored);
  if (ec == std::errc::file_exists) fail("{}: already exists", path.string());
  if (ec) fail("{}: cannot write ({})", path.string(), ec.message());
}

std::string read_file_bytes(const fs::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) {
    fail("{}: cannot read {} (no such file or not readable)", path.string(), what);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace gankit::io
