// The real-data feature cache: computed once, then read back; keyed by the data, the subset and
// the extractor's weights, so nothing stale is ever reused; a damaged cache file is recomputed.
#include <gtest/gtest.h>

#include "gankit/metrics/real_features.h"
#include "support/test_support.h"

namespace gankit::metrics {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

/// A stand-in extractor: the mean of each image's 4x4 blocks. Counts its calls, so a test sees
/// whether the cache answered.
class BlockMeans : public FeatureExtractor {
 public:
  explicit BlockMeans(std::string fingerprint) : fingerprint_(std::move(fingerprint)) {}
  const std::string& name() const override { return name_; }
  const std::string& fingerprint() const override { return fingerprint_; }
  void check_images(int64_t, int64_t, int64_t, const std::string&) const override {}
  ImageFeatures extract_batch(const torch::Tensor& images) override {
    ++batches;
    auto x = images.to(torch::kFloat).div(255);
    auto features = torch::adaptive_avg_pool2d(x, {4, 4}).flatten(1);
    return {features, features.slice(1, 0, 10)};
  }
  int batches = 0;

 private:
  std::string name_ = "test:block-means";
  std::string fingerprint_;
};

data::DataOptions fashion_test_split() {
  data::DataOptions data;
  data.name = "fashion-mnist";
  data.split = "test";
  data.image_size = 28;
  return data;
}

TEST(RealFeatures, ComputedOnceThenReadFromTheCache) {
  TempDir cache;
  BlockMeans extractor("v1");
  const auto first = real_features(fashion_test_split(), 250, 0, extractor, cache.path());
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.count, 250);
  EXPECT_EQ(first.features.features.sizes(), (std::vector<int64_t>{250, 16}));
  EXPECT_NE(first.description.find("fashion-mnist test, 250 of 10000 images at 28x28"), std::string::npos)
      << first.description;
  ASSERT_TRUE(fs::exists(first.cache_file));
  const int computed = extractor.batches;

  const auto second = real_features(fashion_test_split(), 250, 0, extractor, cache.path());
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(extractor.batches, computed);
  EXPECT_TRUE(torch::equal(first.features.features, second.features.features));
  EXPECT_TRUE(torch::equal(first.features.logits, second.features.logits));
  // The subset's class labels travel with its features (intra-class FID needs them).
  ASSERT_TRUE(first.features.labels.defined());
  ASSERT_TRUE(second.features.labels.defined());
  EXPECT_TRUE(torch::equal(first.features.labels, second.features.labels));
  EXPECT_EQ(first.features.labels.size(0), 250);
  EXPECT_GT(torch::bincount(first.features.labels).gt(0).sum().item<int64_t>(), 5);
  EXPECT_EQ(second.description, first.description);
}

TEST(RealFeatures, SubsetIsSeededAndPartOfTheKey) {
  TempDir cache;
  BlockMeans extractor("v1");
  const auto a = real_features(fashion_test_split(), 100, 0, extractor, cache.path());
  const auto b = real_features(fashion_test_split(), 100, 1, extractor, cache.path());
  const auto c = real_features(fashion_test_split(), 120, 0, extractor, cache.path());
  EXPECT_FALSE(b.from_cache);
  EXPECT_FALSE(c.from_cache);
  EXPECT_FALSE(torch::equal(a.features.features, b.features.features));
  // Without a cache the same seed draws the same subset.
  const auto again = real_features(fashion_test_split(), 100, 0, extractor, fs::path());
  EXPECT_FALSE(again.from_cache);
  EXPECT_TRUE(again.cache_file.empty());
  EXPECT_TRUE(torch::equal(a.features.features, again.features.features));
}

TEST(RealFeatures, TrainingAugmentationNeverReachesTheRealImages) {
  // A run's data config may ask for random crops and flips; its real statistics must not see them.
  gankit::test::TempDir cache;
  BlockMeans extractor("v1");
  const auto plain = real_features(fashion_test_split(), 100, 0, extractor, fs::path());
  auto augmented_data = fashion_test_split();
  augmented_data.hflip = true;
  augmented_data.load_size = 36;
  augmented_data.image_size = 28;
  const auto augmented = real_features(augmented_data, 100, 0, extractor, fs::path());
  EXPECT_TRUE(torch::equal(plain.features.features, augmented.features.features));
  // ... and one cache entry serves both
  real_features(fashion_test_split(), 100, 0, extractor, cache.path());
  const int computed = extractor.batches;
  EXPECT_TRUE(real_features(augmented_data, 100, 0, extractor, cache.path()).from_cache);
  EXPECT_EQ(extractor.batches, computed);
}

