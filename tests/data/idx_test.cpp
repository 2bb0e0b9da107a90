#include "gankit/data/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "support/test_support.h"

namespace gankit::data {
namespace {

using test::fails_with;
using test::TempDir;
using test::write_file;

std::string big_endian(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

uint8_t pixel(int64_t i, int64_t r, int64_t c) { return static_cast<uint8_t>((i * 31 + r * 7 + c) % 256); }

// An IDX image file of n images, rows x cols, pixel(i, r, c); `data_bytes` cuts the data short.
std::string idx_images(uint32_t n, uint32_t rows, uint32_t cols, int64_t data_bytes = -1) {
  std::string bytes = big_endian(0x00000803) + big_endian(n) + big_endian(rows) + big_endian(cols);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) bytes += static_cast<char>(pixel(i, r, c));
    }
  }
  if (data_bytes >= 0) bytes.resize(16 + data_bytes);
  return bytes;
}

std::string idx_labels(const std::vector<uint8_t>& labels) {
  std::string bytes = big_endian(0x00000801) + big_endian(static_cast<uint32_t>(labels.size()));
  for (auto label : labels) bytes += static_cast<char>(label);
  return bytes;
}

void write_gz(const std::filesystem::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(file);
}

void expect_pixels(const torch::Tensor& images, int64_t n, int64_t rows, int64_t cols) {
  ASSERT_EQ(images.sizes(), (std::vector<int64_t>{n, 1, rows, cols}));
  ASSERT_EQ(images.scalar_type(), torch::kUInt8);
  auto a = images.accessor<uint8_t, 4>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) ASSERT_EQ(a[i][0][r][c], pixel(i, r, c)) << i << "," << r << "," << c;
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
  EXPECT_TRUE(fails_with([&] { read_idx_images(dir / "tiny"); }, {"tiny", "not an IDX image file"}));
}

TEST(Idx, TruncatedHeaderAndData) {
  TempDir dir;
  write_file(dir / "short", idx_images(60000, 28, 28, 1234).substr(0, 16 + 1234));
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

}  // namespace
}  // namespace gankit::data
