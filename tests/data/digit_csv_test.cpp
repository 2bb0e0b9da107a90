#include "gankit/data/digit_csv.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gankit::data {
namespace {

using test::fails_with;
using test::TempDir;
using test::write_file;

std::string header(bool labelled) {
  std::string line = labelled ? "label" : "";
  for (int i = 0; i < 784; ++i) line += fmt::format("{}pixel{}", line.empty() ? "" : ",", i);
  return line + "\n";
}

// Row i: pixel p = (i + p) % 256.
std::string row(int64_t i, int64_t label = -1) {
  std::string line = label >= 0 ? std::to_string(label) : "";
  for (int64_t p = 0; p < 784; ++p)
    line += fmt::format("{}{}", line.empty() ? "" : ",", (i + p) % 256);
  return line + "\r\n";  // Windows line ends are common in Kaggle downloads
}

TEST(DigitCsv, ReadsLabelledRows) {
  TempDir dir;
  write_file(dir / "train.csv", header(true) + row(0, 4) + row(1, 9) + row(2, 0) + "\n");
  auto set = read_digit_csv(dir / "train.csv");
  ASSERT_EQ(set.images.sizes(), (std::vector<int64_t>{3, 1, 28, 28}));
  EXPECT_TRUE(test::same_tensor(set.labels, torch::tensor({4, 9, 0}, torch::kLong)));
  EXPECT_EQ(set.num_classes, 10);
  auto expected = (torch::arange(784).view({1, 28, 28}) + 2).remainder(256).to(torch::kUInt8);
  EXPECT_TRUE(test::same_tensor(set.images[2], expected));
}

TEST(DigitCsv, ReadsUnlabelledRows) {
  TempDir dir;
  write_file(dir / "test.csv", header(false) + row(5) + row(6));
  auto set = read_digit_csv(dir / "test.csv");
  EXPECT_EQ(set.images.size(0), 2);
  EXPECT_FALSE(set.labels.defined());
  EXPECT_EQ(set.images[1][0][0][0].item<int>(), 6);
}

TEST(DigitCsv, WrongColumnCount) {
  TempDir dir;
  write_file(dir / "bad.csv", header(true) + row(0, 1) + "1,2,3,4,5,6,7,8,9,10,11,12\n");
  const auto path = (dir / "bad.csv").string();
  EXPECT_TRUE(
      fails_with([&] { read_digit_csv(path); }, {path + ":3: expected 785 columns, found 12"}));
}

TEST(DigitCsv, BadPixelsAndLabels) {
  TempDir dir;
  std::string too_big = row(0, 1);
  too_big.replace(too_big.find(",0,") + 1, 1, "256");  // some pixel set to 256
  write_file(dir / "big.csv", header(true) + too_big);
  EXPECT_TRUE(fails_with([&] { read_digit_csv(dir / "big.csv"); }, {"big.csv:2:", "'256'"}));
  std::string word = row(0, 1);
  word.replace(word.find(",5,") + 1, 1, "x5");
  write_file(dir / "word.csv", header(true) + row(1, 1) + word);
  EXPECT_TRUE(fails_with([&] { read_digit_csv(dir / "word.csv"); }, {"word.csv:3:", "'x5'"}));
  write_file(dir / "label.csv", header(true) + row(0, 1).replace(0, 1, "-1"));
  EXPECT_TRUE(
      fails_with([&] { read_digit_csv(dir / "label.csv"); }, {"label.csv:2:", "label '-1'"}));
}

TEST(DigitCsv, EmptyAndMissingFiles) {
  TempDir dir;
  write_file(dir / "empty.csv", "");
  EXPECT_TRUE(fails_with([&] { read_digit_csv(dir / "empty.csv"); }, {"empty.csv", "empty"}));
  EXPECT_TRUE(fails_with([&] { read_digit_csv(dir / "none.csv"); }, {"none.csv", "no such file"}));
}

// Probe 21: a file without a header line lost its first image (it was taken for the header).
TEST(DigitCsv, FirstLineOfNumbersIsAnImageNotAHeader) {
  TempDir dir;
  write_file(dir / "labelled.csv", row(0, 3) + row(1, 7));
  auto labelled = read_digit_csv(dir / "labelled.csv");
  EXPECT_EQ(labelled.images.size(0), 2);
  EXPECT_TRUE(test::same_tensor(labelled.labels, torch::tensor({3, 7}, torch::kLong)));
  write_file(dir / "plain.csv", row(4) + row(5) + row(6));
  auto plain = read_digit_csv(dir / "plain.csv");
  EXPECT_EQ(plain.images.size(0), 3);
  EXPECT_FALSE(plain.labels.defined());
  EXPECT_EQ(plain.images[0][0][0][0].item<int>(), 4);
}

// Probe 14: one label of 10000 made a conditional GAN of 10,001 classes (a 3 GB embedding).
TEST(DigitCsv, LabelBeyondTheClassLimitNamesItsRow) {
  TempDir dir;
  write_file(dir / "big.csv", header(true) + row(0, 1) + row(1, 10000));
  EXPECT_TRUE(fails_with([&] { read_digit_csv(dir / "big.csv"); }, {"big.csv:3:", "label 10000", "1000 classes"}));
  write_file(dir / "header-only.csv", header(true));
  EXPECT_TRUE(fails_with([&] { read_digit_csv(dir / "header-only.csv"); }, {"header-only.csv", "no images"}));
}

}  // namespace
}  // namespace gankit::data
