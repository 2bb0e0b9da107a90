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

/// The .npy header (magic, version, padded dict) of an array of `shape` and `dtype` (uint8,
/// int64 or float32): the bytes encode_npy puts before the data.
std::string npy_header(torch::ScalarType dtype, const std::vector<int64_t>& shape);

/// Writes a .npy of known shape piece by piece (sampling millions of images in bounded memory):
/// rows go to a temp file beside `path`; finish() checks every row arrived and renames it into
/// place. Dropped unfinished, the temp file is removed and `path` is untouched. A write failure
/// (disk full) is a gankit::Error naming `path`.
class NpyStreamWriter {
 public:
  NpyStreamWriter(const std::filesystem::path& path, torch::ScalarType dtype, std::vector<int64_t> shape);
  ~NpyStreamWriter();
  NpyStreamWriter(const NpyStreamWriter&) = delete;
  NpyStreamWriter& operator=(const NpyStreamWriter&) = delete;

  /// Appends rows: `rows` has the array's dtype and shape after the first dimension.
  void append(const torch::Tensor& rows);
  void finish();

 private:
  std::filesystem::path path_, tmp_;
  torch::ScalarType dtype_;
  std::vector<int64_t> shape_;
  int64_t rows_written_ = 0;
  std::FILE* file_ = nullptr;
};

}  // namespace gankit::io
