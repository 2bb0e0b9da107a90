// pix2pix and inpainting end to end on real data (the sketch pairs, CelebA): training logs the
// held-out metrics next to their baselines, the commands use the checkpoints, and the promised
// errors are one clear line.
#include <gtest/gtest.h>

#include <cmath>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/data/data_options.h"
#include "gankit/data/transforms.h"
#include "gankit/io/image.h"
#include "gankit/models/registry.h"
#include "gankit/report/metrics_log.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using namespace gankit;
using gankit::test::train_quietly;

config::Config shipped(const std::string& name, std::vector<std::string> overrides) {
  auto config = config::Config::from_file(fs::path(GANKIT_CONFIG_DIR) / (name + ".toml"));
  for (const auto& assignment : overrides) config.set(assignment);
  return config;
}

/// The shipped config, shrunk to seconds: width 8, 4 steps, 32x32 (pix2pix) or 16x16 (inpaint).
config::Config tiny(const std::string& name) {
  const bool inpaint = name.rfind("inpaint", 0) == 0;
  return shipped(name, {"model.width=8", "train.steps=4", "train.log_every=2", "train.sample_every=0",
                        "train.eval_every=0", "train.checkpoint_every=0",
                        inpaint ? "data.image_size=16" : "data.image_size=32",
                        inpaint ? "train.batch_size=8" : "data.load_size=36"});
}

nlohmann::json last_record_with(const fs::path& run, const char* key) {
  for (const auto& record : [&] {
         auto records = report::MetricsLog::read(run / "metrics.jsonl");
         std::reverse(records.begin(), records.end());
         return records;
       }()) {
    if (record.contains(key)) return record;
  }
  return {};
}

class ImageToImageConfig : public ::testing::TestWithParam<const char*> {};

TEST_P(ImageToImageConfig, TrainsAndLogsHeldOutMetricsWithBaselines) {
  test::TempDir dir;
  const auto result = train_quietly(tiny(GetParam()), dir.path());
  EXPECT_EQ(result.step, 4);
  const bool inpaint = std::string(GetParam()).rfind("inpaint", 0) == 0;
  const auto record = last_record_with(dir.path(), inpaint ? "hole_psnr" : "l1");
  ASSERT_FALSE(record.is_null());
  const std::vector<const char*> keys =
      inpaint ? std::vector<const char*>{"hole_psnr", "ssim", "hole_l1", "mean_fill_hole_psnr",
                                         "nearest_fill_hole_psnr", "held_out"}
              : std::vector<const char*>{"l1", "ssim", "l1_input", "l1_blank_grey", "held_out"};
  for (const char* key : keys) {
    ASSERT_TRUE(record.contains(key)) << key;
    EXPECT_TRUE(std::isfinite(record[key].get<double>())) << key;
  }
  EXPECT_EQ(record["held_out"].get<double>(), std::string(GetParam()) == "pix2pix-sketch" ? 155 : 500);
  EXPECT_TRUE(fs::exists(dir / "samples/step_000004.png"));
  const auto checkpoint = checkpoint::open_checkpoint(dir / "checkpoints/latest.pt");
  EXPECT_EQ(models::kind_name(checkpoint.header.kind), std::string(inpaint ? "inpaint" : "pix2pix"));
}

INSTANTIATE_TEST_SUITE_P(Issue4Configs, ImageToImageConfig,
                         ::testing::Values("pix2pix-sketch", "pix2pix-edges-celeba", "pix2pix-gray-celeba",
                                           "inpaint-celeba"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

class TrainedPix2pix : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    train_quietly(tiny("pix2pix-sketch"), dir_->path() / "run");
  }
  static void TearDownTestSuite() { delete dir_; }
  static test::CliResult cli(const std::string& args) { return test::run_cli(args, dir_->path()); }
  static test::TempDir* dir_;
};
test::TempDir* TrainedPix2pix::dir_ = nullptr;

TEST_F(TrainedPix2pix, TranslatesAPairFileSideBySideAndAFolder) {
  data::DataOptions sketch;
  sketch.name = "sketch-pairs";
  const auto pair_file = fs::path(data::default_data_path(sketch)) / "val" / "1.jpg";
  ASSERT_TRUE(fs::exists(pair_file)) << "scripts/setup.sh unpacks the sketch pairs";
  auto one = cli("translate run/checkpoints/latest.pt '" + pair_file.string() + "' -o one.png --side-by-side");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto image = io::read_image(dir_->path() / "one.png");
  EXPECT_EQ(image.sizes(), (std::vector<int64_t>{3, 32, 3 * 32}));  // input | output | target

  auto plain = cli("translate run/checkpoints/latest.pt '" + pair_file.string() + "' -o plain.png");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(io::read_image(dir_->path() / "plain.png").sizes(), (std::vector<int64_t>{3, 32, 32}));

  auto folder = cli("translate run/checkpoints/latest.pt '" + pair_file.parent_path().string() + "' -o out");
  ASSERT_EQ(folder.exit_code, 0) << folder.err;
  EXPECT_EQ(test::count_lines(folder.out), 155);
  EXPECT_TRUE(fs::exists(dir_->path() / "out" / "1.png"));
}

