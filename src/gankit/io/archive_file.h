// Archive files: torch::serialize archives (checkpoints, classifier files, feature caches) kept on
// disk as checksummed tensor files (tensor_file.h, archive_json.h) and read back through gankit's
// bounded readers. Files from before tensor files, LibTorch's own zip archives, still load: they
// are checked entry by entry and decoded without LibTorch (torch_archive.h). Either way no byte of
// a file reaches LibTorch's parsers: archives go between LibTorch and gankit as modules in memory
// (archive_module.h), built from validated data.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gankit/io/archive_tree.h"

namespace gankit::io {

/// What `archive` holds (its tensors shared, not copied).
ArchiveTree archive_tree(const torch::serialize::OutputArchive& archive);

/// Writes `tree` to `path` as a tensor file, atomically; a full disk is a gankit::Error "PATH: cannot
/// write (No space left on device)" and leaves no temp file.
void write_archive_file(const std::filesystem::path& path, const ArchiveTree& tree);

/// The bytes write_archive_file would write.
std::string encode_archive_file(const ArchiveTree& tree);

/// The tree an archive file's `bytes` hold: a tensor file gankit wrote, or a LibTorch zip archive.
/// Anything else, or either failing a check, is an ArchiveError naming `name` and saying whether
/// the file is damaged or foreign.
ArchiveTree decode_archive_file(std::shared_ptr<const std::string> bytes, const std::string& name);

/// decode_archive_file on the file at `path`; an unreadable file is an ArchiveError too.
ArchiveTree read_archive_file(const std::filesystem::path& path);

/// Makes `archive` read `tree` (copies of its tensors, so a file's bytes they share are freed with
/// the tree). `name` is the file in errors.
void load_into(ArchiveTree tree, torch::serialize::InputArchive& archive, const std::string& name);

}  // namespace gankit::io
