// Whole files in and out. Writes are all or nothing: a temp file beside the target, flushed to the
// disk (fsync), then a rename, so a crash, a full disk or an error mid-write leaves the user's
// earlier file untouched and no temp file behind.
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

/// Hands each piece of a file to the writer, in order (see write_pieces_atomically).
using AppendBytes = std::function<void(std::string_view bytes)>;

/// Writes a file atomically from pieces: `produce(append)` calls append(bytes) for each piece, so
/// a large file never has to be one string in memory. The temp file is fsync'ed before the rename
/// and the folder after it. A failed write (a full disk, a quota) is gankit::Error
/// "PATH: cannot write (No space left on device)" naming `path`; the temp file is then removed.
void write_pieces_atomically(const std::filesystem::path& path,
                             const std::function<void(const AppendBytes& append)>& produce);

/// Writes `bytes` to `path` atomically (write_pieces_atomically with one piece).
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/// Writes `bytes` to `path` atomically, but only if nothing is there: an existing file is a
/// gankit::Error "PATH: already exists", even one that appears while this writes.
void write_new_file(const std::filesystem::path& path, std::string_view bytes);

/// The whole content of a file; throws gankit::Error "PATH: cannot read (what)" where `what`
/// says what the file was meant to be (e.g. "image").
std::string read_file_bytes(const std::filesystem::path& path, std::string_view what);

}  // namespace gankit::io
