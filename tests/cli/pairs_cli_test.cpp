// gankit pairs: A|B training pairs from a folder of photos, as a user runs it.
#include <gtest/gtest.h>

#include "gankit/data/edges.h"
#include "gankit/data/loader.h"
#include "gankit/data/pairs.h"
#include "gankit/data/transforms.h"
#include "gankit/io/image.h"
#include "support/cli.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::count_lines;
using gankit::test::run_cli;
using gankit::test::same_tensor;
using gankit::test::slurp;
using gankit::test::TempDir;

// uint8 [3,H,W]: a ramp with a bright rectangle, different for each i.
torch::Tensor photo(int64_t height, int64_t width, int i) {
  auto image = ((torch::arange(width) * 3 + i * 20).remainder(200))
                   .to(torch::kUInt8)
                   .expand({3, height, width})
                   .clone();
  image.slice(1, height / 4, height / 2).slice(2, width / 4, width / 2).fill_(250);
  return image;
}

class PairsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i)
      gankit::io::write_png(dir_ / "photos" / fmt::format("p{}.png", i), photo(30, 20, i));
  }
  TempDir dir_;
};

TEST_F(PairsCli, EdgesResizedAndReadyForSideBySideTraining) {
  const auto r = run_cli("pairs --from photos --kind edges -o pairs --size 16", dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote 3 pairs"), std::string::npos) << r.out;
  for (int i = 0; i < 3; ++i) {
    const auto pair = gankit::io::read_image(dir_ / "pairs" / fmt::format("p{}.png", i));  // [3,16,32]
    ASSERT_EQ(pair.sizes(), (std::vector<int64_t>{3, 16, 32}));
    const auto b = gankit::data::fit_to_size(photo(30, 20, i), 16, gankit::data::Fit::resize, "photo");
    EXPECT_TRUE(same_tensor(pair.slice(2, 16, 32), b)) << "B is the resized photo";
    EXPECT_TRUE(same_tensor(pair.slice(2, 0, 16), gankit::data::edge_images(b))) << "A is its edges";
    EXPECT_TRUE((pair.slice(2, 0, 16) == 0).any().item<bool>());
  }
  gankit::data::DataOptions data;
  data.name = "image-folder";
  data.path = (dir_ / "pairs").string();
  data.pairs = "side-by-side";
  data.image_size = 16;
  const auto set = gankit::data::load_images(data);
  EXPECT_EQ(set.images.size(0), 3);
  EXPECT_TRUE(same_tensor(set.images, gankit::data::edge_images(set.targets)));
}

TEST_F(PairsCli, GrayKeepsThePhotoSize) {
  const auto r = run_cli("pairs --from photos --kind gray -o out", dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto pair = gankit::io::read_image(dir_ / "out" / "p1.png");
  ASSERT_EQ(pair.sizes(), (std::vector<int64_t>{3, 30, 40}));
  EXPECT_TRUE(same_tensor(pair.slice(2, 20, 40), photo(30, 20, 1)));
  EXPECT_TRUE(same_tensor(pair.slice(2, 0, 20), gankit::data::gray_images(photo(30, 20, 1))));
}

TEST_F(PairsCli, NeverOverwrites) {
  gankit::data::PairBuildOptions options;  // the first run in-process: start-up costs a second
  ASSERT_EQ(gankit::data::write_pairs(dir_ / "photos", dir_ / "out", options), 3);
  const auto before = slurp(dir_ / "out" / "p0.png");
  const auto r = run_cli("pairs --from photos --kind gray -o out", dir_.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("out/p0.png: already exists"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(dir_ / "out" / "p0.png"), before);
}

TEST_F(PairsCli, MissingFolderIsOneLine) {
  const auto r = run_cli("pairs --from nowhere --kind edges -o out", dir_.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("nowhere: not a folder"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(PairsCli, UnknownKindIsRefused) {
  const auto r = run_cli("pairs --from photos --kind sketch -o out", dir_.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("sketch"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace
