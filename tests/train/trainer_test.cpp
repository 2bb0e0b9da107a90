// The trainer end to end on real data: the run directory's contents, exact resume, and refusal
// to overwrite an earlier run.
#include <gtest/gtest.h>

#include <sstream>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/error.h"
#include "gankit/io/image.h"
#include "gankit/report/metrics_log.h"
#include "gankit/sample/sampler.h"
#include "gankit/train/trainer.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using namespace gankit;

using test::train_quietly;

torch::Tensor samples_of(const fs::path& checkpoint) {
  sample::Sampler sampler(checkpoint);
  sample::SampleOptions options;
  options.count = 8;
  options.seed = 3;
  return sampler.sample(options).images;
}

TEST(Trainer, WritesConfigMetricsGridsAndCheckpoints) {
  gankit::test::TempDir dir;
  const auto result = train_quietly(gankit::test::tiny_config(6), dir.path());
  EXPECT_EQ(result.step, 6);
  EXPECT_FALSE(result.interrupted);
  EXPECT_GT(result.images_per_s, 0);

  const auto stored = config::Config::from_file(dir / "config.toml");
  EXPECT_EQ(stored.data.channels, 1);  // resolved from the data
  EXPECT_EQ(stored.train.steps, 6);

  const auto records = report::MetricsLog::read(dir / "metrics.jsonl");
  ASSERT_EQ(records.size(), 3u);  // steps 2, 4, 6
  EXPECT_EQ(records.back()["step"], 6);
  for (const char* key : {"loss_d", "loss_g", "d_real", "d_fake", "images_per_s", "lr_g", "epoch"}) {
    ASSERT_TRUE(records.back().contains(key)) << key;
  }
  const double d_real = records.back()["d_real"];
  EXPECT_GT(d_real, 0.0);
  EXPECT_LT(d_real, 1.0);

  for (const char* name : {"samples/step_000003.png", "samples/step_000006.png", "checkpoints/latest.pt",
                           "checkpoints/step_000003.pt", "checkpoints/step_000006.pt"}) {
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  }
  const auto grid = io::read_image(dir / "samples/step_000006.png");
  EXPECT_EQ(grid.sizes(), (std::vector<int64_t>{1, 10 * 18 + 2, 10 * 18 + 2}));  // 10x10 of 16x16, padding 2
  EXPECT_EQ(result.last_grid, dir / "samples/step_000006.png");

  const auto header = checkpoint::open_checkpoint(dir / "checkpoints/latest.pt").header;
  EXPECT_EQ(header.step, 6);
  EXPECT_EQ(header.batches_seen, 6);
  EXPECT_EQ(header.shape.image_size, 16);
}

TEST(Trainer, ResumedRunEqualsAnUninterruptedOne) {
  gankit::test::TempDir straight, split;
  train_quietly(gankit::test::tiny_config(6), straight.path());
  train_quietly(gankit::test::tiny_config(3), split.path());
  auto longer = train::stored_config(split.path());
  longer.set("train.steps=6");
  const auto resumed = train_quietly(longer, split.path(), /*resume=*/true);
  EXPECT_EQ(resumed.step, 6);
  EXPECT_TRUE(torch::equal(samples_of(straight / "checkpoints/latest.pt"), samples_of(split / "checkpoints/latest.pt")));
  // metrics.jsonl continues, without duplicates
  const auto records = report::MetricsLog::read(split / "metrics.jsonl");
  ASSERT_EQ(records.size(), 4u);  // 2, 3 (end of the first run), 4, 6
  EXPECT_EQ(records[2]["step"], 4);
}

TEST(Trainer, RefusesToOverwriteAnEarlierRun) {
  gankit::test::TempDir dir;
  train_quietly(gankit::test::tiny_config(2), dir.path());
  try {
    train_quietly(gankit::test::tiny_config(2), dir.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already holds a run; pass --resume"), std::string::npos);
  }
}

TEST(Trainer, StopRequestSavesACheckpointAtTheCurrentStep) {
  gankit::test::TempDir dir;
  std::atomic<bool> stop{false};
  std::ostringstream log;
  train::TrainerOptions options;
  options.run_dir = dir.path();
  options.out = &log;
  options.stop = &stop;
  // A stop already requested before the first step: nothing trained, nothing saved.
  stop = true;
  auto result = train::train(gankit::test::tiny_config(6), options);
  EXPECT_TRUE(result.interrupted);
  EXPECT_EQ(result.step, 0);
  EXPECT_FALSE(fs::exists(dir / "checkpoints/latest.pt"));
}

TEST(Trainer, MlpTrainsOnNativeSizeImages) {
  gankit::test::TempDir dir;
  auto config = gankit::test::tiny_config(4);
  config.set("model.name=mlp");
  config.set("model.width=16");
  config.set("data.image_size=28");
  config.set("data.fit=none");
  const auto result = train_quietly(config, dir.path());
  EXPECT_EQ(result.step, 4);
  EXPECT_EQ(samples_of(dir / "checkpoints/latest.pt").sizes(), (std::vector<int64_t>{8, 1, 28, 28}));
}

}  // namespace
