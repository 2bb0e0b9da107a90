// Paired data (data.pairs, data.direction), split sub-folders and data.holdout, through the
// loader as training and evaluation use it.
#include "gankit/data/pairs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "gankit/data/loader.h"
#include "gankit/data/registry.h"
#include "gankit/data/transforms.h"
#include "gankit/io/image.h"
#include "support/data_fixtures.h"
#include "support/test_support.h"

namespace gankit::data {
namespace {

namespace fs = std::filesystem;
using test::fails_with;
using test::same_tensor;
using test::TempDir;
using test::write_file;

// Where scripts/setup.sh unpacks the shared sets; tests on them skip when absent.
fs::path data_root() {
  if (const char* root = std::getenv("GANKIT_DATA"); root != nullptr && *root != '\0') return root;
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : ".") / ".cache" / "gankit" / "data";
}

torch::Tensor filled(int64_t channels, int64_t height, int64_t width, int value) {
  return torch::full({channels, height, width}, value, torch::kUInt8);
}

torch::Tensor noise(int64_t channels, int64_t height, int64_t width, uint64_t seed) {
  auto generator = make_generator(seed);
  return torch::randint(0, 256, {channels, height, width}, generator, torch::kLong).to(torch::kUInt8);
}

DataOptions folder(const fs::path& path, const std::string& pairs, int64_t image_size) {
  DataOptions data;
  data.name = "image-folder";
  data.path = path.string();
  data.pairs = pairs;
  data.image_size = image_size;
  data.workers = 2;
  return data;
}

// Pixel (0,0) of channel 0 of every image, as uint8 values.
std::vector<int64_t> firsts(const torch::Tensor& images) {
  auto values = images.flatten(1).select(1, 0).to(torch::kLong).contiguous();
  return {values.data_ptr<int64_t>(), values.data_ptr<int64_t>() + values.numel()};
}

TEST(Pairs, ParseNamesAndDirection) {
  EXPECT_EQ(parse_pairs(""), Pairs::none);
  EXPECT_EQ(parse_pairs("side-by-side"), Pairs::side_by_side);
  EXPECT_EQ(parse_pairs("folders"), Pairs::folders);
  EXPECT_EQ(parse_pairs("edges"), Pairs::edges);
  EXPECT_EQ(parse_pairs("gray"), Pairs::gray);
  EXPECT_TRUE(fails_with([] { parse_pairs("sbs"); }, {"data.pairs = 'sbs'", "side-by-side, folders"}));
  EXPECT_FALSE(parse_b_to_a("AtoB"));
  EXPECT_TRUE(parse_b_to_a("BtoA"));
  EXPECT_TRUE(fails_with([] { parse_b_to_a("atob"); }, {"data.direction = 'atob'", "AtoB, BtoA"}));
}

// The shared sketch pairs: 512x256 JPEGs, photo | outline, train/ (100) and val/ (155).
TEST(Pairs, SketchPairsValSplitLoadsAsPairs) {
  const fs::path root = data_root() / "sketch-pairs";
  if (!fs::exists(root / "val")) GTEST_SKIP() << root << " is absent (scripts/setup.sh unpacks it)";
  auto data = folder(root, "side-by-side", 256);
  data.split = "test";  // there is no test/: val/ it is
  const auto set = load_images(data);
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{155, 3, 256, 256}));
  ASSERT_EQ(set.targets.sizes(), set.images.sizes());
  EXPECT_FALSE(set.labels.defined());
  const auto difference = (set.images.to(torch::kFloat) - set.targets.to(torch::kFloat)).abs().mean();
  EXPECT_GT(difference.item<float>(), 10) << "A and B look alike";
  // Sorted by name, "1.jpg" first; halves 256x256 already, so no resampling.
  const auto first = io::read_image(root / "val" / "1.jpg");
  EXPECT_TRUE(same_tensor(set.images[0], first.slice(2, 0, 256)));
  EXPECT_TRUE(same_tensor(set.targets[0], first.slice(2, 256, 512)));

  data.split = "train";
  data.max_memory_mb = 0;  // streamed: opening decodes one file only
  auto loader = make_loader(data, {4, 0});
  EXPECT_EQ(loader->info().size, 100);
  EXPECT_TRUE(loader->info().paired);
  EXPECT_EQ(loader->info().channels, 3);
  EXPECT_NE(loader->info().description.find("image-folder train: 100 pairs (side-by-side, AtoB), 3x256x256"),
            std::string::npos)
      << loader->info().description;
}

