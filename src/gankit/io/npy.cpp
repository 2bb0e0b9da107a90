#include "gankit/io/npy.h"

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

std::string encode_npy(const torch::Tensor& tensor) {
  const char* descr = descr_of(tensor.scalar_type());
  TORCH_CHECK(descr != nullptr, "encode_npy: unsupported dtype ", tensor.scalar_type());
  const auto data = tensor.contiguous().cpu();
  std::string shape;
  for (int64_t i = 0; i < data.dim(); ++i) shape += (i ? ", " : "") + std::to_string(data.size(i));
  if (data.dim() == 1) shape += ",";  // NumPy writes (5,) for one dimension
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, shape);
  // Pad so that magic(6) + version(2) + length(2) + header is a multiple of 64, ending in '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out(kMagic, 6);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>((header.size() >> 8) & 0xff));
  out += header;
  out.append(static_cast<const char*>(data.data_ptr()), data.nbytes());
  return out;
}

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
  if (bytes.size() < offset + header_length) fail("{}: truncated .npy header", name);
  const std::string header = bytes.substr(offset, header_length);
  std::smatch match;
  if (!std::regex_search(header, match, std::regex("'descr':\\s*'([^']+)'"))) fail("{}: .npy header has no descr", name);
  const std::string descr = match[1];
  if (header.find("'fortran_order': True") != std::string::npos) fail("{}: Fortran-ordered .npy is not supported", name);
  if (!std::regex_search(header, match, std::regex("'shape':\\s*\\(([^)]*)\\)"))) fail("{}: .npy header has no shape", name);
  std::vector<int64_t> shape;
  std::stringstream dims(match[1].str());
  for (std::string dim; std::getline(dims, dim, ',');) {
    if (dim.find_first_not_of(" ") != std::string::npos) shape.push_back(std::stoll(dim));
  }
  torch::ScalarType type;
  if (descr == "|u1") type = torch::kUInt8;
  else if (descr == "<i8") type = torch::kLong;
  else if (descr == "<f4") type = torch::kFloat;
  else fail("{}: unsupported .npy dtype '{}' (expected uint8, int64 or float32)", name, descr);
  auto tensor = torch::empty(shape, torch::TensorOptions().dtype(type));
  const size_t data_offset = offset + header_length;
  if (bytes.size() - data_offset != tensor.nbytes()) {
    fail("{}: .npy data holds {} bytes, its shape needs {}", name, bytes.size() - data_offset, tensor.nbytes());
  }
  std::memcpy(tensor.data_ptr(), bytes.data() + data_offset, tensor.nbytes());
  return tensor;
}

void write_npy(const std::filesystem::path& path, const torch::Tensor& tensor) {
  write_file_atomically(path, encode_npy(tensor));
}

torch::Tensor read_npy(const std::filesystem::path& path) {
  return decode_npy(read_file_bytes(path, ".npy file"), path.string());
}

}  // namespace gankit::io
