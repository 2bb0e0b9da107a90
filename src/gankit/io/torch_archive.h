// torch::serialize archives as LibTorch writes them (OutputArchive::save_to): a TorchScript zip
// with data.pkl (the objects), code/ (one class a module, naming its parameters and buffers) and
// data/ (the tensors' bytes). Every gankit checkpoint, classifier file and feature cache was one
// before tensor files. Read here by gankit's own bounded readers — the zip directory, every
// entry's CRC-32, the pickle (no recursion, only the globals LibTorch writes), the class lists —
// so LibTorch's unpickler and TorchScript compiler never parse a file's bytes.
#pragma once
#include <memory>
#include <string>

#include "gankit/io/archive_tree.h"

namespace gankit::io {

/// The archive `bytes` hold. Its tensors share the bytes where they are stored aligned (they keep
/// them alive). A broken zip, a failed CRC or a corrupt pickle is a gankit::Error "NAME: what"; a
/// global LibTorch archives never name, values or archives nested deeper than gankit writes, or
/// anything else gankit never writes is an ArchiveError (foreign).
ArchiveTree decode_torch_archive(std::shared_ptr<const std::string> bytes, const std::string& name);

}  // namespace gankit::io
