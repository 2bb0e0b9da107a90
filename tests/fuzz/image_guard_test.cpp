// The checks io::decode_image makes before stb_image 2.27 sees the bytes (found by fuzzing): they
// refuse the inputs that broke stb, and no real image.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "gankit/error.h"
#include "gankit/io/image.h"

namespace {

namespace fs = std::filesystem;

const fs::path kFuzz = fs::path(GANKIT_TEST_DATA_DIR).parent_path() / "fuzz";

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_refused(const fs::path& path, const std::string& reason) {
  try {
    gankit::io::decode_image(read_bytes(path), "x");
    ADD_FAILURE() << path << " decoded";
  } catch (const gankit::Error& error) {
    EXPECT_NE(std::string(error.what()).find(reason), std::string::npos) << error.what();
  }
}

TEST(ImageGuard, RefusesAJpegHuffmanTableOfMoreThan256Codes) {
  expect_refused(kFuzz / "crashes/image/jpeg_dht_over_256_codes.jpg", "Huffman table of");
  expect_refused(kFuzz / "crashes/image/jpeg_dht_after_fill_bytes.jpg", "Huffman table of");  // 0xFF... before SOI
}

TEST(ImageGuard, RefusesAPngChunkLongerThanTheFile) {
  expect_refused(kFuzz / "crashes/image_png/idat_length_2gb.png", "a chunk of");
}

TEST(ImageGuard, EveryRealImageSeedStillDecodes) {
  int decoded = 0;
  for (const auto& entry : fs::directory_iterator(kFuzz / "seeds/image")) {
    const auto ext = entry.path().extension().string();
    if (ext != ".png" && ext != ".jpg" && ext != ".bmp" && ext != ".gif") continue;
    EXPECT_NO_THROW(gankit::io::decode_image(read_bytes(entry.path()), entry.path().string())) << entry.path();
    ++decoded;
  }
  EXPECT_GT(decoded, 10);
}

}  // namespace
