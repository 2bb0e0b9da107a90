#include "gankit/data/loader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <set>

#include "gankit/data/transforms.h"
#include "support/data_fixtures.h"
#include "support/test_support.h"

namespace gankit::data {
namespace {

namespace fs = std::filesystem;
using test::fails_with;
using test::same_tensor;
using test::TempDir;
using test::write_file;

// Sets an environment variable for one test, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// 40 RGB 8x8 PNGs in 4 classes (see write_png_classes: channel 0 = 5 * id, channel 1 = 60 * class).
class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { test::write_png_classes(dir_.path(), kImages, 4, 8); }

  DataOptions folder_options() const {
    DataOptions data;
    data.name = "image-folder";
    data.path = dir_.path().string();
    data.image_size = 8;
    data.workers = 2;
    return data;
  }
  static LoaderOptions batches(int64_t size, uint64_t seed = 1) { return {size, seed}; }

  // The first `count` batches of a fresh loader.
  static std::vector<Batch> take(const DataOptions& data, const LoaderOptions& options, int count) {
    auto loader = make_loader(data, options);
    std::vector<Batch> out;
    for (int i = 0; i < count; ++i) out.push_back(loader->next());
    return out;
  }

  // Image ids (channel 0 / 5) of a batch, in order.
  static std::vector<int64_t> ids(const Batch& batch) {
    auto pixels = from_unit_range(batch.images).to(torch::kLong);
    std::vector<int64_t> out;
    for (int64_t i = 0; i < pixels.size(0); ++i)
      out.push_back(pixels[i][0][0][0].item<int64_t>() / 5);
    return out;
  }

  static constexpr int64_t kImages = 40;
  TempDir dir_;
};

TEST_F(LoaderTest, InfoAndBatchFormat) {
  auto loader = make_loader(folder_options(), batches(16));
  const auto& info = loader->info();
  EXPECT_EQ(info.size, kImages);
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.image_size, 8);
  EXPECT_EQ(info.num_classes, 4);
  EXPECT_FALSE(info.streamed);
  EXPECT_EQ(info.description,
            fmt::format("image-folder: 40 images, 3x8x8, 4 classes, in memory (from {})",
                        dir_.path().string()));
  EXPECT_EQ(loader->batches_per_epoch(), 2);  // 40 / 16, the partial batch dropped
  auto batch = loader->next();
  EXPECT_EQ(loader->position(), 1);
  ASSERT_EQ(batch.images.sizes(), (std::vector<int64_t>{16, 3, 8, 8}));
  EXPECT_EQ(batch.images.scalar_type(), torch::kFloat32);
  EXPECT_GE(batch.images.min().item<float>(), -1.0f);
  EXPECT_LE(batch.images.max().item<float>(), 1.0f);
  ASSERT_EQ(batch.labels.scalar_type(), torch::kLong);
  const auto image_ids = ids(batch);
  for (int64_t i = 0; i < 16; ++i) {
    EXPECT_EQ(batch.labels[i].item<int64_t>(), image_ids[i] % 4) << "label does not match image";
  }
}

TEST_F(LoaderTest, EpochsAreShuffledPermutationsWithTheLastBatchDropped) {
  auto loader = make_loader(folder_options(), batches(16));
  std::vector<std::vector<int64_t>> epochs(3);
  for (auto& epoch : epochs) {
    for (int b = 0; b < 2; ++b) {
      for (auto id : ids(loader->next())) epoch.push_back(id);
    }
    EXPECT_EQ(std::set<int64_t>(epoch.begin(), epoch.end()).size(), 32u) << "an image repeated";
  }
  EXPECT_NE(epochs[0], epochs[1]);
  EXPECT_NE(epochs[1], epochs[2]);
}

TEST_F(LoaderTest, SameSeedSameBatchesOtherSeedOthers) {
  auto a = take(folder_options(), batches(8, 5), 3), b = take(folder_options(), batches(8, 5), 3);
  auto c = take(folder_options(), batches(8, 6), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(same_tensor(a[i].images, b[i].images));
    EXPECT_TRUE(same_tensor(a[i].labels, b[i].labels));
  }
  EXPECT_FALSE(torch::equal(a[0].images, c[0].images));
}

