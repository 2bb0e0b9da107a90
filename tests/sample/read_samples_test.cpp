// read_samples: images from gankit or any other tool, as .npy or a folder, back to uint8
// [N,C,H,W]; and every way a file can be wrong.
#include <gtest/gtest.h>

#include <cmath>

#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "gankit/sample/sampler.h"
#include "support/test_support.h"

namespace gankit::sample {
namespace {

namespace fs = std::filesystem;
using test::fails_with;
using test::TempDir;

torch::Tensor some_images(int64_t n, int64_t c, int64_t s) {
  return torch::arange(n * c * s * s, torch::kLong).remainder(251).to(torch::kUInt8).reshape({n, c, s, s});
}

TEST(ReadSamples, RoundTripsWhatWriteSamplesWrites) {
  TempDir dir;
  Samples samples{some_images(6, 3, 8), torch::arange(6, torch::kLong).remainder(3)};
  write_samples(dir / "s.npy", samples);
  write_samples(dir / "folder", samples);
  for (const auto& path : {dir / "s.npy", dir / "folder"}) {
    const auto back = read_samples(path);
    EXPECT_TRUE(torch::equal(back.images, samples.images)) << path;
    ASSERT_TRUE(back.labels.defined()) << path;
    EXPECT_TRUE(torch::equal(back.labels, samples.labels)) << path;
  }
}

TEST(ReadSamples, AcceptsGreyChannelsFirstAndFloatArrays) {
  TempDir dir;
  const auto grey = some_images(4, 1, 5);
  io::write_npy(dir / "nhw.npy", grey.squeeze(1).contiguous());
  io::write_npy(dir / "nchw.npy", some_images(4, 3, 6));
  io::write_npy(dir / "float.npy", grey.permute({0, 2, 3, 1}).to(torch::kFloat).div(255).contiguous());
  EXPECT_TRUE(torch::equal(read_samples(dir / "nhw.npy").images, grey));
  EXPECT_TRUE(torch::equal(read_samples(dir / "nchw.npy").images, some_images(4, 3, 6)));
  EXPECT_TRUE(torch::equal(read_samples(dir / "float.npy").images, grey));
  EXPECT_FALSE(read_samples(dir / "nhw.npy").labels.defined());
}

TEST(ReadSamples, BadInputIsAClearError) {
  TempDir dir;
  io::write_npy(dir / "big.npy", torch::full({2, 4, 4, 3}, 1.5f));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "big.npy"); }, {"big.npy", "values in [0,1]", "1.5"}));
  io::write_npy(dir / "c5.npy", torch::zeros({2, 5, 4, 4}, torch::kUInt8));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "c5.npy"); }, {"c5.npy", "neither 1 nor 3 channels"}));
  io::write_npy(dir / "flat.npy", torch::zeros({7}, torch::kUInt8));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "flat.npy"); }, {"flat.npy", "got shape [7]"}));
  io::write_npy(dir / "ints.npy", torch::zeros({2, 4, 4}, torch::kLong));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "ints.npy"); }, {"ints.npy", "uint8 or float32"}));
  io::write_npy(dir / "l.npy", torch::zeros({3, 4, 4}, torch::kUInt8));
  io::write_npy(dir / "l.labels.npy", torch::zeros({2}, torch::kLong));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "l.npy"); }, {"l.labels.npy", "expected 3 labels"}));
  // Label values: a cast to long would hide these as wrong classes (or, for CAS, a raw library error).
  io::write_npy(dir / "l.labels.npy", torch::tensor({0L, -3L, 1L}));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "l.npy"); }, {"l.labels.npy", "label -3 (row 1) is negative"}));
  io::write_npy(dir / "l.labels.npy", torch::tensor({0.0f, 1.0f, 2.5f}));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "l.npy"); }, {"l.labels.npy", "label 2.5 (row 2)", "whole number"}));
  io::write_npy(dir / "l.labels.npy", torch::tensor({0.0f, NAN, 1.0f}));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "l.npy"); }, {"l.labels.npy", "(row 1) is not a whole number"}));
  io::write_npy(dir / "l.labels.npy", torch::tensor({2.0, 0.0, 1.0}));
  EXPECT_TRUE(torch::equal(read_samples(dir / "l.npy").labels, torch::tensor({2L, 0L, 1L})));
  test::write_file(dir / "x.png.txt", "text");
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "x.png.txt"); }, {"x.png.txt", ".npy file or a folder"}));
  fs::create_directories(dir / "empty");
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "empty"); }, {"empty", "no PNG/JPEG/BMP images"}));
  fs::create_directories(dir / "mixed");
  io::write_png(dir / "mixed" / "a.png", some_images(1, 3, 8)[0]);
  io::write_png(dir / "mixed" / "b.png", some_images(1, 3, 9)[0]);
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "mixed"); }, {"b.png", "one size"}));
  EXPECT_TRUE(fails_with([&] { read_samples(dir / "missing.npy"); }, {"missing.npy"}));
}

}  // namespace
}  // namespace gankit::sample
