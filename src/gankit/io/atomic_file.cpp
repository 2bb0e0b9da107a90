#include "gankit/io/atomic_file.h"

#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "gankit/error.h"

namespace gankit::io {

namespace fs = std::filesystem;

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
    fail("{}: cannot write: {}", path.string(), ec.message());
  }
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  write_atomically(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail("{}: cannot open for writing", tmp.string());
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) fail("{}: write failed (disk full?)", tmp.string());
  });
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
  if (ec) fail("{}: cannot write: {}", path.string(), ec.message());
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