TEST_F(LoaderTest, SeekReproducesTheKthBatchWithAugmentation) {
  auto data = folder_options();
  data.image_size = 6;
  data.load_size = 8;  // random 6x6 crops of the 8x8 images
  data.hflip = true;
  const auto run = take(data, batches(8), 12);  // 5 batches an epoch: crosses two epochs
  EXPECT_EQ(run[0].images.size(3), 6);
  for (int64_t k : {0, 3, 5, 11}) {
    auto resumed = make_loader(data, batches(8));
    resumed->seek(k);
    EXPECT_EQ(resumed->position(), k);
    auto batch = resumed->next();
    EXPECT_TRUE(same_tensor(batch.images, run[k].images)) << "batch " << k;
    EXPECT_TRUE(same_tensor(batch.labels, run[k].labels)) << "batch " << k;
  }
  // Seeking backwards on a running loader works too.
  auto loader = make_loader(data, batches(8));
  for (int i = 0; i < 4; ++i) loader->next();
  loader->seek(1);
  EXPECT_TRUE(same_tensor(loader->next().images, run[1].images));
  EXPECT_TRUE(same_tensor(loader->next().images, run[2].images));
}

TEST_F(LoaderTest, StreamedEqualsInMemory) {
  auto data = folder_options();
  data.image_size = 6;
  data.load_size = 7;
  data.fit = "resize";
  data.hflip = true;
  auto memory = make_loader(data, batches(8));
  data.max_memory_mb = 0;
  auto streamed = make_loader(data, batches(8));
  EXPECT_FALSE(memory->info().streamed);
  EXPECT_TRUE(streamed->info().streamed);
  EXPECT_NE(streamed->info().description.find("streamed"), std::string::npos);
  for (int k = 0; k < 7; ++k) {
    auto a = memory->next(), b = streamed->next();
    EXPECT_TRUE(same_tensor(a.images, b.images)) << "batch " << k;
    EXPECT_TRUE(same_tensor(a.labels, b.labels)) << "batch " << k;
  }
}

TEST_F(LoaderTest, WithoutPrefetchTheBatchesAreTheSame) {
  auto data = folder_options();
  data.hflip = true;
  auto ahead = take(data, batches(8), 6);
  data.prefetch = 0;
  auto inline_batches = take(data, batches(8), 6);
  for (int k = 0; k < 6; ++k) EXPECT_TRUE(same_tensor(ahead[k].images, inline_batches[k].images));
}

TEST_F(LoaderTest, BackgroundErrorSurfacesInNext) {
  write_file(dir_ / "class2" / "img006.png", "corrupt");  // not the first file: opening succeeds
  auto data = folder_options();
  data.max_memory_mb = 0;  // streamed: decoded by the background thread
  auto loader = make_loader(data, batches(8));
  const auto bad = (dir_ / "class2" / "img006.png").string();
  EXPECT_TRUE(fails_with(
      [&] {
        for (int i = 0; i < loader->batches_per_epoch(); ++i) loader->next();
      },
      {bad, "cannot read image"}));
  EXPECT_TRUE(fails_with([&] { loader->next(); }, {bad}));  // and again, not a hang
}

TEST_F(LoaderTest, StopsCleanlyMidEpoch) {
  for (int64_t prefetch : {1, 4}) {
    auto data = folder_options();
    data.prefetch = prefetch;
    data.max_memory_mb = 0;
    auto loader = make_loader(data, batches(4));
    loader->next();
    loader.reset();  // the background thread may be blocked on a full queue or decoding
    make_loader(data, batches(4));  // never started
  }
}

TEST_F(LoaderTest, LoadImagesFitsWithoutAugmentation) {
  auto data = folder_options();
  data.image_size = 4;
  data.load_size = 8;  // ignored: load_images returns image_size images
  data.channels = 1;
  data.hflip = true;
  auto set = load_images(data);
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{kImages, 1, 4, 4}));
  EXPECT_EQ(set.num_classes, 4);
  EXPECT_EQ(set.labels.size(0), kImages);
}

TEST_F(LoaderTest, FewerImagesThanABatch) {
  EXPECT_TRUE(fails_with([&] { make_loader(folder_options(), batches(64)); },
                         {dir_.path().string(), "40 images, fewer than one batch of 64"}));
}

TEST_F(LoaderTest, MixedSizesNeedAFit) {
  io::write_png(dir_ / "class3" / "odd.png", torch::zeros({3, 10, 8}, torch::kUInt8));
  auto data = folder_options();
  data.fit = "none";
  EXPECT_TRUE(fails_with([&] { load_images(data); },
                         {"odd.png: image is 8x10, expected 8x8 like the others"}));
  data.fit = "pad";
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {"odd.png", "larger than data.image_size 8"}));
  data.fit = "resize";
  EXPECT_EQ(load_images(data).images.size(0), kImages + 1);
}

