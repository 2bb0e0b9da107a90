#include "gankit/data/image_folder.h"

#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <cstdlib>

#include "gankit/data/cifar10.h"
#include "gankit/io/image.h"
#include "support/data_fixtures.h"
#include "support/test_support.h"

namespace gankit::data {
namespace {

namespace fs = std::filesystem;
using test::fails_with;
using test::same_tensor;
using test::TempDir;
using test::write_file;

torch::Tensor gray(int64_t height, int64_t width, int value) {
  return torch::full({1, height, width}, value, torch::kUInt8);
}

TEST(ImageFolder, ClassFoldersGiveSortedLabels) {
  TempDir dir;
  io::write_png(dir / "zebra" / "b.png", gray(4, 4, 1));
  io::write_png(dir / "zebra" / "a.PNG", gray(4, 4, 2));  // extensions in any case
  io::write_png(dir / "ant" / "deeper" / "c.png", gray(4, 4, 3));
  write_file(dir / "ant" / "notes.txt", "not an image");
  fs::create_directories(dir / ".hidden");
  auto folder = scan_image_folder(dir.path());
  EXPECT_EQ(folder.class_names, (std::vector<std::string>{"ant", "zebra"}));
  EXPECT_EQ(folder.labels, (std::vector<int64_t>{0, 1, 1}));
  ASSERT_EQ(folder.files.size(), 3u);
  EXPECT_EQ(folder.files[1].filename(), "a.PNG");

  auto set = decode_image_folder(folder, resolve_fit_spec(folder, {}), 2);
  EXPECT_TRUE(
      same_tensor(set.images.flatten(1).select(1, 0), torch::tensor({3, 2, 1}, torch::kUInt8)));
  EXPECT_TRUE(same_tensor(set.labels, torch::tensor({0, 1, 1}, torch::kLong)));
  EXPECT_EQ(set.num_classes, 2);
}

TEST(ImageFolder, FlatFolderIsUnlabelledAndSorted) {
  TempDir dir;
  for (int i : {2, 0, 1}) io::write_png(dir / fmt::format("{}.png", i), gray(3, 3, 10 * i));
  auto rgb = torch::full({3, 3, 3}, 40, torch::kUInt8);
  ASSERT_TRUE(stbi_write_bmp((dir / "3.BMP").c_str(), 3, 3, 3,
                             rgb.permute({1, 2, 0}).contiguous().data_ptr<uint8_t>()));
  fs::create_directories(dir / "ignored-subfolder");
  io::write_png(dir / "ignored-subfolder" / "x.png", gray(3, 3, 99));
  auto folder = scan_image_folder(dir.path());
  EXPECT_TRUE(folder.labels.empty());
  EXPECT_TRUE(folder.class_names.empty());
  auto set = decode_image_folder(folder, resolve_fit_spec(folder, {}), 1);
  EXPECT_FALSE(set.labels.defined());
  // Probe 21: the first image decided the channels, so a colour set whose first file is gray
  // trained in gray. Any colour file (here the BMP) now makes the set colour; the gray ones are
  // replicated.
  EXPECT_EQ(set.images.size(1), 3);
  EXPECT_TRUE(same_tensor(set.images.flatten(1).select(1, 0),
                          torch::tensor({0, 10, 20, 40}, torch::kUInt8)));
}

TEST(ImageFolder, NoImages) {
  TempDir dir;
  const auto message = dir.path().string() + ": no images found (looked for .png .jpg .jpeg .bmp)";
  EXPECT_TRUE(fails_with([&] { scan_image_folder(dir.path()); }, {message}));
  write_file(dir / "readme.txt", "hi");
  fs::create_directories(dir / "empty-class");
  EXPECT_TRUE(fails_with([&] { scan_image_folder(dir.path()); }, {message}));
  EXPECT_TRUE(
      fails_with([&] { scan_image_folder(dir / "readme.txt"); }, {"readme.txt", "not a folder"}));
}

TEST(ImageFolder, UnreadableImageIsNamed) {
  TempDir dir;
  io::write_png(dir / "a.png", gray(4, 4, 0));
  io::write_png(dir / "b.png", gray(4, 4, 0));
  write_file(dir / "c.png", "this is not a PNG");
  auto folder = scan_image_folder(dir.path());
  // Named as soon as the headers are read (choosing the channels), before any decoding.
  EXPECT_TRUE(fails_with([&] { decode_image_folder(folder, resolve_fit_spec(folder, {}), 3); },
                         {(dir / "c.png").string(), "cannot read image"}));
}

TEST(ImageFolder, MixedSizes) {
  TempDir dir;
  io::write_png(dir / "a.png", gray(32, 32, 10));
  io::write_png(dir / "b.png", gray(40, 30, 20));  // 30 wide, 40 high
  auto folder = scan_image_folder(dir.path());
  const FitSpec none{0, Fit::none, 0};
  const auto resolved = resolve_fit_spec(folder, none);
  EXPECT_EQ(resolved.size, 32);
  EXPECT_TRUE(
      fails_with([&] { decode_image_folder(folder, resolved, 1); },
                 {(dir / "b.png").string() + ": image is 30x40, expected 32x32 like the others "
                                             "(set data.fit to resize, pad or center-crop)"}));
  const auto resize = resolve_fit_spec(folder, {16, Fit::resize, 3});
  auto set = decode_image_folder(folder, resize, 2);
  EXPECT_TRUE(same_tensor(set.images[1], torch::full({3, 16, 16}, 20, torch::kUInt8)));
}

TEST(ImageFolder, FirstImageMustFitAndBeSquareWithoutASize) {
  TempDir dir;
  io::write_png(dir / "a.png", gray(20, 10, 0));
  auto folder = scan_image_folder(dir.path());
  EXPECT_TRUE(fails_with(
      [&] {
        resolve_fit_spec(folder, {0, Fit::resize, 0});
      },
      {"a.png", "10x20", "not square"}));
  EXPECT_TRUE(fails_with(
      [&] {
        resolve_fit_spec(folder, {16, Fit::pad, 0});
      },
      {"a.png", "larger"}));
}

TEST(ImageFolder, WorkersDoNotChangeTheResult) {
  TempDir dir;
  test::write_png_classes(dir.path(), 12, 3, 6);
  auto folder = scan_image_folder(dir.path());
  const auto spec = resolve_fit_spec(folder, {4, Fit::resize, 0});
  EXPECT_TRUE(same_tensor(decode_image_folder(folder, spec, 1).images,
                          decode_image_folder(folder, spec, 4).images));
}

// Real JPEGs from the shared CIFAR-10 archive (a few members only).
TEST(ImageFolder, RealCifarJpegs) {
  const auto archive = test::shared_data_dir() / "cifar10-jpeg.tar.gz";
  if (!fs::exists(archive)) GTEST_SKIP() << archive << " is absent";
  TempDir dir;
  const auto command = fmt::format(
      "tar -xzf '{}' -C '{}' cifar10-jpeg/test/cat/0000.jpg cifar10-jpeg/test/cat/0001.jpg "
      "cifar10-jpeg/test/dog/0000.jpg cifar10-jpeg/train/dog/0000.jpg",
      archive.string(), dir.path().string());
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  auto folder = scan_image_folder(cifar10_image_root(dir / "cifar10-jpeg", "test"));
  EXPECT_EQ(folder.class_names, (std::vector<std::string>{"cat", "dog"}));
  auto set = decode_image_folder(folder, resolve_fit_spec(folder, {}), 2);
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{3, 3, 32, 32}));
  EXPECT_TRUE(same_tensor(set.labels, torch::tensor({0, 0, 1}, torch::kLong)));
  const auto mean = set.images.to(torch::kFloat).mean().item<float>();
  EXPECT_GT(mean, 20);
  EXPECT_LT(mean, 235);
  EXPECT_GT(set.images.to(torch::kFloat).std().item<float>(), 10);
}

}  // namespace
}  // namespace gankit::data
