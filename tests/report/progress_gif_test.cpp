// The progress GIF: which grids it shows, in which order.
#include <gif_lib.h>
#include <gtest/gtest.h>

#include "gankit/io/image.h"
#include "gankit/report/progress_gif.h"
#include "support/test_support.h"

namespace gankit::report {
namespace {

TEST(ProgressGif, EvenlySpacedKeepsTheEnds) {
  EXPECT_EQ(evenly_spaced(0, 5), (std::vector<size_t>{}));
  EXPECT_EQ(evenly_spaced(3, 5), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(evenly_spaced(10, 1), (std::vector<size_t>{9}));
  EXPECT_EQ(evenly_spaced(10, 2), (std::vector<size_t>{0, 9}));
  EXPECT_EQ(evenly_spaced(11, 3), (std::vector<size_t>{0, 5, 10}));
  const auto many = evenly_spaced(1000, 100);
  ASSERT_EQ(many.size(), 100u);
  EXPECT_EQ(many.front(), 0u);
  EXPECT_EQ(many.back(), 999u);
  for (size_t i = 1; i < many.size(); ++i) EXPECT_GT(many[i], many[i - 1]);
}

TEST(ProgressGif, GridsInStepOrderAsFrames) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "samples");
  // step_100 sorts before step_20 as text; frames must follow the steps. Each grid's grey level
  // says which step it is.
  const std::vector<std::pair<int, int>> steps_and_levels{{100, 200}, {20, 50}, {60, 120}};
  for (const auto& [step, level] : steps_and_levels) {
    io::write_png(dir / "samples" / fmt::format("step_{}.png", step), torch::full({1, 6, 8}, level, torch::kUInt8));
  }
  test::write_file(dir / "samples" / "notes.txt", "not a grid");
  const auto grids = progress_images(dir.path());
  ASSERT_EQ(grids.size(), 3u);
  EXPECT_EQ(grids[0].filename(), "step_20.png");
  EXPECT_EQ(grids[2].filename(), "step_100.png");

  ASSERT_TRUE(write_progress_gif(dir.path(), grids, 2));  // 2 frames: the first and the last grid
  int error = 0;
  GifFileType* gif = DGifOpenFileName((dir / "progress.gif").c_str(), &error);
  ASSERT_NE(gif, nullptr);
  ASSERT_EQ(DGifSlurp(gif), GIF_OK);
  ASSERT_EQ(gif->ImageCount, 2);
  EXPECT_EQ(gif->SWidth, 8);
  EXPECT_EQ(gif->SHeight, 6);
  for (int i = 0; i < 2; ++i) {
    const auto& image = gif->SavedImages[i];
    const ColorMapObject* map = image.ImageDesc.ColorMap ? image.ImageDesc.ColorMap : gif->SColorMap;
    ASSERT_NE(map, nullptr);
    EXPECT_EQ(map->Colors[image.RasterBits[0]].Red, i == 0 ? 50 : 200);
  }
  DGifCloseFile(gif, &error);
}

TEST(ProgressGif, NoGridsNoGif) {
  test::TempDir dir;
  EXPECT_FALSE(write_progress_gif(dir.path(), progress_images(dir.path()), 10));
  EXPECT_FALSE(std::filesystem::exists(dir / "progress.gif"));
}

}  // namespace
}  // namespace gankit::report