TEST(LoaderOptions, BadOptionsAreNamed) {
  DataOptions data;
  data.path = "/nonexistent";
  auto fails = [&](const DataOptions& d, std::initializer_list<std::string_view> parts) {
    return fails_with([&] { make_loader(d, {}); }, parts);
  };
  auto with = [&](auto change) {
    DataOptions d = data;
    change(d);
    return d;
  };
  EXPECT_TRUE(
      fails(with([](auto& d) { d.name = "imagenet"; }),
            {"data.name = 'imagenet'", "mnist, fashion-mnist, cifar10, image-folder, idx, csv"}));
  EXPECT_TRUE(fails(with([](auto& d) { d.split = "val"; }), {"data.split = 'val'", "train, test"}));
  EXPECT_TRUE(fails(with([](auto& d) { d.channels = 2; }), {"data.channels = 2"}));
  EXPECT_TRUE(fails(with([](auto& d) { d.fit = "squash"; }), {"data.fit = 'squash'"}));
  EXPECT_TRUE(fails(with([](auto& d) { d.load_size = 16; }), {"data.load_size = 16"}));
  EXPECT_TRUE(fails(with([](auto& d) {
                      d.name = "image-folder";
                      d.path = "";
                    }),
                    {"data.path is required for data.name = image-folder"}));
  EXPECT_TRUE(
      fails(with([](auto& d) { d.name = "csv"; }), {"/nonexistent: no such file or folder"}));
  EXPECT_TRUE(fails_with([&] { make_loader(DataOptions{}, {0, 0}); }, {"batch_size = 0"}));
}

TEST(LoaderDefaults, StandardPlacesFollowGankitData) {
  TempDir dir;
  ScopedEnv env("GANKIT_DATA", dir.path().string());
  DataOptions data;
  data.name = "mnist";
  EXPECT_EQ(default_data_path(data), (dir / "mnist").string());
  data.name = "cifar10";
  EXPECT_EQ(default_data_path(data), (dir / "cifar10-jpeg").string());
  data.name = "fashion-mnist";
  EXPECT_EQ(default_data_path(data), "/usr/share/datasets/fashion-mnist");
  data.name = "idx";
  EXPECT_EQ(default_data_path(data), "");
  data.name = "mnist";
  EXPECT_TRUE(
      fails_with([&] { make_loader(data, {}); },
                 {(dir / "mnist").string() + ": no such file or folder", "scripts/setup.sh"}));
}

TEST(LoaderSets, MnistLayoutSplitsAndIdxFile) {
  TempDir dir;
  ScopedEnv env("GANKIT_DATA", dir.path().string());
  fs::create_directories(dir / "mnist");
  write_file(dir / "mnist" / "train-images-idx3-ubyte", test::idx_images(20, 28, 28));
  write_file(dir / "mnist" / "train-labels-idx1-ubyte",
             test::idx_labels(std::vector<uint8_t>(20, 3)));
  test::write_gz(dir / "mnist" / "t10k-images-idx3-ubyte.gz", test::idx_images(10, 28, 28));
  test::write_gz(dir / "mnist" / "t10k-labels-idx1-ubyte.gz",
                 test::idx_labels(std::vector<uint8_t>(10, 1)));

  DataOptions data;
  data.name = "mnist";
  data.image_size = 0;
  auto train = load_images(data);
  ASSERT_EQ(train.images.sizes(), (std::vector<int64_t>{20, 1, 28, 28}));
  EXPECT_EQ(train.images[3][0][5][7].item<int>(), test::idx_pixel(3, 5, 7));
  EXPECT_EQ(train.num_classes, 4);
  data.split = "test";
  data.image_size = 32;
  data.fit = "pad";
  data.channels = 3;
  auto loader = make_loader(data, {5, 0});
  EXPECT_EQ(loader->info().description,
            fmt::format("mnist test: 10 images, 3x32x32, 2 classes, in memory (from {})",
                        (dir / "mnist").string()));
  auto test_set = load_images(data);
  ASSERT_EQ(test_set.images.sizes(), (std::vector<int64_t>{10, 3, 32, 32}));
  EXPECT_EQ(test_set.images[2][1][2 + 5][2 + 7].item<int>(),
            test::idx_pixel(2, 5, 7));  // padded by 2
  EXPECT_EQ(test_set.images[2][1][0][0].item<int>(), 0);

  DataOptions idx;  // one file, labels found by name
  idx.name = "idx";
  idx.path = (dir / "mnist" / "t10k-images-idx3-ubyte").string();  // only the .gz exists
  auto set = load_images(idx);
  EXPECT_EQ(set.images.size(0), 10);
  EXPECT_TRUE(same_tensor(set.labels, torch::ones({10}, torch::kLong)));
  fs::copy_file(dir / "mnist" / "train-images-idx3-ubyte", dir / "lonely-images-idx3");
  idx.path = (dir / "lonely-images-idx3").string();
  EXPECT_FALSE(load_images(idx).labels.defined());
}

