// `gankit classifier train|eval` as users drive it: a tiny real training end to end, the JSON of
// eval, and one clear line for every promised error.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gankit/data/registry.h"
#include "gankit/io/image.h"
#include "gankit/models/domain_classifier_file.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::expect_one_line_error;
using gankit::test::run_cli;
using gankit::test::TempDir;

/// Fashion-MNIST's 10,000 test images as one IDX set, the last 2,000 held out, at 16x16.
std::string tiny_data_args() {
  gankit::data::DataOptions fashion;
  fashion.name = "fashion-mnist";
  const auto images = fs::path(gankit::data::default_data_path(fashion)) / "t10k-images-idx3-ubyte";
  return " --data idx --set data.path=" + images.string() +
         " --set data.holdout=2000 --set data.image_size=16 --width 8 --feature-dim 16 --batch-size 64 "
         "--threads 1";
}

/// The files in `dir`, by name.
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ClassifierCli, TrainsThenEvaluatesAsJson) {
  TempDir dir;
  const auto trained =
      run_cli("classifier train" + tiny_data_args() + " --steps 40 --log-every 20 -o out/c.pt", dir.path());
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_EQ(gankit::test::count_lines(trained.out), 1) << trained.out;  // the summary
  EXPECT_NE(trained.out.find("classifier out/c.pt: idx 1x16x16, 10 classes; test accuracy"),
            std::string::npos)
      << trained.out;
  EXPECT_NE(trained.err.find("step 20/40"), std::string::npos) << trained.err;  // progress on stderr
  ASSERT_EQ(files_in(dir / "out"), std::vector<std::string>{"c.pt"});
  const auto stored = gankit::models::load_domain_classifier(dir / "out/c.pt").info;
  EXPECT_EQ(stored.steps, 40);
  EXPECT_EQ(stored.test_images, 2000);

  // eval reads the data set the file names, and measures what training measured.
  const auto own = run_cli("classifier eval out/c.pt --threads 1", dir.path());
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_EQ(gankit::test::count_lines(own.out), 1) << own.out;
  const auto json = nlohmann::json::parse(own.out);
  EXPECT_EQ(json.at("n"), 2000);
  EXPECT_EQ(json.at("data"), "idx");
  EXPECT_DOUBLE_EQ(json.at("accuracy").get<double>(), stored.test_accuracy);

  // --data picks another set (here Fashion-MNIST's own test split, brought to 16x16), a config
  // name its [data] section.
  for (const char* data : {"fashion-mnist", "dcgan-fashion-mnist"}) {
    const auto other =
        run_cli(std::string("classifier eval out/c.pt --threads 1 --data ") + data, dir.path());
    ASSERT_EQ(other.exit_code, 0) << other.err;
    const auto result = nlohmann::json::parse(other.out);
    EXPECT_EQ(result.at("n"), 10000) << data;
    EXPECT_EQ(result.at("data"), "fashion-mnist") << data;
    EXPECT_GT(result.at("accuracy").get<double>(), 0.3) << data;  // the same images, mostly: far above chance
  }
}

TEST(ClassifierCli, TrainErrorsAreOneLineAndLeaveNoFile) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    gankit::io::write_png(dir / fmt::format("flat/img{}.png", i),
                          torch::full({1, 16, 16}, 50 * i, torch::kUInt8));
  }
  fs::create_directories(dir / "folder");
  const std::string train = "classifier train --steps 2 --batch-size 2 --threads 1 ";
  expect_one_line_error(run_cli(train + "--data imagenet -o c.pt", dir.path()),
                        "--data imagenet: neither a data set");
  expect_one_line_error(run_cli(train + "--data image-folder --set data.path=flat -o c.pt", dir.path()),
                        "has no labels; a classifier needs labelled images");
  expect_one_line_error(run_cli(train + "--data fashion-mnist --set train.steps=3 -o c.pt", dir.path()),
                        "--set train.steps=3: only data.* keys apply to a classifier");
  expect_one_line_error(run_cli(train + "--data fashion-mnist --set data.imagesize=3 -o c.pt", dir.path()),
                        "data.imagesize");
  expect_one_line_error(run_cli(train + "--data fashion-mnist -o folder", dir.path()),
                        "folder: is a folder; -o names the classifier file to write");
  expect_one_line_error(run_cli(train + "--data fashion-mnist -o /proc/c.pt", dir.path()),
                        "/proc/c.pt: cannot write into /proc");  // before training, not after
  expect_one_line_error(run_cli(train + "--data fashion-mnist", dir.path()), "--out is required");
  EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{".cli.err", ".cli.out", "flat", "folder"}));
  EXPECT_TRUE(fs::is_empty(dir / "folder"));
}

TEST(ClassifierCli, EvalErrorsAreOneLine) {
  TempDir dir;
  gankit::test::write_file(dir / "garbage.pt", "not a classifier");
  const auto run = gankit::test::train_quietly(gankit::test::tiny_config(1), dir / "run");
  expect_one_line_error(run_cli("classifier eval missing.pt", dir.path()),
                        "missing.pt: no such classifier file");
  expect_one_line_error(run_cli("classifier eval garbage.pt", dir.path()),
                        "garbage.pt: not a gankit classifier file");
  expect_one_line_error(run_cli("classifier eval run/checkpoints/latest.pt", dir.path()),
                        "latest.pt: is a GAN checkpoint (kind 'adversarial'), not a classifier file");
  expect_one_line_error(run_cli("classifier", dir.path()), "subcommand");
}

}  // namespace
