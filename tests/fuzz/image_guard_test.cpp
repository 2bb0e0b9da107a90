// The checks io::decode_image makes before a decoder sees the bytes (found by fuzzing): they refuse
// the inputs that broke stb_image 2.27, and no real image. JPEGs go to libjpeg-turbo (jpeg_decoder_test).
#include <gtest/gtest.h>

#include <string>

#include <zlib.h>

#include "gankit/error.h"
#include "gankit/io/image.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;

const fs::path kFuzz = fs::path(GANKIT_TEST_DATA_DIR).parent_path() / "fuzz";


void expect_refused(const fs::path& path, const std::string& reason) {
  try {
    gankit::io::decode_image(gankit::test::slurp(path), "x");
    ADD_FAILURE() << path << " decoded";
  } catch (const gankit::Error& error) {
    EXPECT_NE(std::string(error.what()).find(reason), std::string::npos) << error.what();
  }
}

TEST(ImageGuard, RefusesTheJpegsThatBrokeStb) {
  expect_refused(kFuzz / "crashes/image/jpeg_dht_over_256_codes.jpg", "Bogus Huffman table");
  // 0xFF fill bytes before SOI: stb took them, libjpeg and gankit do not.
  expect_refused(kFuzz / "crashes/image/jpeg_dht_after_fill_bytes.jpg", "not a PNG, JPEG, BMP or GIF file");
  // stb 2.27's progressive decoder shifted by 32 on a Huffman table the file never defined.
  expect_refused(kFuzz / "crashes/image/jpeg_progressive_undefined_huffman_shift.jpg", "cannot read image (");
}

TEST(ImageGuard, RefusesAPngChunkLongerThanTheFile) {
  expect_refused(kFuzz / "crashes/image_png/idat_length_2gb.png", "a chunk of");
}

// stb 2.27 copied an empty first IDAT chunk into a buffer it had not allocated (UBSan, fuzz
// target image): empty IDAT chunks are dropped before stb reads the file, and the image is the same.
TEST(ImageGuard, AnEmptyIdatChunkIsDroppedAndTheImageKept) {
  const auto png = gankit::test::slurp(kFuzz / "seeds/image/rgb.png");
  const auto first_data = png.find("IDAT") - 4;  // its length field
  std::string empty_chunk("\0\0\0\0IDAT", 8);
  const uint32_t crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>("IDAT"), 4));
  for (int shift = 24; shift >= 0; shift -= 8) empty_chunk += static_cast<char>((crc >> shift) & 0xFF);
  const auto with_empty = png.substr(0, first_data) + empty_chunk + empty_chunk + png.substr(first_data);
  const auto expected = gankit::io::decode_image(png, "rgb.png");
  EXPECT_TRUE(gankit::test::same_tensor(gankit::io::decode_image(with_empty, "with_empty.png"), expected));
}

TEST(ImageGuard, RefusesFormatsGankitDoesNotRead) {
  // stb would decode these; its PNM, TGA, PSD, PIC and HDR decoders are not for hostile files.
  expect_refused(kFuzz / "seeds/image/rgb.tga", "not a PNG, JPEG, BMP or GIF file");
  expect_refused(kFuzz / "seeds/image/rgb.ppm", "not a PNG, JPEG, BMP or GIF file");
  expect_refused(kFuzz / "crashes/image/pnm_header_int_overflow.pnm", "not a PNG, JPEG, BMP or GIF file");
}

TEST(ImageGuard, EveryRealImageSeedStillDecodes) {
  int decoded = 0;
  for (const auto& entry : fs::directory_iterator(kFuzz / "seeds/image")) {
    const auto ext = entry.path().extension().string();
    if (ext != ".png" && ext != ".jpg" && ext != ".bmp" && ext != ".gif") continue;
    EXPECT_NO_THROW(gankit::io::decode_image(gankit::test::slurp(entry.path()), entry.path().string())) << entry.path();
    ++decoded;
  }
  EXPECT_GT(decoded, 10);
}

}  // namespace
