#include "gankit/data/cifar10.h"

#include <fstream>
#include <iterator>
#include <vector>

#include "gankit/error.h"

namespace gankit::data {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kPixels = 3 * kSide * kSide;  // R, G, B planes
constexpr int64_t kRecord = 1 + kPixels;        // label byte first
constexpr int64_t kClasses = 10;

// The folder holding the .bin batches, or an empty path when there is none.
fs::path binary_folder(const fs::path& path) {
  for (const fs::path& folder : {path, path / "cifar-10-batches-bin"}) {
    if (fs::exists(folder / "data_batch_1.bin") || fs::exists(folder / "test_batch.bin")) {
      return folder;
    }
  }
  return {};
}

std::vector<fs::path> batch_files(const fs::path& folder, const std::string& split) {
  if (split == "test") return {folder / "test_batch.bin"};
  std::vector<fs::path> files;
  for (int i = 1; i <= 5; ++i) files.push_back(folder / fmt::format("data_batch_{}.bin", i));
  return files;
}

}  // namespace

ImageSet read_cifar10_batch(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("{}: no such file or not readable", file.string());
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto size = static_cast<int64_t>(bytes.size());
  if (size % kRecord != 0) {
    fail("{}: {} bytes is not a whole number of CIFAR-10 records ({} bytes each)", file.string(),
         size, kRecord);
  }
  const int64_t count = size / kRecord;
  auto records = torch::from_blob(const_cast<char*>(bytes.data()), {count, kRecord}, torch::kUInt8);
  ImageSet set;
  set.labels = records.select(1, 0).to(torch::kLong);                          // [N] int64
  set.images = records.slice(1, 1).reshape({count, 3, kSide, kSide}).clone();  // [N,3,32,32]
  set.num_classes = kClasses;
  const auto largest = count == 0 ? 0 : set.labels.max().item<int64_t>();
  if (largest >= kClasses) {
    fail("{}: label {} is not a CIFAR-10 class (0..9)", file.string(), largest);
  }
  return set;
}

bool is_cifar10_binary(const fs::path& path) {
  if (fs::is_regular_file(path)) return path.extension() == ".bin";
  return !binary_folder(path).empty();
}

ImageSet read_cifar10_binary(const fs::path& path, const std::string& split) {
  if (fs::is_regular_file(path)) return read_cifar10_batch(path);
  std::vector<torch::Tensor> images, labels;
  for (const auto& file : batch_files(binary_folder(path), split)) {
    if (!fs::exists(file)) {
      fail("{}: missing (CIFAR-10 {} needs {})", file.string(), split,
           split == "test" ? "test_batch.bin" : "data_batch_1.bin ... data_batch_5.bin");
    }
    auto batch = read_cifar10_batch(file);
    images.push_back(batch.images);
    labels.push_back(batch.labels);
  }
  return ImageSet{torch::cat(images), torch::cat(labels), kClasses};
}

fs::path cifar10_image_root(const fs::path& path, const std::string& split) {
  if (fs::is_directory(path / "train") && fs::is_directory(path / "test")) return path / split;
  return path;
}

}  // namespace gankit::data