TEST(RealFeatures, OtherWeightsOrOtherDataAreNotServedFromTheCache) {
  TempDir cache;
  BlockMeans v1("v1"), v2("v2");
  real_features(fashion_test_split(), 100, 0, v1, cache.path());
  EXPECT_FALSE(real_features(fashion_test_split(), 100, 0, v2, cache.path()).from_cache);
  auto resized = fashion_test_split();
  resized.image_size = 32;
  const auto at32 = real_features(resized, 100, 0, v1, cache.path());
  EXPECT_FALSE(at32.from_cache);
  EXPECT_NE(at32.description.find("at 32x32"), std::string::npos);
  auto train = fashion_test_split();
  train.split = "train";
  EXPECT_FALSE(real_features(train, 100, 0, v1, cache.path()).from_cache);
}

TEST(RealFeatures, ADamagedCacheFileIsRecomputedAndReplaced) {
  TempDir cache;
  BlockMeans extractor("v1");
  const auto first = real_features(fashion_test_split(), 100, 0, extractor, cache.path());
  test::write_file(first.cache_file, "not a torch archive");
  const auto second = real_features(fashion_test_split(), 100, 0, extractor, cache.path());
  EXPECT_FALSE(second.from_cache);
  EXPECT_TRUE(torch::equal(first.features.features, second.features.features));
  EXPECT_TRUE(real_features(fashion_test_split(), 100, 0, extractor, cache.path()).from_cache);
}

TEST(RealFeatures, ACorruptedCacheEntryIsRecomputedNotUsed) {
  // A flipped bit inside the cached features: the checksum finds it, so the features are computed
  // again (from_cache false) and the file is replaced, never a silently moved FID.
  TempDir cache;
  BlockMeans extractor("v1");
  const auto first = real_features(fashion_test_split(), 100, 0, extractor, cache.path());
  auto bytes = test::slurp(first.cache_file);
  bytes[bytes.size() - 40] ^= 0x40;
  test::write_file(first.cache_file, bytes);
  const int computed = extractor.batches;
  const auto second = real_features(fashion_test_split(), 100, 0, extractor, cache.path());
  EXPECT_FALSE(second.from_cache);
  EXPECT_GT(extractor.batches, computed);
  EXPECT_TRUE(torch::equal(first.features.features, second.features.features));
  EXPECT_TRUE(torch::equal(first.features.logits, second.features.logits));
  const auto third = real_features(fashion_test_split(), 100, 0, extractor, cache.path());
  EXPECT_TRUE(third.from_cache);
  EXPECT_TRUE(torch::equal(first.features.features, third.features.features));
}

TEST(RealFeatures, ImagesOfAnotherChannelCountAreRefusedBeforeAnyFeatures) {
  TempDir cache;
  BlockMeans extractor("v1");
  EXPECT_TRUE(test::fails_with([&] { real_features(fashion_test_split(), 50, 0, extractor, cache.path(), {}, 3); },
                               {"fashion-mnist test, 50 of 10000 images at 28x28 has 1-channel images",
                                "generated images have 3"}));
  EXPECT_EQ(extractor.batches, 0);
  // From the cache too.
  real_features(fashion_test_split(), 50, 0, extractor, cache.path(), {}, 1);
  EXPECT_TRUE(test::fails_with([&] { real_features(fashion_test_split(), 50, 0, extractor, cache.path(), {}, 3); },
                               {"has 1-channel images"}));
}

TEST(RealFeatures, AllImagesWhenCountIsZeroOrLarger) {
  TempDir cache;
  BlockMeans extractor("v1");
  auto data = fashion_test_split();
  data.holdout = 0;
  const auto all = real_features(data, 0, 0, extractor, fs::path());
  EXPECT_EQ(all.count, 10000);
  EXPECT_EQ(real_features(data, 20000, 0, extractor, fs::path()).count, 10000);
}

}  // namespace
}  // namespace gankit::metrics
