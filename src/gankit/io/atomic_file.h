// Whole files in and out. Writes are all or nothing: a temp file beside the target, then a
// rename, so a crash or an error mid-write leaves the user's earlier file untouched.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace gankit::io {

/// Calls write(tmp) for a temp path in the target's folder, then renames it over `path`.
/// If write throws, the temp file is removed and the exception propagates.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path& tmp)>& write);

/// Writes `bytes` to `path` atomically.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/// Writes `bytes` to `path` atomically, but only if nothing is there: an existing file is a
/// gankit::Error "PATH: already exists", even one that appears while this writes.
void write_new_file(const std::filesystem::path& path, std::string_view bytes);

/// The whole content of a file; throws gankit::Error "PATH: cannot read (what)" where `what`
/// says what the file was meant to be (e.g. "image").
std::string read_file_bytes(const std::filesystem::path& path, std::string_view what);

}  // namespace gankit::io
