// Grids (torchvision.utils.make_grid layout) and atomic writes.
#include <gtest/gtest.h>

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "support/cli.h"

namespace {

using namespace gankit::io;

TEST(Grid, PlacesImagesRowMajorWithPadding) {
  auto images = torch::zeros({5, 1, 3, 2}, torch::kUInt8);
  for (int i = 0; i < 5; ++i) images[i].fill_(10 * (i + 1));
  const auto grid = make_grid(images, /*columns=*/2, /*padding=*/2);
  // 3 rows x 2 columns: H = 3*(3+2)+2 = 17, W = 2*(2+2)+2 = 10 (torchvision's formula)
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{1, 17, 10}));
  EXPECT_EQ(grid[0][2][2].item<uint8_t>(), 10);   // image 0 at (2, 2)
  EXPECT_EQ(grid[0][2][6].item<uint8_t>(), 20);   // image 1 at (2, 6)
  EXPECT_EQ(grid[0][7][2].item<uint8_t>(), 30);   // image 2 starts the second row
  EXPECT_EQ(grid[0][12][6].item<uint8_t>(), 0);   // slot 5 is empty padding
  EXPECT_EQ(grid[0][0][0].item<uint8_t>(), 0);
}

TEST(Grid, PngRoundTripsThroughStb) {
  gankit::test::TempDir dir;
  const auto image = torch::randint(0, 256, {3, 7, 5}, torch::kUInt8);
  write_png(dir / "x.png", image);
  EXPECT_TRUE(torch::equal(read_image(dir / "x.png"), image));
}

TEST(AtomicFile, AFailedWriteKeepsTheOldFileAndLeavesNoTemp) {
  gankit::test::TempDir dir;
  const auto target = dir / "result.txt";
  write_file_atomically(target, "old");
  EXPECT_THROW(write_atomically(target,
                                [](const std::filesystem::path& tmp) {
                                  std::ofstream(tmp) << "half";
                                  throw gankit::Error("disk full");
                                }),
               gankit::Error);
  EXPECT_EQ(gankit::test::slurp(target), "old");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
  write_file_atomically(target, "new");
  EXPECT_EQ(gankit::test::slurp(target), "new");
}

}  // namespace
