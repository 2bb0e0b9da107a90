// JPEG decoding through libjpeg-turbo: the pixels Pillow decodes (fixtures of
// tests/data/make_fixtures_jpeg.py), and the files it refuses instead of guessing.
#include "gankit/io/jpeg_decoder.h"

#include <gtest/gtest.h>

#include <fstream>

#include "gankit/error.h"
#include "gankit/io/image.h"
#include "support/test_support.h"

namespace gankit::io {
namespace {

namespace fs = std::filesystem;

const fs::path kJpeg = fs::path(GANKIT_TEST_DATA_DIR) / "jpeg";


std::string error_of(const std::string& bytes) {
  try {
    decode_image(bytes, "x.jpg");
  } catch (const Error& error) {
    return error.what();
  }
  return "(decoded)";
}

TEST(JpegDecoder, MatchesPillowPixelForPixel) {
  for (const char* name : {"rgb", "gray", "progressive", "subsampled", "cmyk"}) {
    const auto decoded = read_image(kJpeg / (std::string(name) + ".jpg"));
    const auto pillow = read_image(kJpeg / (std::string(name) + ".png"));
    EXPECT_TRUE(test::same_tensor(decoded, pillow)) << name;
  }
}

TEST(JpegDecoder, ChannelsComeFromTheHeader) {
  EXPECT_EQ(image_channels(kJpeg / "gray.jpg"), 1);
  EXPECT_EQ(image_channels(kJpeg / "rgb.jpg"), 3);
  EXPECT_EQ(image_channels(kJpeg / "cmyk.jpg"), 3);
  JpegHeader header;
  std::string reason;
  ASSERT_TRUE(read_jpeg_header(test::slurp(kJpeg / "cmyk.jpg"), header, reason)) << reason;
  EXPECT_EQ(header.width, 40);
  EXPECT_EQ(header.height, 24);
}

TEST(JpegDecoder, RefusesAFileThatEndsBeforeItsLastRow) {
  const auto whole = test::slurp(kJpeg / "rgb.jpg");
  EXPECT_NE(error_of(whole.substr(0, whole.size() * 2 / 3)).find("x.jpg: cannot read image (Premature end of JPEG file)"),
            std::string::npos);
  // Cut inside the header: one line too, with libjpeg's reason.
  EXPECT_NE(error_of(whole.substr(0, 40)).find("x.jpg: cannot read image ("), std::string::npos);
}

TEST(JpegDecoder, RefusesAProgressiveFileOfTooManyScans) {
  // The last scan repeated: libjpeg only warns of the odd progression, and would decode every copy.
  const auto whole = test::slurp(kJpeg / "progressive.jpg");
  const auto last_scan = whole.rfind("\xFF\xDA");
  const auto end = whole.rfind("\xFF\xD9");
  ASSERT_NE(last_scan, std::string::npos);
  ASSERT_GT(end, last_scan);
  std::string many = whole.substr(0, last_scan);
  for (int i = 0; i <= kMaxJpegScans; ++i) many += whole.substr(last_scan, end - last_scan);
  many += "\xFF\xD9";
  EXPECT_NE(error_of(many).find(fmt::format("a progressive JPEG of more than {} scans", kMaxJpegScans)),
            std::string::npos)
      << error_of(many);
}

TEST(JpegDecoder, RefusesTooManyPixelsBeforeDecoding) {
  const auto old = max_image_pixels();
  set_max_image_pixels(28 * 28 - 1);
  const auto message = error_of(test::slurp(kJpeg / "rgb.jpg"));
  set_max_image_pixels(old);
  EXPECT_NE(message.find("x.jpg: image is 28x28 (784 pixels), more than the limit of 783"), std::string::npos)
      << message;
}

TEST(JpegDecoder, ABadHuffmanTableIsOneLine) {
  const fs::path crashes = fs::path(GANKIT_TEST_DATA_DIR).parent_path() / "fuzz/crashes/image";
  EXPECT_NE(error_of(test::slurp(crashes / "jpeg_dht_over_256_codes.jpg")).find("x.jpg: cannot read image (Bogus Huffman table"),
            std::string::npos)
      << error_of(test::slurp(crashes / "jpeg_dht_over_256_codes.jpg"));
}

}  // namespace
}  // namespace gankit::io
