// Tensor files: the container of everything gankit writes and later trusts (checkpoints,
// classifier files, feature caches). A valid safetensors file, so Python reads it with the
// `safetensors` package or with json + numpy alone:
//
//   bytes 0-7   N, the header's length (unsigned 64-bit little-endian)
//   bytes 8..   the header, N bytes of JSON, padded with spaces to a multiple of 8:
//                 {"__metadata__":{"crc32":"XXXXXXXX", KEY: VALUE, ...},
//                  NAME: {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...}
//   bytes 8+N.. the tensors' raw little-endian bytes, row-major; [BEGIN, END) counts from 8+N
//
// gankit always puts "crc32" first: eight lowercase hex digits, the CRC-32 (zlib's, Python's
// zlib.crc32) of the whole file without those eight bytes, so a flipped bit anywhere is found.
// dtypes: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL. The data section holds the tensors largest
// element first, so each starts aligned to its element size.
//
// Reading is bounded: the header is at most kMaxHeaderBytes, checked against the file's size
// before it is read; at most kMaxTensors tensors of rank at most kMaxRank; every tensor's byte
// length must equal its dtype size times its element count (no overflow), and the tensors must
// tile the data section exactly. Tensors are read without copying when aligned (they then share
// the file's bytes).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gankit::io {

/// What a tensor file holds.
struct TensorFile {
  /// __metadata__ without the checksum, in order (a string to string map).
  std::vector<std::pair<std::string, std::string>> metadata;
  /// Named CPU tensors in order (any layout; stored contiguous).
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
};

constexpr uint64_t kMaxHeaderBytes = uint64_t{16} << 20;
constexpr size_t kMaxTensors = size_t{1} << 20;
constexpr size_t kMaxRank = 8;

/// Whether `bytes` start like a tensor file gankit wrote (the header opens with the checksum).
bool looks_like_tensor_file(std::string_view bytes);

/// The bytes of `file`. A name used twice, "__metadata__" as a tensor name, a metadata key
/// "crc32", an unsupported dtype or a string that is not UTF-8 is a gankit::Error.
std::string encode_tensor_file(const TensorFile& file);

/// Writes `file` to `path` atomically (see write_pieces_atomically), without one big copy.
void write_tensor_file(const std::filesystem::path& path, const TensorFile& file);

/// Reads the file `bytes` hold (kept alive by the tensors that share them). Anything wrong is a
/// gankit::Error "NAME: what" on one line: a checksum that does not match, a truncated file, a
/// header that breaks a bound above.
TensorFile decode_tensor_file(std::shared_ptr<const std::string> bytes, const std::string& name);

}  // namespace gankit::io
