#include "gankit/data/cifar10.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gankit::data {
namespace {

using test::fails_with;
using test::TempDir;
using test::write_file;

// Record `i`: label i % 10, channel c pixel (y, x) = (i + 3c + 5y + x) % 256.
uint8_t value(int64_t i, int64_t c, int64_t y, int64_t x) {
  return static_cast<uint8_t>((i + 3 * c + 5 * y + x) % 256);
}

std::string cifar_records(int64_t first, int64_t count) {
  std::string bytes;
  for (int64_t i = first; i < first + count; ++i) {
    bytes += static_cast<char>(i % 10);
    for (int64_t c = 0; c < 3; ++c) {  // R plane, then G, then B
      for (int64_t y = 0; y < 32; ++y) {
        for (int64_t x = 0; x < 32; ++x) bytes += static_cast<char>(value(i, c, y, x));
      }
    }
  }
  return bytes;
}

void expect_records(const ImageSet& set, int64_t first, int64_t count) {
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{count, 3, 32, 32}));
  EXPECT_EQ(set.num_classes, 10);
  auto a = set.images.accessor<uint8_t, 4>();
  for (int64_t n = 0; n < count; ++n) {
    EXPECT_EQ(set.labels[n].item<int64_t>(), (first + n) % 10);
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t y = 0; y < 32; y += 7) {
        for (int64_t x = 0; x < 32; x += 5) ASSERT_EQ(a[n][c][y][x], value(first + n, c, y, x));
      }
    }
  }
}

TEST(Cifar10, ReadsOneBatchFilePlanesAsChw) {
  TempDir dir;
  write_file(dir / "data_batch_1.bin", cifar_records(0, 3));
  ASSERT_TRUE(is_cifar10_binary(dir / "data_batch_1.bin"));
  expect_records(read_cifar10_binary(dir / "data_batch_1.bin", "train"), 0, 3);
}

TEST(Cifar10, ReadsTheSplitsOfABinaryFolder) {
  TempDir dir;
  const auto folder = dir / "cifar-10-batches-bin";  // the official archive's layout
  for (int b = 1; b <= 5; ++b) {
    write_file(folder / fmt::format("data_batch_{}.bin", b), cifar_records(2 * (b - 1), 2));
  }
  write_file(folder / "test_batch.bin", cifar_records(100, 1));
  ASSERT_TRUE(is_cifar10_binary(dir.path()));
  expect_records(read_cifar10_binary(dir.path(), "train"), 0, 10);
  expect_records(read_cifar10_binary(dir.path(), "test"), 100, 1);
}

TEST(Cifar10, MissingBatchIsNamed) {
  TempDir dir;
  write_file(dir / "data_batch_1.bin", cifar_records(0, 1));
  EXPECT_TRUE(fails_with([&] { read_cifar10_binary(dir.path(), "train"); },
                         {(dir / "data_batch_2.bin").string(), "missing"}));
}

TEST(Cifar10, PartialRecordIsAnError) {
  TempDir dir;
  write_file(dir / "test_batch.bin", cifar_records(0, 2).substr(0, 3073 + 100));
  const auto path = (dir / "test_batch.bin").string();
  EXPECT_TRUE(
      fails_with([&] { read_cifar10_binary(dir.path(), "test"); }, {path, "3173 bytes", "3073"}));
}

TEST(Cifar10, ImageLayoutRoot) {
  TempDir dir;
  std::filesystem::create_directories(dir / "train" / "cat");
  std::filesystem::create_directories(dir / "test" / "cat");
  EXPECT_FALSE(is_cifar10_binary(dir.path()));
  EXPECT_EQ(cifar10_image_root(dir.path(), "test"), dir / "test");
  EXPECT_EQ(cifar10_image_root(dir / "train", "test"), dir / "train");  // class folders directly
}

}  // namespace
}  // namespace gankit::data
