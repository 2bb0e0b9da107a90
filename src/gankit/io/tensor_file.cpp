#include "gankit/io/tensor_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <unordered_set>

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/io/bounded_json.h"

namespace gankit::io {

namespace fs = std::filesystem;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "tensor files hold little-endian bytes as they are in memory");

namespace {

/// The header's first bytes; the eight hex digits of the checksum follow.
constexpr std::string_view kPrefix = R"({"__metadata__":{"crc32":")";
constexpr size_t kDigits = 8;
/// Where the checksum's digits are in the file (after the 8-byte length).
constexpr size_t kDigitsAt = 8 + kPrefix.size();

struct Dtype {
  torch::ScalarType type;
  const char* name;
};
constexpr Dtype kDtypes[] = {
    {torch::kDouble, "F64"}, {torch::kFloat, "F32"}, {torch::kHalf, "F16"},  {torch::kBFloat16, "BF16"},
    {torch::kLong, "I64"},   {torch::kInt, "I32"},   {torch::kShort, "I16"}, {torch::kChar, "I8"},
    {torch::kByte, "U8"},    {torch::kBool, "BOOL"},
};

uint32_t crc32_update(uint32_t crc, std::string_view bytes) {
  if (bytes.empty()) return crc;  // zlib answers 0 for a null buffer (an empty tensor's data)
  return static_cast<uint32_t>(
      crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<z_size_t>(bytes.size())));
}

std::string_view bytes_of(const torch::Tensor& contiguous) {
  return {static_cast<const char*>(contiguous.data_ptr()), contiguous.nbytes()};
}

/// `text` as a JSON string; not UTF-8 is an error naming `what`.
std::string json_string(const std::string& text, const std::string& what) {
  try {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    fail("cannot save {}: it is not UTF-8 text", what);
  }
}

/// A file laid out: the padded header (checksum filled in) and the tensors in data order.
struct Layout {
  std::string length;  ///< N, 8 bytes little-endian
  std::string header;
  std::vector<torch::Tensor> data;
};

const char* dtype_name(torch::ScalarType type, const std::string& tensor) {
  for (const auto& dtype : kDtypes) {
    if (dtype.type == type) return dtype.name;
  }
  fail("cannot save tensor {}: its dtype {} has no safetensors name", tensor, c10::toString(type));
}

/// The header's JSON before padding; `offsets` says where each tensor of `file` lies in the data.
std::string header_json(const TensorFile& file, const std::vector<std::pair<uint64_t, uint64_t>>& offsets) {
  std::string json = std::string(kPrefix) + std::string(kDigits, '0') + "\"";
  std::unordered_set<std::string> keys{"crc32"};
  for (const auto& [key, value] : file.metadata) {
    if (!keys.insert(key).second) fail("cannot save: metadata key '{}' is used twice (or reserved)", key);
    json += "," + json_string(key, "a metadata key") + ":" + json_string(value, "metadata '" + key + "'");
  }
  json += "}";
  std::unordered_set<std::string> names{"__metadata__"};
  for (size_t i = 0; i < file.tensors.size(); ++i) {
    const auto& [name, tensor] = file.tensors[i];
    if (!names.insert(name).second) fail("cannot save: tensor name '{}' is used twice (or reserved)", name);
    json += fmt::format(",{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
                        json_string(name, "a tensor name"), dtype_name(tensor.scalar_type(), name),
                        fmt::join(tensor.sizes(), ","), offsets[i].first, offsets[i].second);
  }
  return json + "}";
}

Layout lay_out(const TensorFile& file) {
  Layout layout;
  std::vector<torch::Tensor> tensors;
  for (const auto& entry : file.tensors) tensors.push_back(entry.second.cpu().contiguous());
  // Largest elements first: with an 8-aligned data section every tensor starts aligned.
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tensors[a].element_size() > tensors[b].element_size(); });
  std::vector<std::pair<uint64_t, uint64_t>> offsets(tensors.size());
  uint64_t at = 0;
  for (size_t i : order) {
    offsets[i] = {at, at + tensors[i].nbytes()};
    at = offsets[i].second;
    layout.data.push_back(tensors[i]);
  }
  layout.header = header_json(file, offsets);
  layout.header.append((8 - layout.header.size() % 8) % 8, ' ');
  const uint64_t n = layout.header.size();
  layout.length.resize(8);
  for (size_t i = 0; i < 8; ++i) layout.length[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  uint32_t crc = crc32_update(crc32_update(0, layout.length), layout.header.substr(0, kPrefix.size()));
  crc = crc32_update(crc, std::string_view(layout.header).substr(kPrefix.size() + kDigits));
  for (const auto& tensor : layout.data) crc = crc32_update(crc, bytes_of(tensor));
  layout.header.replace(kPrefix.size(), kDigits, fmt::format("{:08x}", crc));
  return layout;
}

void write_layout(const Layout& layout, const AppendBytes& append) {
  append(layout.length);
  append(layout.header);
  for (const auto& tensor : layout.data) append(bytes_of(tensor));
}

// ---- reading ----

/// One tensor as the header describes it.
struct Entry {
  std::string name;
  torch::ScalarType type = torch::kFloat;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

uint64_t little_endian64(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 8; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

/// The bytes of tensor data a header describes (the largest data_offsets end), if it parses.
std::optional<uint64_t> described_data(std::string_view header) {
  try {
    const auto json = parse_bounded_json(header, 3, "", "the header");
    if (!json.is_object()) return std::nullopt;
    uint64_t end = 0;
    for (const auto& [key, value] : json.items()) {
      if (!value.is_object() || !value.contains("data_offsets")) continue;
      const auto& offsets = value["data_offsets"];
      if (offsets.is_array() && offsets.size() == 2 && offsets[1].is_number_unsigned())
        end = std::max(end, offsets[1].get<uint64_t>());
    }
    return end;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// Checks the checksum of a file whose header is `n` bytes; a mismatch in a file shorter than its
/// header says is reported as the truncation it is.
void check_checksum(std::string_view file, uint64_t n, const std::string& name) {
  const auto digits = file.substr(kDigitsAt, kDigits);
  uint32_t stored = 0;
  for (char c : digits) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) fail("{}: its checksum field is damaged ('{}')", name, digits);
    stored = stored * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  const uint32_t computed =
      crc32_update(crc32_update(0, file.substr(0, kDigitsAt)), file.substr(kDigitsAt + kDigits));
  if (computed == stored) return;
  const uint64_t held = file.size() - 8 - n;
  if (const auto described = described_data(file.substr(8, n)); described && *described > held) {
    fail("{}: truncated (its header describes {} bytes of tensor data, the file holds {})", name, *described,
         held);
  }
  fail("{}: checksum mismatch (stored {:08x}, computed {:08x}): the file changed after gankit wrote it", name,
       stored, computed);
}

torch::ScalarType parse_dtype(const nlohmann::json& dtype, const std::string& tensor,
                              const std::string& name) {
  if (dtype.is_string()) {
    for (const auto& known : kDtypes) {
      if (dtype.get_ref<const std::string&>() == known.name) return known.type;
    }
  }
  fail("{}: tensor {} has an unknown dtype {}", name, tensor, dtype.dump());
}

/// A non-negative integer of the header, or an error naming `what`.
uint64_t parse_count(const nlohmann::json& value, const std::string& what, const std::string& name) {
  if (!value.is_number_unsigned()) fail("{}: {} is not a non-negative integer", name, what);
  return value.get<uint64_t>();
}

Entry parse_entry(const std::string& tensor, const nlohmann::json& value, const std::string& name) {
  if (!value.is_object() || value.size() != 3 || !value.contains("dtype") || !value.contains("shape") ||
      !value.contains("data_offsets")) {
    fail("{}: tensor {} is not described by dtype, shape and data_offsets", name, tensor);
  }
  Entry entry;
  entry.name = tensor;
  entry.type = parse_dtype(value["dtype"], tensor, name);
  const auto& shape = value["shape"];
  if (!shape.is_array() || shape.size() > kMaxRank)
    fail("{}: tensor {} has a shape of rank above {}", name, tensor, kMaxRank);
  // Element count times element size, refusing any product above 2^62 (no file is that large).
  uint64_t bytes = c10::elementSize(entry.type);
  for (const auto& size : shape) {
    const uint64_t n = parse_count(size, "a size of tensor " + tensor, name);
    if (n > (uint64_t{1} << 62) || (n != 0 && bytes > (uint64_t{1} << 62) / n))
      fail("{}: tensor {} has an impossible shape {}", name, tensor, shape.dump());
    bytes *= n;
    entry.shape.push_back(static_cast<int64_t>(n));
  }
  const auto& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    fail("{}: tensor {} has no [begin, end] data_offsets", name, tensor);
  entry.begin = parse_count(offsets[0], "data_offsets of " + tensor, name);
  entry.end = parse_count(offsets[1], "data_offsets of " + tensor, name);
  if (entry.end < entry.begin || entry.end - entry.begin != bytes) {
    fail("{}: tensor {} says it holds {} bytes ({} x {}) but its data_offsets span {}", name, tensor, bytes,
         fmt::join(entry.shape, "x"), dtype_name(entry.type, tensor),
         entry.end >= entry.begin ? std::to_string(entry.end - entry.begin)
                                  : std::string("a negative length"));
  }
  return entry;
}

/// Checks that `entries` cover [0, size) of the data section exactly, without gaps or overlaps.
void check_tiling(std::vector<Entry>& entries, uint64_t size, const std::string& name) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  uint64_t expected = 0;
  for (const auto& entry : entries) {
    if (entry.begin != expected)
      fail("{}: tensor {} starts at byte {} of the data, expected {} (a gap or an overlap)", name, entry.name,
           entry.begin, expected);
    expected = entry.end;
  }
  if (expected != size)
    fail("{}: the tensors hold {} bytes but the data section has {} (truncated?)", name, expected, size);
}

std::vector<std::pair<std::string, std::string>> parse_metadata(const nlohmann::json& metadata,
                                                                const std::string& name) {
  if (!metadata.is_object()) fail("{}: its __metadata__ is not an object", name);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : metadata.items()) {
    if (!value.is_string()) fail("{}: metadata '{}' is not a string", name, key);
    if (key != "crc32") out.emplace_back(key, value.get<std::string>());
  }
  return out;
}

/// The tensor `entry` describes: a view of the file's bytes when aligned, else a copy.
torch::Tensor tensor_of(const Entry& entry, const std::shared_ptr<const std::string>& bytes,
                        uint64_t data_start) {
  const char* at = bytes->data() + data_start + entry.begin;
  const auto options = torch::TensorOptions().dtype(entry.type);
  if (reinterpret_cast<uintptr_t>(at) % c10::elementSize(entry.type) == 0) {
    return torch::from_blob(
        const_cast<char*>(at), entry.shape, [bytes](void*) {}, options);
  }
  auto tensor = torch::empty(entry.shape, options);
  if (entry.end > entry.begin) std::memcpy(tensor.data_ptr(), at, entry.end - entry.begin);
  return tensor;
}

}  // namespace

