#include "gankit/data/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "support/data_fixtures.h"
#include "support/test_support.h"

namespace gankit::data {
namespace {

using test::fails_with;
using test::idx_images;
using test::idx_labels;
using test::idx_pixel;
using test::TempDir;
using test::write_file;
using test::write_gz;

// An IDX image header for n images of rows x cols, followed by only `data_bytes` bytes.
std::string truncated_images(uint32_t n, uint32_t rows, uint32_t cols, size_t data_bytes) {
  using test::big_endian;
  return big_endian(0x00000803) + big_endian(n) + big_endian(rows) + big_endian(cols) +
         std::string(data_bytes, '\0');
}

void expect_pixels(const torch::Tensor& images, int64_t n, int64_t rows, int64_t cols) {
  ASSERT_EQ(images.sizes(), (std::vector<int64_t>{n, 1, rows, cols}));
  ASSERT_EQ(images.scalar_type(), torch::kUInt8);
  auto a = images.accessor<uint8_t, 4>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c)
        ASSERT_EQ(a[i][0][r][c], idx_pixel(i, r, c)) << i << "," << r << "," << c;
    }
  }
}

TEST(Idx, ReadsRawImages) {
  TempDir dir;
  write_file(dir / "images", idx_images(5, 4, 3));
  expect_pixels(read_idx_images(dir / "images"), 5, 4, 3);
}

TEST(Idx, ReadsGzipAndFallsBackToGz) {
  TempDir dir;
  write_gz(dir / "train-images-idx3-ubyte.gz", idx_images(3, 6, 6));
  expect_pixels(read_idx_images(dir / "train-images-idx3-ubyte.gz"), 3, 6, 6);
  expect_pixels(read_idx_images(dir / "train-images-idx3-ubyte"), 3, 6, 6);  // finds the .gz
}

TEST(Idx, ReadsLabelsAndPairs) {
  TempDir dir;
  write_file(dir / "images", idx_images(4, 2, 2));
  write_gz(dir / "labels", idx_labels({3, 0, 7, 3}));
  auto set = read_idx(dir / "images", dir / "labels");
  EXPECT_TRUE(test::same_tensor(set.labels, torch::tensor({3, 0, 7, 3}, torch::kLong)));
  EXPECT_EQ(set.num_classes, 8);
  EXPECT_FALSE(read_idx(dir / "images", {}).labels.defined());
}

TEST(Idx, MissingFile) {
  TempDir dir;
  const auto path = (dir / "nothing-here").string();
  EXPECT_TRUE(fails_with([&] { read_idx_images(path); }, {path, "no such file"}));
}

TEST(Idx, WrongMagic) {
  TempDir dir;
  write_file(dir / "labels", idx_labels({1, 2}));
  write_file(dir / "images", idx_images(1, 2, 2));
  const auto labels = (dir / "labels").string(), images = (dir / "images").string();
  EXPECT_TRUE(fails_with([&] { read_idx_images(labels); },
                         {labels + ": not an IDX image file (magic 0x00000801)"}));
  EXPECT_TRUE(fails_with([&] { read_idx_labels(images); }, {images, "not an IDX label file"}));
  write_file(dir / "tiny", "ab");
  EXPECT_TRUE(
      fails_with([&] { read_idx_images(dir / "tiny"); }, {"tiny", "not an IDX image file"}));
}

TEST(Idx, TruncatedHeaderAndData) {
  TempDir dir;
  write_file(dir / "short", truncated_images(60000, 28, 28, 1234));
  const auto path = (dir / "short").string();
  EXPECT_TRUE(fails_with([&] { read_idx_images(path); },
                         {path + ": truncated: header says 60000 images of 28x28, file holds 1234 "
                                 "bytes of data"}));
  write_file(dir / "header", idx_images(1, 2, 2).substr(0, 10));
  EXPECT_TRUE(fails_with([&] { read_idx_images(dir / "header"); }, {"header", "truncated"}));
  write_gz(dir / "labels.gz", idx_labels({1, 2, 3}).substr(0, 9));
  EXPECT_TRUE(fails_with([&] { read_idx_labels(dir / "labels.gz"); },
                         {"labels.gz", "header says 3 labels, file holds 1 bytes"}));
}

TEST(Idx, LabelCountMustMatch) {
  TempDir dir;
  write_file(dir / "images", idx_images(4, 2, 2));
  write_file(dir / "labels", idx_labels({1, 2, 3}));
  EXPECT_TRUE(fails_with([&] { read_idx(dir / "images", dir / "labels"); },
                         {(dir / "labels").string(), "3 labels", "4 images"}));
}

// Probe 2: a header of 0 rows or 0 columns divided by zero (SIGFPE) when fitted, or with
// data.fit = pad trained on blank images.
TEST(Idx, HeaderWithoutPixelsIsRefused) {
  TempDir dir;
  for (auto [n, rows, cols] : {std::tuple{5u, 0u, 28u}, {5u, 28u, 0u}, {0u, 28u, 28u}}) {
    write_file(dir / "empty", truncated_images(n, rows, cols, 0));
    EXPECT_TRUE(fails_with([&] { read_idx_images(dir / "empty"); }, {"empty", "holds no pixels"}));
  }
  write_file(dir / "huge", truncated_images(4000000000u, 100000, 100000, 16));
  EXPECT_TRUE(fails_with([&] { read_idx_images(dir / "huge"); }, {"huge", "implausible IDX header"}));
}

}  // namespace
}  // namespace gankit::data
