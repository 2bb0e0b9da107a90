#include "gankit/data/idx.h"

#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gankit/error.h"

namespace gankit::data {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t kImageMagic = 0x00000803;  // ubyte, 3 dimensions
constexpr uint32_t kLabelMagic = 0x00000801;  // ubyte, 1 dimension
constexpr uint64_t kMaxSide = 16384;             // pixels per row or column
constexpr uint64_t kMaxBytes = uint64_t{1} << 34;  // 16 GiB of pixels; MNIST's training set is 47 MB

// gzopen/gzread read plain files as they are, so one reader serves .gz and raw IDX.
class GzReader {
 public:
  explicit GzReader(const fs::path& path) : name_(path.string()) {
    if (!fs::exists(path)) fail("{}: no such file", name_);
    file_ = gzopen(name_.c_str(), "rb");
    if (file_ == nullptr) fail("{}: cannot open ({})", name_, std::strerror(errno));
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to `count` bytes; fewer only at the end of the data.
  std::string read(uint64_t count) {
    constexpr uint64_t kChunk = uint64_t{1} << 24;
    std::string bytes;
    while (bytes.size() < count) {
      const auto want = static_cast<unsigned>(std::min(kChunk, count - bytes.size()));
      const size_t old_size = bytes.size();
      bytes.resize(old_size + want);
      const int got = gzread(file_, bytes.data() + old_size, want);
      if (got < 0) {
        int code = 0;
        fail("{}: cannot read ({})", name_, gzerror(file_, &code));
      }
      bytes.resize(old_size + static_cast<size_t>(got));
      if (static_cast<unsigned>(got) < want) break;
    }
    return bytes;
  }

  // `count` big-endian uint32 words (IDX header fields).
  std::vector<uint32_t> read_words(size_t count) {
    const std::string bytes = read(4 * count);
    if (bytes.size() < 4 * count) fail("{}: truncated IDX header", name_);
    std::vector<uint32_t> words(count);
    for (size_t i = 0; i < count; ++i) {
      const auto* b = reinterpret_cast<const unsigned char*>(bytes.data()) + 4 * i;
      words[i] = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    }
    return words;
  }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  gzFile file_ = nullptr;
};

// The dimensions after a checked magic number. The magic is checked on its own, so a wrong file
// (even a tiny one) is reported as such rather than as a truncated header.
std::vector<uint32_t> read_dims(GzReader& reader, uint32_t magic, size_t dims, const char* kind) {
  const std::string first = reader.read(4);
  uint32_t found = 0;
  for (unsigned char byte : first) found = found << 8 | byte;
  if (first.size() < 4 || found != magic) {
    fail("{}: not an IDX {} file (magic {:#010x})", reader.name(), kind, found);
  }
  return reader.read_words(dims);
}

torch::Tensor to_tensor(const std::string& bytes, std::vector<int64_t> shape) {
  auto tensor = torch::empty(shape, torch::kUInt8);
  // A label file of 0 labels: data_ptr() is null, which memcpy must not be given even for 0 bytes.
  if (!bytes.empty()) std::memcpy(tensor.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  return tensor;
}

}  // namespace

fs::path resolve_gz(const fs::path& path) {
  if (fs::exists(path) || path.extension() == ".gz") return path;
  fs::path gz = path;
  gz += ".gz";
  return fs::exists(gz) ? gz : path;
}

torch::Tensor read_idx_images(const fs::path& path) {
  GzReader reader(resolve_gz(path));
  const auto dims = read_dims(reader, kImageMagic, 3, "image");  // {N, H, W}
  const uint64_t count = dims[0], rows = dims[1], cols = dims[2];
  if (count == 0 || rows == 0 || cols == 0) {
    fail("{}: IDX header says {} images of {}x{}: holds no pixels", reader.name(), count, rows, cols);
  }
  // A corrupt header must not overflow the size or ask for more memory than any image set needs.
  if (rows > kMaxSide || cols > kMaxSide || count > kMaxBytes / (rows * cols)) {
    fail("{}: implausible IDX header: {} images of {}x{} (more than {} GiB)", reader.name(), count, rows,
         cols, kMaxBytes >> 30);
  }
  const uint64_t expected = count * rows * cols;
  const std::string data = reader.read(expected);
  if (data.size() < expected) {
    fail("{}: truncated: header says {} images of {}x{}, file holds {} bytes of data",
         reader.name(), count, rows, cols, data.size());
  }
  return to_tensor(data, {static_cast<int64_t>(count), 1, static_cast<int64_t>(rows),
                          static_cast<int64_t>(cols)});  // [N,1,H,W] uint8
}

torch::Tensor read_idx_labels(const fs::path& path) {
  GzReader reader(resolve_gz(path));
  const uint64_t count = read_dims(reader, kLabelMagic, 1, "label")[0];
  if (count > kMaxBytes) fail("{}: implausible IDX header: {} labels", reader.name(), count);
  const std::string data = reader.read(count);
  if (data.size() < count) {
    fail("{}: truncated: header says {} labels, file holds {} bytes of data", reader.name(), count,
         data.size());
  }
  return to_tensor(data, {static_cast<int64_t>(count)}).to(torch::kLong);  // [N] int64
}

ImageSet read_idx(const fs::path& images, const fs::path& labels) {
  ImageSet set;
  set.images = read_idx_images(images);
  if (labels.empty()) return set;
  set.labels = read_idx_labels(labels);
  if (set.labels.size(0) != set.images.size(0)) {
    fail("{}: {} labels, but {} holds {} images", resolve_gz(labels).string(), set.labels.size(0),
         resolve_gz(images).string(), set.images.size(0));
  }
  set.num_classes = set.labels.numel() == 0 ? 0 : set.labels.max().item<int64_t>() + 1;
  return set;
}

}  // namespace gankit::data
