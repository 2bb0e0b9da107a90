// Held-out data is never training data: a set's test split, an image folder's test/ or val/, or
// data.holdout's last files; a flat folder without data.holdout has none.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gankit/data/loader.h"
#include "gankit/io/image.h"
#include "support/test_support.h"

namespace gankit::data {
namespace {

namespace fs = std::filesystem;

/// `count` gray 8x8 PNGs img000.png ... in `folder`, image i filled with 10 * i.
void write_flat_folder(const fs::path& folder, int64_t count) {
  fs::create_directories(folder);
  for (int64_t i = 0; i < count; ++i) {
    io::write_png(folder / fmt::format("img{:03}.png", i), torch::full({1, 8, 8}, 10 * i, torch::kUInt8));
  }
}

DataOptions folder_options(const fs::path& folder) {
  DataOptions data;
  data.name = "image-folder";
  data.path = folder.string();
  data.image_size = 8;
  return data;
}

TEST(HeldOut, AFlatFolderHasNone) {
  test::TempDir dir;
  write_flat_folder(dir / "flat", 6);
  const auto data = folder_options(dir / "flat");
  EXPECT_EQ(load_images(data).images.size(0), 6);  // training reads every file
  EXPECT_FALSE(load_held_out(data).images.defined());
}

TEST(HeldOut, AFlatFolderWithHoldoutHoldsOutItsLastFiles) {
  test::TempDir dir;
  write_flat_folder(dir / "flat", 6);
  auto data = folder_options(dir / "flat");
  data.holdout = 2;
  const auto held_out = load_held_out(data);
  ASSERT_TRUE(held_out.images.defined());
  ASSERT_EQ(held_out.images.size(0), 2);
  EXPECT_EQ(held_out.images[0].max().item<int64_t>(), 40);  // img004, img005
  EXPECT_EQ(load_images(data).images.size(0), 4);           // the training part leaves them out
}

TEST(HeldOut, SplitFoldersGiveTheirTestOrValPart) {
  test::TempDir dir;
  write_flat_folder(dir / "set/train", 5);
  write_flat_folder(dir / "set/val", 3);
  const auto held_out = load_held_out(folder_options(dir / "set"));
  ASSERT_TRUE(held_out.images.defined());
  EXPECT_EQ(held_out.images.size(0), 3);
}

TEST(HeldOut, AMissingFolderHasNone) {
  test::TempDir dir;
  EXPECT_FALSE(load_held_out(folder_options(dir / "nothing")).images.defined());
}

}  // namespace
}  // namespace gankit::data
