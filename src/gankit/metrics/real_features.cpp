#include "gankit/metrics/real_features.h"

#include <cstdlib>

#include "gankit/data/loader.h"
#include "gankit/data/registry.h"
#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
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
std::string cache_key(const data::DataOptions& data, int64_t count, uint64_t seed, const FeatureExtractor& extractor) {
  const fs::path path = data::resolve_data_path(data);
  std::error_code ec;
  const auto modified = fs::last_write_time(path, ec);
  const long long stamp = ec ? 0 : static_cast<long long>(modified.time_since_epoch().count());
  return fmt::format("gankit-real-features 2|{}|{}|{}|{}|split={}|size={}|channels={}|fit={}|holdout={}|"
                     "pairs={}|direction={}|count={}|seed={}|{}",
                     data.name, fs::absolute(path).lexically_normal().string(), stamp, extractor.name(), data.split,
                     data.image_size, data.channels, data.fit, data.holdout, data.pairs, data.direction, count, seed,
                     extractor.fingerprint());
}

/// The cached features if `file` holds them for `key`; nullopt when it is missing, foreign or
/// unreadable (it is then recomputed, never trusted).
std::optional<RealFeatures> read_cache(const fs::path& file, const std::string& key) {
  if (!fs::exists(file)) return std::nullopt;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    c10::IValue stored_key, description, channels;
    if (!archive.try_read("key", stored_key) || !stored_key.isString() || stored_key.toStringRef() != key) {
      return std::nullopt;
    }
    RealFeatures real;
    archive.read("features", real.features.features);
    archive.read("logits", real.features.logits);
    archive.read("description", description);
    archive.read("channels", channels);
    real.description = description.toStringRef();
    real.channels = channels.toInt();
    real.count = real.features.features.size(0);
    real.from_cache = true;
    real.cache_file = file;
    return real;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

RealFeatures real_features(const data::DataOptions& data, int64_t count, uint64_t seed, FeatureExtractor& extractor,
                           const fs::path& cache_dir, const FeatureProgress& progress, int64_t channels) {
  const auto check_channels = [&](int64_t found, const std::string& description) {
    if (channels > 0 && found != channels) {
      fail("{} has {}-channel images, but the generated images have {}: compare images of one kind", description,
           found, channels);
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
  torch::Tensor images = set.images;
  if (count > 0 && count < total) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto picked = torch::randperm(total, generator, torch::kLong).slice(0, 0, count);
    images = images.index_select(0, picked);
  }
  RealFeatures real;
  real.count = images.size(0);
  real.channels = images.size(1);
  real.description = fmt::format("{} {}, {} of {} images at {}x{}", data.name, data.split, real.count, total,
                                 images.size(2), images.size(3));
  check_channels(real.channels, real.description);
  real.features = extract_features(extractor, images, fmt::format("{} {}", data.name, data.split), 50, progress);
  real.cache_file = file;
  if (!file.empty()) {
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec) fail("{}: cannot create the feature cache folder ({})", cache_dir.string(), ec.message());
    torch::serialize::OutputArchive archive;
    archive.write("key", c10::IValue(key));
    archive.write("description", c10::IValue(real.description));
    archive.write("channels", c10::IValue(real.channels));
    archive.write("features", real.features.features);
    archive.write("logits", real.features.logits);
    io::write_atomically(file, [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
  }
  return real;
}

}  // namespace gankit::metrics
