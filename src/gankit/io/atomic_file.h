// Files are written whole or not at all: a temp file beside the target, then a rename. A crash or
// an error mid-write leaves the user's earlier file untouched.
#pragma once
#include <filesystem>
#include <functional>
#include <string_view>

namespace gankit::io {

/// Calls write(tmp) for a temp path in the target's folder, then renames it over `path`.
/// If write throws, the temp file is removed and the exception propagates.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path& tmp)>& write);

/// Writes `bytes` to `path` atomically.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace gankit::io