TensorFile decode_tensor_file(std::shared_ptr<const std::string> bytes, const std::string& name) {
  const std::string_view file = *bytes;
  if (!looks_like_tensor_file(file)) fail("{}: not a gankit tensor file (no checksummed header)", name);
  const uint64_t n = little_endian64(file);
  if (n > kMaxHeaderBytes)
    fail("{}: a header of {} bytes (gankit reads at most {})", name, n, kMaxHeaderBytes);
  if (n > file.size() - 8) fail("{}: truncated (a header of {} bytes in a file of {})", name, n, file.size());
  if (n < kPrefix.size() + kDigits) fail("{}: a header of {} bytes cannot hold its checksum", name, n);
  check_checksum(file, n, name);
  const auto header = parse_bounded_json(file.substr(8, n), 3, name, "the header");
  if (!header.is_object() || !header.contains("__metadata__"))
    fail("{}: its header has no __metadata__", name);
  if (header.size() - 1 > kMaxTensors)
    fail("{}: holds {} tensors (at most {})", name, header.size() - 1, kMaxTensors);
  TensorFile out;
  out.metadata = parse_metadata(header["__metadata__"], name);
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key != "__metadata__") entries.push_back(parse_entry(key, value, name));
  }
  check_tiling(entries, file.size() - 8 - n, name);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (const auto& entry : entries) out.tensors.emplace_back(entry.name, tensor_of(entry, bytes, 8 + n));
  return out;
}

bool looks_like_tensor_file(std::string_view bytes) {
  return bytes.size() >= kDigitsAt && bytes.substr(8, kPrefix.size()) == kPrefix;
}

std::string encode_tensor_file(const TensorFile& file) {
  const Layout layout = lay_out(file);
  std::string bytes;
  write_layout(layout, [&](std::string_view piece) { bytes.append(piece); });
  return bytes;
}

void write_tensor_file(const fs::path& path, const TensorFile& file) {
  const Layout layout = lay_out(file);
  write_pieces_atomically(path, [&](const AppendBytes& append) { write_layout(layout, append); });
}

}  // namespace gankit::io