// Every file is the same noise image A, stored as A|A: whatever the jitter, targets must equal
// images, and the jitter must still vary from image to image.
TEST(Pairs, JitterIsIdenticalForBothSides) {
  TempDir dir;
  const auto a = noise(3, 12, 12, 7);
  for (int i = 0; i < 8; ++i) io::write_png(dir / fmt::format("{}.png", i), torch::cat({a, a}, 2));
  auto data = folder(dir.path(), "side-by-side", 8);
  data.load_size = 12;  // random 8x8 windows of 12x12
  data.hflip = true;
  auto memory = make_loader(data, {4, 3});
  data.max_memory_mb = 0;
  auto streamed = make_loader(data, {4, 3});
  ASSERT_TRUE(streamed->info().streamed);
  std::vector<torch::Tensor> crops;
  for (int k = 0; k < 6; ++k) {
    const auto batch = memory->next();
    ASSERT_EQ(batch.images.sizes(), (std::vector<int64_t>{4, 3, 8, 8}));
    ASSERT_TRUE(batch.targets.defined());
    EXPECT_TRUE(same_tensor(batch.targets, batch.images)) << "batch " << k;
    const auto other = streamed->next();
    EXPECT_TRUE(same_tensor(other.images, batch.images)) << "batch " << k;
    EXPECT_TRUE(same_tensor(other.targets, batch.targets)) << "batch " << k;
    for (int64_t i = 0; i < 4; ++i) crops.push_back(batch.images[i]);
  }
  int distinct = 0;
  for (size_t i = 0; i < crops.size(); ++i) {
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = torch::equal(crops[i], crops[j]);
    distinct += !seen;
  }
  EXPECT_GE(distinct, 8) << "crops and flips hardly vary";
}

// A differs from B, and the crop must hit the same window of both: B = A + 1 everywhere.
TEST(Pairs, JitterKeepsPixelsAligned) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    auto a = noise(1, 10, 10, i).clamp_max(254);
    io::write_png(dir / fmt::format("{}.png", i), torch::cat({a, a + 1}, 2));
  }
  auto data = folder(dir.path(), "side-by-side", 6);
  data.load_size = 10;
  data.hflip = true;
  auto loader = make_loader(data, {4, 1});
  for (int k = 0; k < 4; ++k) {
    const auto batch = loader->next();
    auto a = from_unit_range(batch.images).to(torch::kLong),
         b = from_unit_range(batch.targets).to(torch::kLong);
    EXPECT_TRUE(same_tensor(b, a + 1)) << "batch " << k;
  }
}

TEST(Pairs, DirectionPicksTheInput) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    io::write_png(dir / fmt::format("{}.png", i),
                  torch::cat({filled(3, 6, 6, 10 + i), filled(3, 6, 6, 200 + i)}, 2));
  }
  auto data = folder(dir.path(), "side-by-side", 6);
  auto set = load_images(data);
  EXPECT_EQ(firsts(set.images), (std::vector<int64_t>{10, 11, 12, 13}));
  EXPECT_EQ(firsts(set.targets), (std::vector<int64_t>{200, 201, 202, 203}));
  auto batch = make_loader(data, {4, 0})->next();

  data.direction = "BtoA";
  set = load_images(data);
  EXPECT_EQ(firsts(set.images), (std::vector<int64_t>{200, 201, 202, 203}));
  EXPECT_EQ(firsts(set.targets), (std::vector<int64_t>{10, 11, 12, 13}));
  auto loader = make_loader(data, {4, 0});
  EXPECT_NE(loader->info().description.find("4 pairs (side-by-side, BtoA)"), std::string::npos);
  auto swapped = loader->next();
  EXPECT_TRUE(same_tensor(swapped.images, batch.targets));
  EXPECT_TRUE(same_tensor(swapped.targets, batch.images));
}