TEST_F(TrainedPix2pix, WrongKindsAndInputsAreOneLineErrors) {
  for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"inpaint run/checkpoints/latest.pt x.png -o y.png", "is a 'pix2pix' checkpoint; `gankit inpaint`"},
           {"sample run/checkpoints/latest.pt -n 2 -o y.npy", "is a 'pix2pix' checkpoint; `gankit sample`"},
           {"translate run/checkpoints/latest.pt missing.png -o y.png", "missing.png: no such file or folder"},
       }) {
    const auto result = cli(args);
    EXPECT_EQ(result.exit_code, 1) << args;
    EXPECT_EQ(test::count_lines(result.err), 1) << result.err;
    EXPECT_NE(result.err.find(expected), std::string::npos) << result.err;
  }
}

TEST(Pix2pix, RefusesUnpairedData) {
  test::TempDir dir;
  auto config = test::tiny_config(2);
  config.set("model.name=pix2pix");
  EXPECT_TRUE(test::fails_with([&] { train_quietly(config, dir.path()); }, {"pix2pix needs paired data", "data.pairs"}));
}

TEST(Inpainting, CompletesOnlyTheHoleAndChecksTheMask) {
  test::TempDir dir;
  train_quietly(tiny("inpaint-celeba"), dir / "run");
  // A 16x16 input needs no fitting, so every known pixel must come back bit for bit.
  const auto face = torch::randint(0, 256, {3, 16, 16}, torch::kUInt8);
  io::write_png(dir / "face.png", face);
  auto mask = torch::zeros({1, 16, 16}, torch::kUInt8);
  mask.narrow(1, 2, 5).narrow(2, 9, 4).fill_(255);
  io::write_png(dir / "mask.png", mask);
  auto result = test::run_cli("inpaint run/checkpoints/latest.pt face.png --mask mask.png -o out.png", dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto out = io::read_image(dir / "out.png");
  const auto known = (mask == 0).expand({3, 16, 16});
  EXPECT_TRUE(torch::equal(out.masked_select(known), face.masked_select(known)));

  auto centre = test::run_cli("inpaint run/checkpoints/latest.pt face.png -o centre.png", dir.path());
  ASSERT_EQ(centre.exit_code, 0) << centre.err;
  const auto completed = io::read_image(dir / "centre.png");
  EXPECT_TRUE(torch::equal(completed.narrow(1, 0, 4), face.narrow(1, 0, 4)));  // rows above the hole

  io::write_png(dir / "small.png", torch::zeros({1, 8, 8}, torch::kUInt8));
  auto wrong = test::run_cli("inpaint run/checkpoints/latest.pt face.png --mask small.png -o x.png", dir.path());
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(test::count_lines(wrong.err), 1) << wrong.err;
  EXPECT_NE(wrong.err.find("8x8"), std::string::npos) << wrong.err;

  auto translate = test::run_cli("translate run/checkpoints/latest.pt face.png -o t.png", dir.path());
  EXPECT_EQ(translate.exit_code, 1);
  EXPECT_NE(translate.err.find("is a 'inpaint' checkpoint; `gankit translate`"), std::string::npos) << translate.err;
}

TEST(HeldOut, InpaintingOnAFlatFolderLogsNoHeldOutMetricsAndSaysSo) {
  // A flat folder reads the same images for either split: they are training images, never
  // scored as held-out ones.
  test::TempDir dir;
  fs::create_directories(dir / "faces");
  for (int i = 0; i < 16; ++i) {
    io::write_png(dir / "faces" / fmt::format("{:02}.png", i),
                  torch::full({3, 16, 16}, 15 * i, torch::kUInt8));
  }
  auto config = tiny("inpaint-celeba");
  config.set("data.name=image-folder");
  config.set("data.path=\"" + (dir / "faces").string() + "\"");
  config.set("data.holdout=0");
  config.set("data.fit=none");
  std::ostringstream log;
  train::TrainerOptions options;
  options.run_dir = dir / "run";
  options.out = &log;
  EXPECT_EQ(train::train(config, options).step, 4);
  EXPECT_NE(log.str().find("held out: none"), std::string::npos) << log.str();
  EXPECT_TRUE(last_record_with(dir / "run", "hole_psnr").is_null());
  EXPECT_TRUE(fs::exists(dir / "run/samples/step_000004.png"));  // previews the training images
}

TEST(ModelRegistry, ImageToImageRowsAreNotNoiseToImageGans) {
  for (const char* name : {"pix2pix", "inpaint"}) {
    const auto& entry = models::find_model(name);
    EXPECT_NE(entry.kind, models::ModelKind::NoiseToImage) << name;
    models::ModelOptions options;
    options.name = name;
    EXPECT_TRUE(test::fails_with([&] { models::make_networks(options, {3, 64, 0}); },
                                 {name, "not a noise-to-image GAN"}));
  }
}

}  // namespace
