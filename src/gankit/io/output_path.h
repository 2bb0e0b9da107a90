// Where a command may write: never over one of its inputs, and never over a checkpoint. Checked
// before any work starts, so a wrong -o costs a second, not a run.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace gankit::io {

/// Whether `path` is an existing file gankit must never replace: a checkpoint or model file
/// (a .pt/.pth/.ckpt/.safetensors name, a zip archive as torch writes them, or a safetensors
/// header), whatever its name.
bool is_protected_file(const std::filesystem::path& path);

/// Refuses (gankit::Error naming `option` and the path) an output `out` that:
///  - is one of `inputs`, or the folder an input file lies in while `out_is_folder` (files written
///    into it would replace the inputs);
///  - is an existing protected file (see is_protected_file);
///  - is an existing folder where a file is written, or a file where a folder is.
void check_output_path(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs,
                       bool out_is_folder, const std::string& option);

}  // namespace gankit::io