TEST(Pairs, OddWidthIsNamed) {
  TempDir dir;
  io::write_png(dir / "a.png", filled(3, 4, 8, 0));
  io::write_png(dir / "b.png", filled(3, 4, 9, 0));
  const auto data = folder(dir.path(), "side-by-side", 4);
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {(dir / "b.png").string(), "9x4", "odd width"}));
}

TEST(Pairs, NonSquareHalvesAreFitted) {
  TempDir dir;  // CelebA-like 89x109 halves, side by side
  io::write_png(dir / "a.png", torch::cat({filled(3, 109, 89, 50), filled(3, 109, 89, 150)}, 2));
  auto set = load_images(folder(dir.path(), "side-by-side", 64));
  EXPECT_TRUE(same_tensor(set.images, filled(3, 64, 64, 50).unsqueeze(0)));
  EXPECT_TRUE(same_tensor(set.targets, filled(3, 64, 64, 150).unsqueeze(0)));
}

TEST(Pairs, FoldersAreMatchedByName) {
  TempDir dir;
  const std::vector<std::string> names{"a.png", "b.png", "sub/c.png"};
  for (size_t i = 0; i < names.size(); ++i) {
    io::write_png(dir / "A" / names[i], filled(1, 5, 5, 10 + static_cast<int>(i)));   // gray
    io::write_png(dir / "B" / names[i], filled(3, 7, 7, 100 + static_cast<int>(i)));  // RGB, larger
  }
  auto data = folder(dir.path(), "folders", 5);
  auto set = load_images(data);
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{3, 3, 5, 5}));  // a colour side makes both colour
  EXPECT_EQ(firsts(set.images), (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(firsts(set.targets), (std::vector<int64_t>{100, 101, 102}));

  io::write_png(dir / "A" / "lonely.png", filled(1, 5, 5, 0));
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {(dir / "A" / "lonely.png").string() + ": no partner " +
                                                      (dir / "B" / "lonely.png").string()}));
  fs::remove(dir / "A" / "lonely.png");
  io::write_png(dir / "B" / "extra.png", filled(1, 5, 5, 0));
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {(dir / "B" / "extra.png").string() + ": no partner"}));
  fs::remove_all(dir / "B");
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {dir.path().string(), "needs sub-folders A/ and B/"}));
}

TEST(Pairs, GrayAndEdgesAreDerivedAtTheLoadSize) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    auto image = noise(3, 16, 16, 10 + i);
    image.slice(1, 4, 12).slice(2, 4, 12).fill_(255);  // something for the edge detector
    io::write_png(dir / fmt::format("{}.png", i), image);
  }
  auto data = folder(dir.path(), "gray", 12);
  data.load_size = 16;
  data.hflip = true;
  auto loader = make_loader(data, {4, 2});
  EXPECT_TRUE(loader->info().paired);
  for (int k = 0; k < 3; ++k) {
    const auto batch = loader->next();
    EXPECT_TRUE(same_tensor(from_unit_range(batch.images), gray_images(from_unit_range(batch.targets))));
  }

  data.pairs = "edges";
  auto held = data;  // as the loader holds them: fitted to load_size, not cropped
  held.image_size = 16;
  held.load_size = 0;
  const auto set = load_images(held);
  EXPECT_TRUE(same_tensor(set.images, edge_images(set.targets)));
  EXPECT_TRUE(same_tensor(set.targets, load_images(folder(dir.path(), "", 16)).images));
  const auto batch = make_loader(data, {4, 2})->next();
  EXPECT_TRUE(((batch.images == -1) | (batch.images == 1)).all().item<bool>());
  data.max_memory_mb = 0;  // streamed derives per batch, with the same result
  EXPECT_TRUE(same_tensor(make_loader(data, {4, 2})->next().images, batch.images));
}

