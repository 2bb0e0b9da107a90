#include "gankit/data/registry.h"

#include <cstdlib>
#include <utility>

#include "gankit/data/cifar10.h"
#include "gankit/data/digit_csv.h"
#include "gankit/data/idx.h"
#include "gankit/data/image_folder.h"
#include "gankit/data/pairs.h"
#include "gankit/error.h"
#include "gankit/system/cache_dir.h"

namespace gankit::data {

namespace fs = std::filesystem;

namespace {

// MNIST-style folder: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
RawData read_idx_folder(const fs::path& folder, const DataOptions& data) {
  const std::string prefix = data.split == "test" ? "t10k" : "train";
  return read_idx(folder / (prefix + "-images-idx3-ubyte"),
                  folder / (prefix + "-labels-idx1-ubyte"));
}

// One IDX image file; its labels are the file of the same name with labels-idx1, if present.
RawData read_idx_file(const fs::path& images, const DataOptions&) {
  fs::path labels = images;
  std::string name = images.filename().string();
  if (const auto at = name.find("images-idx3"); at != std::string::npos) {
    labels.replace_filename(name.replace(at, 11, "labels-idx1"));
  }
  const bool has_labels = labels != images && fs::exists(resolve_gz(labels));
  return read_idx(images, has_labels ? labels : fs::path());
}

RawData read_cifar10(const fs::path& path, const DataOptions& data) {
  if (is_cifar10_binary(path)) return read_cifar10_binary(path, data.split);
  return scan_image_folder(cifar10_image_root(path, data.split));
}

RawData read_image_folder(const fs::path& path, const DataOptions& data) {
  std::string split;
  const fs::path root = split_folder(path, data.split, split);
  auto folder =
      parse_pairs(data.pairs) == Pairs::folders ? scan_paired_folders(root) : scan_image_folder(root);
  folder.split = split;
  return folder;
}

RawData read_csv(const fs::path& path, const DataOptions&) { return read_digit_csv(path); }

fs::path data_root() {
  if (const auto root = system::environment("GANKIT_DATA")) return *root;
  return system::default_cache_dir("data");
}

}  // namespace

const std::vector<DataSetEntry>& data_sets() {
  static const std::vector<DataSetEntry> table = {
      {"mnist", "MNIST digits, IDX files", "mnist", true, read_idx_folder},
      {"fashion-mnist", "Fashion-MNIST, IDX files (Debian's dataset-fashion-mnist)",
       "/usr/share/datasets/fashion-mnist", true, read_idx_folder},
      {"cifar10", "CIFAR-10, binary batches or cifar10-jpeg/{train,test}/<class>/", "cifar10-jpeg", true,
       read_cifar10, /*mirror_keeps_class=*/true},
      {"image-folder", "PNG/JPEG/BMP files, flat or one sub-folder per class", "", false, read_image_folder,
       false, " (put each class in its own sub-folder)"},
      {"idx", "one IDX image file (labels beside it as ...labels-idx1...)", "", false, read_idx_file},
      {"csv", "Kaggle digit-recognizer CSV", "", false, read_csv},
      // The project's shared image sets (scripts/setup.sh unpacks them), read as image folders.
      {"celeba", "CelebA aligned faces (celeba-10k: 89x109 JPEGs), an image folder", "celeba-10k/celebA",
       false, read_image_folder},
      {"sketch-pairs", "photo|outline pairs, 512x256 JPEGs in train/ and val/, an image folder",
       "sketch-pairs", false, read_image_folder},
  };
  return table;
}

const DataSetEntry& find_data_set(const std::string& name) {
  std::string valid;
  for (const auto& entry : data_sets()) {
    if (entry.name == name) return entry;
    valid += valid.empty() ? entry.name : fmt::format(", {}", entry.name);
  }
  fail("data.name = '{}': unknown data set (valid: {})", name, valid);
}

std::string default_data_path(const DataOptions& options) {
  const fs::path place = find_data_set(options.name).default_place;
  if (place.empty()) return {};
  return (place.is_absolute() ? place : data_root() / place).string();
}

fs::path resolve_data_path(const DataOptions& options) {
  const bool standard = options.path.empty();
  const fs::path path = standard ? default_data_path(options) : options.path;
  if (path.empty()) fail("data.path is required for data.name = {}", options.name);
  if (!fs::exists(path) && !fs::exists(resolve_gz(path))) {
    if (standard) {
      fail("{}: no such file or folder (data.name = {}; run scripts/setup.sh to fetch it)",
           path.string(), options.name);
    }
    fail("{}: no such file or folder (data.path, data.name = {})", path.string(), options.name);
  }
  return path;
}

OpenedData read_data_set(const DataOptions& data) {
  const auto& entry = find_data_set(data.name);
  OpenedData opened;
  opened.path = resolve_data_path(data);
  opened.raw = entry.read(opened.path, data);
  const auto* folder = std::get_if<ImageFolder>(&opened.raw);
  const std::string own_split = entry.has_splits ? data.split : folder != nullptr ? folder->split : "";
  if (data.holdout < 0) fail("data.holdout = {}: must be 0 (off) or more", data.holdout);
  if (data.holdout > 0) {
    if (!own_split.empty()) {
      fail("data.holdout = {}: {} has a {} split of its own; hold-out is for sets without one", data.holdout,
           opened.path.string(), own_split);
    }
    opened.raw = hold_out(std::move(opened.raw), data.holdout, data.split, opened.path.string());
    opened.part = data.split;
  } else {
    opened.part = own_split;
  }
  return opened;
}

}  // namespace gankit::data
