// Features of a real data set for comparing generated images against, cached on disk: computing
// them (Inception-v3 on 10k images takes minutes on a CPU) should happen once per data set and
// extractor, not once per evaluation.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "gankit/data/data_options.h"
#include "gankit/metrics/feature_extractor.h"

namespace gankit::metrics {

struct RealFeatures {
  ImageFeatures features;
  int64_t count = 0;              ///< images behind them
  int64_t channels = 0;           ///< their channel count (the data set's own unless data.channels says)
  std::string description;        ///< e.g. "mnist train, 10000 of 60000 images at 32x32"
  bool from_cache = false;
  std::filesystem::path cache_file;  ///< where they are (or would be) cached; empty without a cache
};

/// $GANKIT_CACHE, else ~/.cache/gankit, with "features" appended.
std::filesystem::path default_feature_cache_dir();

/// The features of `count` images of the data set `data` describes, fitted as `data` says (so
/// at the size the generated images have) and never augmented (data.load_size and data.hflip,
/// training's random crops and flips, do not apply): a random subset drawn with `seed` when the set is
/// larger, all of it when count is 0 or at least its size. Read from `cache_dir` when an earlier
/// call cached the same set (name, resolved path and its modification time, split, size,
/// channels, fit), subset and extractor (fingerprint); otherwise computed and written there
/// atomically, checksummed. An empty cache_dir computes without caching; an unreadable cache
/// file, or one that fails its checksum, is recomputed and replaced (from_cache is then false). With `channels` > 0, images of another channel count are a
/// gankit::Error (before any features are computed): generated and real images must be alike.
RealFeatures real_features(const data::DataOptions& data, int64_t count, uint64_t seed, FeatureExtractor& extractor,
                           const std::filesystem::path& cache_dir, const FeatureProgress& progress = {},
                           int64_t channels = 0);

}  // namespace gankit::metrics
