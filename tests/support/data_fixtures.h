// Tiny data-set files written by tests: IDX (raw or gzip) and PNG folders with known pixels.
#pragma once
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gankit/io/image.h"

namespace gankit::test {

inline std::string big_endian(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

/// The pixel at (image i, row r, column c) of idx_images().
inline uint8_t idx_pixel(int64_t i, int64_t r, int64_t c) {
  return static_cast<uint8_t>((i * 31 + r * 7 + c) % 256);
}

/// An IDX image file's bytes: n images of rows x cols with idx_pixel values.
inline std::string idx_images(uint32_t n, uint32_t rows, uint32_t cols) {
  std::string bytes = big_endian(0x00000803) + big_endian(n) + big_endian(rows) + big_endian(cols);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) bytes += static_cast<char>(idx_pixel(i, r, c));
    }
  }
  return bytes;
}

/// An IDX label file's bytes.
inline std::string idx_labels(const std::vector<uint8_t>& labels) {
  std::string bytes = big_endian(0x00000801) + big_endian(static_cast<uint32_t>(labels.size()));
  for (auto label : labels) bytes += static_cast<char>(label);
  return bytes;
}

/// Writes `bytes` gzip-compressed.
inline void write_gz(const std::filesystem::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(file);
}

/// A class-folder data set of `count` RGB PNGs of side x side: image i goes to class i % classes
/// as root/class<k>/img<i>.png, channel 0 = 5 * i (its identity), channel 1 = 60 * class (classes
/// <= 5), channel 2 a horizontal ramp (so flips show).
inline void write_png_classes(const std::filesystem::path& root, int64_t count, int64_t classes,
                              int64_t side) {
  for (int64_t i = 0; i < count; ++i) {
    auto image = torch::empty({3, side, side}, torch::kUInt8);
    image[0].fill_(5 * i);
    image[1].fill_(60 * (i % classes));
    image[2].copy_((torch::arange(side) * 10).expand({side, side}));
    const auto folder = root / fmt::format("class{}", i % classes);
    std::filesystem::create_directories(folder);
    io::write_png(folder / fmt::format("img{:03}.png", i), image);
  }
}

}  // namespace gankit::test
