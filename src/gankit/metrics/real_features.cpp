#include "gankit/metrics/real_features.h"

#include <cstdlib>

#include "gankit/data/loader.h"
#include "gankit/data/registry.h"
#include "gankit/error.h"
#include "gankit/io/archive_file.h"
#include "gankit/report/crc32c.h"
#include "gankit/system/cache_dir.h"

namespace gankit::metrics {

namespace fs = std::filesystem;

fs::path default_feature_cache_dir() {
  if (const auto root = system::environment("GANKIT_CACHE")) return fs::path(*root) / "features";
  return system::default_cache_dir("features");
}

namespace {

/// Everything that decides the cached features, as one line.
std::string cache_key(const data::DataOptions& data, int64_t count, uint64_t seed,
                      const FeatureExtractor& extractor) {
  const fs::path path = data::resolve_data_path(data);
  std::error_code ec;
  const auto modified = fs::last_write_time(path, ec);
  const long long stamp = ec ? 0 : static_cast<long long>(modified.time_since_epoch().count());
  return fmt::format(
      "gankit-real-features 3|{}|{}|{}|{}|split={}|size={}|channels={}|fit={}|holdout={}|"
      "pairs={}|direction={}|count={}|seed={}|{}",
      data.name, fs::absolute(path).lexically_normal().string(), stamp, extractor.name(), data.split,
      data.image_size, data.channels, data.fit, data.holdout, data.pairs, data.direction, count, seed,
      extractor.fingerprint());
}

/// The entry `key` of a cache file's archive, or nullptr.
const io::ArchiveTree::Entry* find_entry(const io::ArchiveTree& tree, const std::string& key) {
  for (const auto& entry : tree.entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

/// The cached features if `file` holds them for `key`; nullopt when it is missing, foreign,
/// damaged (its checksum fails) or of another shape (it is then recomputed, never trusted).
std::optional<RealFeatures> read_cache(const fs::path& file, const std::string& key) {
  if (!fs::exists(file)) return std::nullopt;
  try {
    const auto tree = io::read_archive_file(file);
    const auto value = [&](const char* name) {
      const auto* entry = find_entry(tree, name);
      return entry && entry->kind == io::ArchiveTree::Kind::kValue ? entry->value : c10::IValue();
    };
    const auto tensor = [&](const char* name) {
      const auto* entry = find_entry(tree, name);
      return entry && entry->kind != io::ArchiveTree::Kind::kValue ? entry->tensor : torch::Tensor();
    };
    const auto stored_key = value("key"), description = value("description"), channels = value("channels");
    RealFeatures real;
    real.features.features = tensor("features");
    real.features.logits = tensor("logits");
    real.features.labels = tensor("labels");  // absent for an unlabelled set
    const auto& features = real.features.features;
    if (!stored_key.isString() || stored_key.toStringRef() != key || !description.isString() ||
        !channels.isInt() || !features.defined() || features.dim() != 2 || !real.features.logits.defined() ||
        real.features.logits.dim() != 2 || real.features.logits.size(0) != features.size(0) ||
        (real.features.labels.defined() &&
         (real.features.labels.dim() != 1 || real.features.labels.size(0) != features.size(0)))) {
      return std::nullopt;
    }
    real.description = description.toStringRef();
    real.channels = channels.toInt();
    real.count = features.size(0);
    real.from_cache = true;
    real.cache_file = file;
    return real;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// Writes the cache file of `real` for `key`.
void write_cache(const fs::path& file, const std::string& key, const RealFeatures& real) {
  io::ArchiveTree tree;
  const auto add = [&](const char* name, io::ArchiveTree::Kind kind, c10::IValue value,
                       torch::Tensor tensor) {
    io::ArchiveTree::Entry entry;
    entry.key = name;
    entry.kind = kind;
    entry.value = std::move(value);
    entry.tensor = std::move(tensor);
    tree.entries.push_back(std::move(entry));
  };
  add("key", io::ArchiveTree::Kind::kValue, key, {});
  add("description", io::ArchiveTree::Kind::kValue, real.description, {});
  add("channels", io::ArchiveTree::Kind::kValue, real.channels, {});
  add("features", io::ArchiveTree::Kind::kParameter, {}, real.features.features);
  add("logits", io::ArchiveTree::Kind::kParameter, {}, real.features.logits);
  if (real.features.labels.defined()) add("labels", io::ArchiveTree::Kind::kBuffer, {}, real.features.labels);
  io::write_archive_file(file, tree);
}

}  // namespace

RealFeatures real_features(const data::DataOptions& data, int64_t count, uint64_t seed,
                           FeatureExtractor& extractor, const fs::path& cache_dir,
                           const FeatureProgress& progress, int64_t channels) {
  const auto check_channels = [&](int64_t found, const std::string& description) {
    if (channels > 0 && found != channels) {
      fail("{} has {}-channel images, but the generated images have {}: compare images of one kind",
           description, found, channels);
    }
  };
  const std::string key = cache_key(data, count, seed, extractor);
  fs::path file;
  if (!cache_dir.empty()) {
    file = cache_dir / fmt::format("{}-{}-{:08x}.pt", data.name, data.split, report::crc32c(key));
    if (auto cached = read_cache(file, key)) {
      check_channels(cached->channels, cached->description);
      return *std::move(cached);
    }
  }

  auto set = data::load_images(data);
  const int64_t total = set.images.size(0);
  torch::Tensor images = set.images, labels = set.labels;
  if (count > 0 && count < total) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto picked = torch::randperm(total, generator, torch::kLong).slice(0, 0, count);
    images = images.index_select(0, picked);
    if (labels.defined()) labels = labels.index_select(0, picked);
  }
  RealFeatures real;
  real.count = images.size(0);
  real.channels = images.size(1);
  real.description = fmt::format("{} {}, {} of {} images at {}x{}", data.name, data.split, real.count, total,
                                 images.size(2), images.size(3));
  check_channels(real.channels, real.description);
  real.features =
      extract_features(extractor, images, fmt::format("{} {}", data.name, data.split), 50, progress);
  if (labels.defined()) real.features.labels = labels.to(torch::kLong);
  real.cache_file = file;
  if (!file.empty()) {
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec) fail("{}: cannot create the feature cache folder ({})", cache_dir.string(), ec.message());
    write_cache(file, key, real);
  }
  return real;
}

}  // namespace gankit::metrics
