// Regression: a gray image's pixels must outlive stb's decode buffer.
#include <gtest/gtest.h>

#include "gankit/io/image.h"
#include "support/test_support.h"

namespace gankit::io {
namespace {

TEST(ReadImage, GrayPixelsAreOwned) {
  test::TempDir dir;
  const auto image = torch::arange(64, torch::kLong).view({1, 8, 8}).to(torch::kUInt8);
  write_png(dir / "gray.png", image);
  const auto first = read_image(dir / "gray.png");
  const auto second = read_image(dir / "gray.png");  // reuses the freed buffer, if any
  EXPECT_TRUE(test::same_tensor(first, image));
  EXPECT_TRUE(test::same_tensor(second, image));
}

}  // namespace
}  // namespace gankit::io
