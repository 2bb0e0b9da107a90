// NumPy .npy files (format version 1.0), the exchange format for samples and labels.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace gankit::io {

/// Encodes a contiguous CPU tensor (uint8, int64 or float32) as .npy bytes, C order.
std::string encode_npy(const torch::Tensor& tensor);

/// Decodes .npy bytes written by encode_npy or NumPy (uint8, int64, float32; C order, little
/// endian). `name` is used in errors.
torch::Tensor decode_npy(const std::string& bytes, const std::string& name);

/// Writes a tensor as .npy, atomically.
void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor);

/// Reads a .npy file.
torch::Tensor read_npy(const std::filesystem::path& path);

}  // namespace gankit::io