TEST(Pairs, DerivedFromADecodedSet) {
  TempDir dir;
  write_file(dir / "x-images-idx3-ubyte", test::idx_images(6, 12, 12));
  DataOptions data;
  data.name = "idx";
  data.path = (dir / "x-images-idx3-ubyte").string();
  data.image_size = 12;
  data.pairs = "edges";
  const auto set = load_images(data);
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{6, 1, 12, 12}));
  EXPECT_TRUE(same_tensor(set.images, edge_images(set.targets)));
  data.pairs = "side-by-side";
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {"data.pairs = side-by-side needs image files"}));
  data.pairs = "folders";
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {"data.pairs = folders", "image-folder"}));
}

TEST(Pairs, UnpairedDataHasNoTargets) {
  TempDir dir;
  test::write_png_classes(dir.path(), 4, 2, 6);
  auto data = folder(dir.path(), "", 6);
  auto loader = make_loader(data, {2, 0});
  EXPECT_FALSE(loader->info().paired);
  EXPECT_FALSE(loader->next().targets.defined());
  EXPECT_FALSE(load_images(data).targets.defined());
  data.direction = "BtoA";
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {"data.direction = BtoA", "data.pairs"}));
}

TEST(PairBuilder, RefusesClashesAndTakesBackWorkOnABadInput) {
  TempDir dir;
  const auto photos = dir / "photos", out = dir / "out";
  io::write_png(photos / "cat" / "a.png", noise(3, 8, 8, 1));
  io::write_png(photos / "dog" / "a.png", noise(3, 8, 8, 2));
  PairBuildOptions options;
  options.kind = Pairs::gray;
  EXPECT_TRUE(fails_with([&] { write_pairs(photos, out, options); },
                         {(out / "a.png").string(), "cat/a.png", "dog/a.png", "rename one"}));
  EXPECT_FALSE(fs::exists(out)) << "checked before writing anything";

  fs::rename(photos / "dog" / "a.png", photos / "dog" / "b.png");
  write_file(photos / "dog" / "c.png", "not a PNG");
  EXPECT_TRUE(fails_with([&] { write_pairs(photos, out, options); },
                         {(photos / "dog" / "c.png").string(), "cannot read image"}));
  EXPECT_TRUE(fs::is_empty(out)) << "what a failed run wrote is taken back";
  fs::remove(photos / "dog" / "c.png");
  EXPECT_EQ(write_pairs(photos, out, options), 2);
  const auto pair = io::read_image(out / "b.png");  // [3,8,16]: gray | photo
  EXPECT_TRUE(same_tensor(pair.slice(2, 8, 16), noise(3, 8, 8, 2)));
  EXPECT_TRUE(same_tensor(pair.slice(2, 0, 8), gray_images(noise(3, 8, 8, 2))));
  EXPECT_TRUE(
      fails_with([&] { write_pairs(photos, out, options); }, {(out / "a.png").string(), "already exists"}));
  options.kind = Pairs::side_by_side;
  EXPECT_TRUE(fails_with([&] { write_pairs(photos, dir / "other", options); }, {"edges, gray"}));
}