TEST(LoaderSets, CsvAndCifarBinary) {
  TempDir dir;
  std::string csv = "label";
  for (int p = 0; p < 784; ++p) csv += fmt::format(",pixel{}", p);
  for (int row = 0; row < 3; ++row) {
    csv += fmt::format("\n{}", row);
    for (int p = 0; p < 784; ++p) csv += fmt::format(",{}", row * 10);
  }
  write_file(dir / "train.csv", csv);
  DataOptions data;
  data.name = "csv";
  data.path = (dir / "train.csv").string();
  data.image_size = 28;
  auto loader = make_loader(data, {3, 0});
  EXPECT_EQ(loader->info().num_classes, 3);
  auto batch = loader->next();
  EXPECT_TRUE(same_tensor(from_unit_range(batch.images).flatten(1).select(1, 0).to(torch::kLong),
                          batch.labels * 10));

  std::string record(3073, '\0');
  record[0] = 7;
  record[1] = static_cast<char>(200);  // R of pixel (0,0)
  write_file(dir / "cifar" / "test_batch.bin", record + record);
  DataOptions cifar;
  cifar.name = "cifar10";
  cifar.path = (dir / "cifar").string();
  cifar.split = "test";
  auto set = load_images(cifar);
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
  EXPECT_EQ(set.images[1][0][0][0].item<int>(), 200);
  EXPECT_EQ(set.labels[1].item<int64_t>(), 7);
}

TEST(LoaderSets, CifarJpegLayoutFromTheSharedArchive) {
  const auto archive = test::shared_data_dir() / "cifar10-jpeg.tar.gz";
  if (!fs::exists(archive)) GTEST_SKIP() << archive << " is absent";
  TempDir dir;
  std::string members;
  for (const char* split : {"train", "test"}) {
    for (const char* cls : {"cat", "dog"}) {
      for (int i = 0; i < 2; ++i)
        members += fmt::format(" cifar10-jpeg/{}/{}/{:04}.jpg", split, cls, i);
    }
  }
  const auto command =
      fmt::format("tar -xzf '{}' -C '{}'{}", archive.string(), dir.path().string(), members);
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  DataOptions data;
  data.name = "cifar10";
  data.path = (dir / "cifar10-jpeg").string();
  data.split = "test";
  data.channels = 1;
  auto loader = make_loader(data, {4, 0});
  EXPECT_EQ(loader->info().size, 4);
  EXPECT_EQ(loader->info().channels, 1);
  EXPECT_EQ(loader->info().num_classes, 2);
  EXPECT_EQ(loader->next().images.sizes(), (std::vector<int64_t>{4, 1, 32, 32}));
}

TEST(LoaderSets, RealFashionMnist) {
  const fs::path root = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(root / "train-images-idx3-ubyte.gz")) GTEST_SKIP() << root << " is absent";
  DataOptions data;  // the defaults: fashion-mnist, train
  data.image_size = 0;
  auto train = load_images(data);
  ASSERT_EQ(train.images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(train.labels[0].item<int64_t>(), 9);  // the first training image is an ankle boot
  EXPECT_EQ(train.num_classes, 10);
  const auto mean = train.images.to(torch::kFloat).mean().item<float>();
  EXPECT_NEAR(mean, 72.94, 1.0);  // Fashion-MNIST's well-known mean, 0.2860 * 255
  data.split = "test";
  data.image_size = 32;
  auto loader = make_loader(data, {64, 0});
  EXPECT_EQ(loader->info().size, 10000);
  EXPECT_EQ(loader->info().description,
            "fashion-mnist test: 10000 images, 1x32x32, 10 classes, in memory "
            "(from /usr/share/datasets/fashion-mnist)");
}

}  // namespace
}  // namespace gankit::data
