#include "gankit/data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <fmt/ranges.h>

#include "gankit/data/data_options.h"
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

// [C,S,S] uint8: one image (a file, or one side of a pair) fitted and converted to the spec's channels.
torch::Tensor fit_one(const torch::Tensor& image, const std::string& name, const FitSpec& spec) {
  const int64_t height = image.size(1), width = image.size(2);
  if (spec.fit == Fit::none && (height != spec.size || width != spec.size)) {
    fail(
        "{}: image is {}x{}, expected {}x{} like the others (set data.fit to resize, pad or "
        "center-crop)",
        name, width, height, spec.size, spec.size);
  }
  return convert_channels(fit_to_size(image, spec.size, spec.fit, name), spec.channels);
}

// Item i before fitting: {image} for an unpaired or derived folder, {A, B} for read pairs, each
// [C,H,W] uint8 with the name its errors use.
std::vector<std::pair<torch::Tensor, std::string>> read_sides(const ImageFolder& folder, size_t i) {
  const fs::path& path = folder.files.at(i);
  switch (folder.pairs) {
    case Pairs::side_by_side: {
      auto [a, b] = split_side_by_side(io::read_image(path), path.string());
      return {{a, path.string() + " (left half, A)"}, {b, path.string() + " (right half, B)"}};
    }
    case Pairs::folders: {
      const fs::path& partner = folder.partners.at(i);
      return {{io::read_image(path), path.string()}, {io::read_image(partner), partner.string()}};
    }
    default:
      return {{io::read_image(path), path.string()}};
  }
}

// [C,S,S] or, paired, [2C,S,S] (A then B) uint8: item i decoded and fitted.
torch::Tensor decode_one(const ImageFolder& folder, size_t i, const FitSpec& spec) {
  std::vector<torch::Tensor> sides;
  for (const auto& [image, name] : read_sides(folder, i)) sides.push_back(fit_one(image, name, spec));
  // Derived after fitting, so edges are as wide at every load size.
  if (is_derived(folder.pairs)) sides.insert(sides.begin(), derive_input(sides.front(), folder.pairs));
  return sides.size() == 1 ? sides.front() : torch::cat(sides);
}

/// 3 if any file (either side of a pair) is in colour, else 1: read from the headers only, so a
/// colour set whose first file happens to be gray still trains in colour.
int64_t widest_channels(const ImageFolder& folder) {
  for (const auto& file : folder.files) {
    if (io::image_channels(file) == 3) return 3;
  }
  for (const auto& file : folder.partners) {
    if (io::image_channels(file) == 3) return 3;
  }
  return 1;
}

bool is_split_name(const std::string& name) { return name == "train" || name == "test" || name == "val"; }

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
    if (static_cast<int64_t>(classes.size()) > kMaxClasses) {
      fail("{}: {} class folders, more than the {} classes gankit supports", root.string(), classes.size(),
           kMaxClasses);
    }
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

fs::path split_folder(const fs::path& root, const std::string& split, std::string& picked) {
  picked.clear();
  if (!fs::is_directory(root) || !images_in(root, /*recursive=*/false).empty()) return root;
  std::vector<std::string> splits;
  for (const auto& entry : fs::directory_iterator(root)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && is_split_name(name)) splits.push_back(name);
  }
  if (splits.empty()) return root;
  std::sort(splits.begin(), splits.end());
  const std::vector<std::string> wanted =
      split == "test" ? std::vector<std::string>{"test", "val"} : std::vector<std::string>{split};
  for (const auto& name : wanted) {
    if (std::find(splits.begin(), splits.end(), name) != splits.end()) {
      picked = name;
      return root / name;
    }
  }
  fail("{}: has split folders ({}) but none for data.split = {} (looked for {}/)", root.string(),
       fmt::join(splits, ", "), split, fmt::join(wanted, "/ or "));
}

ImageFolder scan_paired_folders(const fs::path& root) {
  const fs::path a_root = root / "A", b_root = root / "B";
  if (!fs::is_directory(a_root) || !fs::is_directory(b_root)) {
    fail("{}: data.pairs = folders needs sub-folders A/ and B/ with files matched by name", root.string());
  }
  ImageFolder folder;
  folder.root = root;
  folder.pairs = Pairs::folders;
  const auto a_files = images_in(a_root, /*recursive=*/true);
  const auto b_files = images_in(b_root, /*recursive=*/true);
  for (const auto& a : a_files) {
    const fs::path b = b_root / a.lexically_relative(a_root);
    if (!std::binary_search(b_files.begin(), b_files.end(), b)) {
      fail("{}: no partner {} (data.pairs = folders matches A/ and B/ by file name)", a.string(), b.string());
    }
    folder.files.push_back(a);
    folder.partners.push_back(b);
  }
  for (const auto& b : b_files) {
    const fs::path a = a_root / b.lexically_relative(b_root);
    if (!std::binary_search(a_files.begin(), a_files.end(), a)) {
      fail("{}: no partner {} (data.pairs = folders matches A/ and B/ by file name)", b.string(), a.string());
    }
  }
  if (folder.files.empty()) {
    fail("{}: no images found in A/ (looked for .png .jpg .jpeg .bmp)", root.string());
  }
  return folder;
}

FitSpec resolve_fit_spec(const ImageFolder& folder, FitSpec requested) {
  const auto sides = read_sides(folder, 0);  // [C,H,W] each
  const auto& [first, name] = sides.front();
  const int64_t height = first.size(1), width = first.size(2);
  if (requested.size <= 0) {
    if (height != width) {
      fail("{}: image is {}x{}, not square: set data.image_size to pick a size", name, width, height);
    }
    requested.size = height;
  }
  if (requested.channels <= 0) requested.channels = widest_channels(folder);
  for (const auto& [image, side_name] : sides) {
    fit_to_size(image, requested.size, requested.fit, side_name);  // throws if it cannot fit
  }
  return requested;
}

torch::Tensor decode_images(const ImageFolder& folder, const torch::Tensor& indices,
                            const FitSpec& spec, int64_t workers) {
  const auto index = indices.accessor<int64_t, 1>();
  const int64_t channels = folder.pairs == Pairs::none ? spec.channels : 2 * spec.channels;
  auto out = torch::empty({indices.size(0), channels, spec.size, spec.size}, torch::kUInt8);
  parallel_for(indices.size(0), workers,
               [&](int64_t i) { out[i].copy_(decode_one(folder, static_cast<size_t>(index[i]), spec)); });
  return out;  // [B,C,S,S] or [B,2C,S,S] uint8
}

torch::Tensor folder_labels(const ImageFolder& folder) {
  if (folder.labels.empty()) return {};
  return torch::tensor(folder.labels, torch::kLong);  // [N] int64
}

ImageSet decode_image_folder(const ImageFolder& folder, const FitSpec& spec, int64_t workers) {
  ImageSet set;
  const auto all = torch::arange(static_cast<int64_t>(folder.files.size()), torch::kLong);
  set.images = decode_images(folder, all, spec, workers);  // [N,C,S,S] or [N,2C,S,S]
  if (folder.pairs != Pairs::none) {
    set.targets = set.images.narrow(1, spec.channels, spec.channels);
    set.images = set.images.narrow(1, 0, spec.channels);
  }
  set.labels = folder_labels(folder);
  set.num_classes = static_cast<int64_t>(folder.class_names.size());
  return set;
}

}  // namespace gankit::data
