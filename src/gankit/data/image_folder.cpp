#include "gankit/data/image_folder.h"

#include <algorithm>
#include <cctype>

#include "gankit/data/parallel.h"
#include "gankit/error.h"
#include "gankit/io/image.h"

namespace gankit::data {

namespace fs = std::filesystem;

namespace {

bool is_hidden(const fs::path& path) { return path.filename().string().rfind('.', 0) == 0; }

std::vector<fs::path> images_in(const fs::path& folder, bool recursive) {
  std::vector<fs::path> files;
  auto add = [&](const fs::directory_entry& entry) {
    if (entry.is_regular_file() && is_image_file(entry.path()) && !is_hidden(entry.path())) {
      files.push_back(entry.path());
    }
  };
  if (recursive) {
    for (const auto& entry : fs::recursive_directory_iterator(folder)) add(entry);
  } else {
    for (const auto& entry : fs::directory_iterator(folder)) add(entry);
  }
  std::sort(files.begin(), files.end());  // directory order is arbitrary; runs must not be
  return files;
}

// [C,S,S] uint8: one file decoded, fitted and converted to the spec's channels.
torch::Tensor decode_one(const fs::path& path, const FitSpec& spec) {
  auto image = io::read_image(path);  // [C,H,W] uint8
  const int64_t height = image.size(1), width = image.size(2);
  if (spec.fit == Fit::none && (height != spec.size || width != spec.size)) {
    fail(
        "{}: image is {}x{}, expected {}x{} like the others (set data.fit to resize, pad or "
        "center-crop)",
        path.string(), width, height, spec.size, spec.size);
  }
  return convert_channels(fit_to_size(image, spec.size, spec.fit, path.string()), spec.channels);
}

}  // namespace

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

ImageFolder scan_image_folder(const fs::path& root) {
  if (!fs::is_directory(root)) fail("{}: not a folder", root.string());
  ImageFolder folder;
  folder.root = root;
  folder.files = images_in(root, /*recursive=*/false);
  if (folder.files.empty()) {
    std::vector<fs::path> classes;
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.is_directory() && !is_hidden(entry.path())) classes.push_back(entry.path());
    }
    std::sort(classes.begin(), classes.end());
    for (size_t label = 0; label < classes.size(); ++label) {
      folder.class_names.push_back(classes[label].filename().string());
      for (auto& file : images_in(classes[label], /*recursive=*/true)) {
        folder.files.push_back(std::move(file));
        folder.labels.push_back(static_cast<int64_t>(label));
      }
    }
  }
  if (folder.files.empty()) {
    fail("{}: no images found (looked for .png .jpg .jpeg .bmp)", root.string());
  }
  return folder;
}

FitSpec resolve_fit_spec(const ImageFolder& folder, FitSpec requested) {
  const fs::path& first = folder.files.front();
  const auto image = io::read_image(first);  // [C,H,W] uint8
  const int64_t height = image.size(1), width = image.size(2);
  if (requested.size <= 0) {
    if (height != width) {
      fail("{}: image is {}x{}, not square: set data.image_size to pick a size", first.string(),
           width, height);
    }
    requested.size = height;
  }
  if (requested.channels <= 0) requested.channels = image.size(0);
  fit_to_size(image, requested.size, requested.fit, first.string());  // throws if it cannot fit
  return requested;
}

torch::Tensor decode_images(const ImageFolder& folder, const torch::Tensor& indices,
                            const FitSpec& spec, int64_t workers) {
  const auto index = indices.accessor<int64_t, 1>();
  auto out = torch::empty({indices.size(0), spec.channels, spec.size, spec.size}, torch::kUInt8);
  parallel_for(indices.size(0), workers,
               [&](int64_t i) { out[i].copy_(decode_one(folder.files.at(index[i]), spec)); });
  return out;  // [B,C,S,S] uint8
}

torch::Tensor folder_labels(const ImageFolder& folder) {
  if (folder.labels.empty()) return {};
  return torch::tensor(folder.labels, torch::kLong);  // [N] int64
}

ImageSet decode_image_folder(const ImageFolder& folder, const FitSpec& spec, int64_t workers) {
  ImageSet set;
  const auto all = torch::arange(static_cast<int64_t>(folder.files.size()), torch::kLong);
  set.images = decode_images(folder, all, spec, workers);
  set.labels = folder_labels(folder);
  set.num_classes = static_cast<int64_t>(folder.class_names.size());
  return set;
}

}  // namespace gankit::data
