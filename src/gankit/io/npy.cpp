#include "gankit/io/npy.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"

namespace gankit::io {

namespace {

constexpr char kMagic[] = "\x93NUMPY";

const char* descr_of(torch::ScalarType type) {
  switch (type) {
    case torch::kUInt8: return "|u1";
    case torch::kLong: return "<i8";
    case torch::kFloat: return "<f4";
    default: return nullptr;
  }
}

}  // namespace

std::string npy_header(torch::ScalarType dtype, const std::vector<int64_t>& shape) {
  const char* descr = descr_of(dtype);
  TORCH_CHECK(descr != nullptr, "npy_header: unsupported dtype ", dtype);
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";  // NumPy writes (5,) for one dimension
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, dims);
  // Pad so that magic(6) + version(2) + length(2) + header is a multiple of 64, ending in '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out(kMagic, 6);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>((header.size() >> 8) & 0xff));
  return out + header;
}

std::string encode_npy(const torch::Tensor& tensor) {
  const auto data = tensor.contiguous().cpu();
  std::string out = npy_header(data.scalar_type(), data.sizes().vec());
  out.append(static_cast<const char*>(data.data_ptr()), data.nbytes());
  return out;
}

NpyStreamWriter::NpyStreamWriter(const std::filesystem::path& path, torch::ScalarType dtype,
                                 std::vector<int64_t> shape)
    : path_(path), dtype_(dtype), shape_(std::move(shape)) {
  tmp_ = path;
  tmp_ += fmt::format(".{}.{:x}.tmp", ::getpid(), reinterpret_cast<uintptr_t>(this));
  file_ = std::fopen(tmp_.c_str(), "wb");
  if (file_ == nullptr) fail("{}: cannot write ({})", path_.string(), std::strerror(errno));
  const std::string header = npy_header(dtype_, shape_);
  if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) fail("{}: cannot write ({})", path_.string(), std::strerror(errno));
}

NpyStreamWriter::~NpyStreamWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
  }
}

void NpyStreamWriter::append(const torch::Tensor& rows) {
  const auto data = rows.contiguous().cpu();
  TORCH_CHECK(data.scalar_type() == dtype_ && data.dim() == static_cast<int64_t>(shape_.size()) &&
                  std::equal(shape_.begin() + 1, shape_.end(), data.sizes().begin() + 1),
              "NpyStreamWriter: rows of the wrong dtype or shape");
  if (rows_written_ + data.size(0) > shape_[0]) fail("{}: more rows than the header's {}", path_.string(), shape_[0]);
  if (std::fwrite(data.data_ptr(), 1, data.nbytes(), file_) != data.nbytes()) {
    fail("{}: cannot write ({})", path_.string(), std::strerror(errno));
  }
  rows_written_ += data.size(0);
}

void NpyStreamWriter::finish() {
  if (rows_written_ != shape_[0]) fail("{}: {} rows written, the header says {}", path_.string(), rows_written_, shape_[0]);
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int error = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  std::error_code ec;
  if (!flushed || !closed) {
    std::filesystem::remove(tmp_, ec);
    fail("{}: cannot write ({})", path_.string(), std::strerror(flushed ? errno : error));
  }
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) {
    std::filesystem::remove(tmp_, ec);
    fail("{}: cannot write ({})", path_.string(), ec.message());
  }
}

namespace {

constexpr size_t kMaxHeader = 64 * 1024;  // NumPy itself refuses headers over 10,000 bytes
constexpr size_t kMaxRank = 8;

/// The value of `key` in the header dict, matched by `pattern` (one capture group).
std::string header_field(const std::string& header, const char* key, const char* pattern, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(header, match, std::regex(std::string("'") + key + "'\\s*:\\s*" + pattern))) {
    fail("{}: .npy header has no readable '{}' (header: {})", name, key, header.substr(0, 120));
  }
  return match[1];
}

/// The shape tuple's dimensions, each a plain non-negative integer, checked against overflow.
std::vector<int64_t> parse_shape(const std::string& tuple, size_t item_size, const std::string& name) {
  std::vector<int64_t> shape;
  std::stringstream dims(tuple);
  uint64_t elements = 1;
  for (std::string dim; std::getline(dims, dim, ',');) {
    const auto first = dim.find_first_not_of(" "), last = dim.find_last_not_of(" ");
    if (first == std::string::npos) continue;
    const std::string digits = dim.substr(first, last - first + 1);
    if (digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) {
      fail("{}: .npy shape ({}) has a dimension '{}' that is not a size", name, tuple, digits);
    }
    const auto size = static_cast<uint64_t>(std::stoll(digits));
    if (size != 0 && elements > (uint64_t{1} << 62) / item_size / size) {
      fail("{}: .npy shape ({}) is too large", name, tuple);
    }
    elements *= size;
    shape.push_back(static_cast<int64_t>(size));
    if (shape.size() > kMaxRank) fail("{}: .npy shape ({}) has more than {} dimensions", name, tuple, kMaxRank);
  }
  return shape;
}

}  // namespace

torch::Tensor decode_npy(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) fail("{}: not a .npy file", name);
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_length = 0, offset = 0;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail("{}: truncated .npy header", name);
    for (int i = 3; i >= 0; --i) header_length = (header_length << 8) | static_cast<unsigned char>(bytes[8 + i]);
    offset = 12;
  } else {
    fail("{}: unsupported .npy version {}", name, major);
  }
  if (header_length > kMaxHeader) fail("{}: .npy header of {} bytes is implausibly long", name, header_length);
  if (bytes.size() < offset + header_length) fail("{}: truncated .npy header", name);
  const std::string header = bytes.substr(offset, header_length);
  const std::string descr = header_field(header, "descr", "'([^']*)'", name);
  if (header_field(header, "fortran_order", "(\\w+)", name) != "False") {
    fail("{}: Fortran-ordered .npy is not supported (save with numpy.ascontiguousarray)", name);
  }
  torch::ScalarType type;
  if (descr == "|u1") type = torch::kUInt8;
  else if (descr == "<i8") type = torch::kLong;
  else if (descr == "<f4") type = torch::kFloat;
  else fail("{}: unsupported .npy dtype '{}' (expected uint8, int64 or float32)", name, descr);
  const size_t item_size = c10::elementSize(type);
  const auto shape = parse_shape(header_field(header, "shape", "\\(([^)]*)\\)", name), item_size, name);
  const size_t data_offset = offset + header_length;
  uint64_t needed = item_size;
  for (int64_t size : shape) needed *= static_cast<uint64_t>(size);
  if (bytes.size() - data_offset != needed) {  // checked before allocating
    fail("{}: .npy data holds {} bytes, its shape needs {}", name, bytes.size() - data_offset, needed);
  }
  auto tensor = torch::empty(shape, torch::TensorOptions().dtype(type));
  // An empty array's data_ptr() is null, which memcpy must not be given even for 0 bytes.
  if (tensor.nbytes() > 0) std::memcpy(tensor.data_ptr(), bytes.data() + data_offset, tensor.nbytes());
  return tensor;
}

void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  write_file_atomically(path, encode_npy(tensor));
}

torch::Tensor read_npy(const std::filesystem::path& path) {
  return decode_npy(read_file_bytes(path, ".npy file"), path.string());
}

}  // namespace gankit::io