TEST(SplitFolders, DataSplitPicksTrainOrTestOrVal) {
  TempDir dir;
  for (int i = 0; i < 3; ++i) io::write_png(dir / "train" / fmt::format("{}.png", i), filled(1, 4, 4, i));
  io::write_png(dir / "val" / "9.png", filled(1, 4, 4, 9));
  auto data = folder(dir.path(), "", 4);
  auto train = load_images(data);  // flat inside train/: unlabelled, not two classes
  EXPECT_EQ(firsts(train.images), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_FALSE(train.labels.defined());
  data.split = "test";
  EXPECT_EQ(firsts(load_images(data).images), (std::vector<int64_t>{9}));
  auto loader = make_loader(data, {1, 0});
  EXPECT_EQ(loader->info().description.rfind("image-folder val: 1 images", 0), 0u)
      << loader->info().description;
  io::write_png(dir / "test" / "5.png", filled(1, 4, 4, 5));  // test/ wins over val/
  EXPECT_EQ(firsts(load_images(data).images), (std::vector<int64_t>{5}));

  fs::remove_all(dir / "train");
  data.split = "train";
  EXPECT_TRUE(
      fails_with([&] { load_images(data); },
                 {dir.path().string(), "has split folders (test, val) but none for data.split = train"}));
  // Class folders inside a split keep their labels.
  io::write_png(dir / "train" / "cat" / "a.png", filled(1, 4, 4, 1));
  io::write_png(dir / "train" / "dog" / "b.png", filled(1, 4, 4, 2));
  EXPECT_EQ(load_images(data).num_classes, 2);
}

TEST(Holdout, TheLastFilesAreTheTestSplit) {
  TempDir dir;
  for (int i = 0; i < 10; ++i) io::write_png(dir / fmt::format("{:02}.png", i), filled(1, 4, 4, 10 * i));
  auto data = folder(dir.path(), "", 4);
  data.holdout = 3;
  EXPECT_EQ(firsts(load_images(data).images), (std::vector<int64_t>{0, 10, 20, 30, 40, 50, 60}));
  auto loader = make_loader(data, {7, 0});
  EXPECT_EQ(loader->info().size, 7);
  EXPECT_EQ(loader->info().description.rfind("image-folder train (test = the last 3): 7 images", 0), 0u)
      << loader->info().description;
  data.split = "test";
  EXPECT_EQ(firsts(load_images(data).images), (std::vector<int64_t>{70, 80, 90}));

  data.holdout = 10;
  EXPECT_TRUE(
      fails_with([&] { load_images(data); }, {"data.holdout = 10 leaves nothing to train on (10 items"}));
  data.holdout = -1;
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {"data.holdout = -1"}));
  data.holdout = 2;  // not with a split of the folder's own
  io::write_png(dir / "sets" / "train" / "x.png", filled(1, 4, 4, 0));
  io::write_png(dir / "sets" / "test" / "y.png", filled(1, 4, 4, 0));
  data.path = (dir / "sets").string();
  EXPECT_TRUE(fails_with([&] { load_images(data); }, {"data.holdout = 2", "split of its own"}));
}

TEST(Holdout, PairsAreHeldOutTogether) {
  TempDir dir;
  for (int i = 0; i < 5; ++i) {
    io::write_png(dir / "A" / fmt::format("{}.png", i), filled(1, 4, 4, i));
    io::write_png(dir / "B" / fmt::format("{}.png", i), filled(1, 4, 4, 100 + i));
  }
  auto data = folder(dir.path(), "folders", 4);
  data.holdout = 2;
  data.split = "test";
  const auto set = load_images(data);
  EXPECT_EQ(firsts(set.images), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(firsts(set.targets), (std::vector<int64_t>{103, 104}));
}

// The rule: the last 500 of the 10,000 CelebA faces are held out from training.
TEST(Holdout, CelebALast500) {
  const fs::path root = data_root() / "celeba-10k" / "celebA";
  if (!fs::exists(root / "000001.jpg")) GTEST_SKIP() << root << " is absent (scripts/setup.sh unpacks it)";
  auto data = folder(root, "", 64);
  data.holdout = 500;
  const auto train = read_data_set(data);
  const auto& train_files = std::get<ImageFolder>(train.raw).files;
  ASSERT_EQ(train_files.size(), 9500u);
  EXPECT_EQ(train_files.back().filename(), "009500.jpg");
  data.split = "test";
  const auto test = read_data_set(data);
  const auto& test_files = std::get<ImageFolder>(test.raw).files;
  ASSERT_EQ(test_files.size(), 500u);
  EXPECT_EQ(test_files.front().filename(), "009501.jpg");
  EXPECT_EQ(test_files.back().filename(), "010000.jpg");
  EXPECT_EQ(test.part, "test");
  data.max_memory_mb = 0;  // streamed: opening decodes one file
  EXPECT_EQ(make_loader(data, {64, 0})->info().size, 500);
}

}  // namespace
}  // namespace gankit::data
