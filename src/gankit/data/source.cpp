#include "gankit/data/source.h"

#include <type_traits>
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

RawData hold_out(RawData raw, int64_t count, const std::string& split, const std::string& name) {
  if (count <= 0) return raw;
  auto keep = [&](int64_t size) {  // [begin, end) of the split's items
    if (count >= size) {
      fail("{}: data.holdout = {} leaves nothing to train on ({} items in all)", name, count, size);
    }
    return split == "test" ? std::pair<int64_t, int64_t>{size - count, size}
                           : std::pair<int64_t, int64_t>{0, size - count};
  };
  if (auto* set = std::get_if<ImageSet>(&raw)) {
    const auto [begin, end] = keep(set->images.size(0));
    set->images = set->images.slice(0, begin, end);
    if (set->labels.defined()) set->labels = set->labels.slice(0, begin, end);
    if (set->targets.defined()) set->targets = set->targets.slice(0, begin, end);
    return raw;
  }
  auto& folder = std::get<ImageFolder>(raw);
  const auto [begin, end] = keep(static_cast<int64_t>(folder.files.size()));
  auto cut = [&](auto& items) {
    using Items = std::decay_t<decltype(items)>;
    if (!items.empty()) items = Items(items.begin() + begin, items.begin() + end);
  };
  cut(folder.files);
  cut(folder.labels);
  cut(folder.partners);
  return raw;
}

Source::Source(ImageSet set)
    : images_(std::move(set.images)),
      targets_(std::move(set.targets)),
      paired_(targets_.defined()),
      size_(images_.size(0)),
      num_classes_(set.num_classes),
      labels_(std::move(set.labels)) {
  spec_.channels = images_.size(1);
  spec_.size = images_.size(2);
  TORCH_CHECK(!paired_ || targets_.sizes() == images_.sizes(), "Source: targets ", targets_.sizes(),
              " do not match images ", images_.sizes());
}

Source::Source(ImageFolder folder, const FitSpec& spec, int64_t workers)
    : spec_(spec),
      paired_(folder.pairs != Pairs::none),
      workers_(workers),
      size_(static_cast<int64_t>(folder.files.size())),
      num_classes_(static_cast<int64_t>(folder.class_names.size())),
      labels_(folder_labels(folder)) {
  folder_ = std::move(folder);
}

torch::Tensor Source::gather(const torch::Tensor& indices) const {
  if (folder_) return decode_images(*folder_, indices, spec_, workers_);
  if (!paired_) return images_.index_select(0, indices);
  // Stacked per batch, not for the whole set: no second copy of it in memory.
  return torch::cat({images_.index_select(0, indices), targets_.index_select(0, indices)}, 1);
}

ImageSet Source::all() const {
  if (!folder_) return ImageSet{images_, labels_, num_classes_, targets_};
  auto images = gather(torch::arange(size_, torch::kLong));  // [N,C,S,S] or [N,2C,S,S]
  if (!paired_) return ImageSet{images, labels_, num_classes_};
  return ImageSet{images.narrow(1, 0, spec_.channels), labels_, num_classes_,
                  images.narrow(1, spec_.channels, spec_.channels)};
}

Source make_source(RawData raw, const FitSpec& spec, Pairs pairs, int64_t max_bytes, int64_t workers,
                   const std::string& name) {
  if (auto* set = std::get_if<ImageSet>(&raw)) {
    if (pairs == Pairs::side_by_side || pairs == Pairs::folders) {
      fail("{}: data.pairs = {} needs image files (data.name = image-folder)", name, pairs_name(pairs));
    }
    auto fitted = fit_image_set(std::move(*set), spec, name);
    if (is_derived(pairs)) {  // B as read; A derived once, after fitting, in chunks
      fitted.targets = fitted.images;
      std::vector<torch::Tensor> parts;
      for (int64_t start = 0; start < fitted.targets.size(0); start += 1024) {
        parts.push_back(derive_input(fitted.targets.slice(0, start, start + 1024), pairs));
      }
      fitted.images = parts.empty() ? torch::empty_like(fitted.targets) : torch::cat(parts);
    }
    return Source(std::move(fitted));
  }
  auto& folder = std::get<ImageFolder>(raw);
  if ((pairs == Pairs::folders) != (folder.pairs == Pairs::folders)) {
    fail("{}: data.pairs = folders works with data.name = image-folder only", name);
  }
  folder.pairs = pairs;
  const FitSpec resolved = resolve_fit_spec(folder, spec);
  const int64_t sides = pairs == Pairs::none ? 1 : 2;
  const auto bytes =
      static_cast<int64_t>(folder.files.size()) * sides * resolved.channels * resolved.size * resolved.size;
  if (bytes > max_bytes) return Source(std::move(folder), resolved, workers);
  return Source(decode_image_folder(folder, resolved, workers));
}

}  // namespace gankit::data
