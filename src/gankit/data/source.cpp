#include "gankit/data/source.h"

#include <utility>
#include <vector>

#include "gankit/error.h"

namespace gankit::data {

ImageSet fit_image_set(ImageSet set, const FitSpec& spec, const std::string& name) {
  const int64_t height = set.images.size(2), width = set.images.size(3);
  if (spec.size <= 0 && height != width) {
    fail("{}: images are {}x{}, not square: set data.image_size to pick a size", name, width,
         height);
  }
  // In chunks: resizing works in float, 4x the uint8 size; a whole set at once would be wasteful.
  constexpr int64_t kChunk = 4096;
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < set.images.size(0); start += kChunk) {
    auto part = set.images.slice(0, start, start + kChunk);  // [n,C,H,W]
    parts.push_back(convert_channels(fit_to_size(part, spec.size, spec.fit, name), spec.channels));
  }
  if (parts.size() == 1) {
    set.images = parts.front().contiguous();
  } else if (!parts.empty()) {
    set.images = torch::cat(parts);
  } else {  // no images: still the right shape
    set.images =
        convert_channels(fit_to_size(set.images, spec.size, spec.fit, name), spec.channels);
  }
  return set;  // images [N,C',S,S] uint8
}

Source::Source(ImageSet set)
    : images_(std::move(set.images)),
      size_(images_.size(0)),
      num_classes_(set.num_classes),
      labels_(std::move(set.labels)) {
  spec_.channels = images_.size(1);
  spec_.size = images_.size(2);
}

Source::Source(ImageFolder folder, const FitSpec& spec, int64_t workers)
    : spec_(spec),
      workers_(workers),
      size_(static_cast<int64_t>(folder.files.size())),
      num_classes_(static_cast<int64_t>(folder.class_names.size())),
      labels_(folder_labels(folder)) {
  folder_ = std::move(folder);
}

torch::Tensor Source::gather(const torch::Tensor& indices) const {
  if (folder_) return decode_images(*folder_, indices, spec_, workers_);
  return images_.index_select(0, indices);
}

ImageSet Source::all() const {
  auto images = folder_ ? gather(torch::arange(size_, torch::kLong)) : images_;
  return ImageSet{images, labels_, num_classes_};
}

Source make_source(RawData raw, const FitSpec& spec, int64_t max_bytes, int64_t workers,
                   const std::string& name) {
  if (auto* set = std::get_if<ImageSet>(&raw)) {
    return Source(fit_image_set(std::move(*set), spec, name));
  }
  auto& folder = std::get<ImageFolder>(raw);
  const FitSpec resolved = resolve_fit_spec(folder, spec);
  const auto bytes =
      static_cast<int64_t>(folder.files.size()) * resolved.channels * resolved.size * resolved.size;
  if (bytes > max_bytes) return Source(std::move(folder), resolved, workers);
  return Source(decode_image_folder(folder, resolved, workers));
}

}  // namespace gankit::data
