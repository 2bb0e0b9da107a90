// The GAN family trained for real: every config of the family trains 20 steps with finite
// losses; each model's paper recipe fills the keys a config leaves unset; training aids and
// penalties do what they promise; bad combinations fail with one clear line.
#include <gtest/gtest.h>

#include <cmath>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "gankit/models/registry.h"
#include "gankit/report/metrics_log.h"
#include "gankit/sample/sampler.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using namespace gankit;
using gankit::test::train_quietly;

/// A shipped config, shrunk: width 8, batch 16, the data's test split, `steps` steps; model,
/// loss, optimiser, penalty, aids and data as shipped.
config::Config shrunk(const std::string& name, int steps = 20) {
  auto config = config::Config::from_file(fs::path(GANKIT_CONFIG_DIR) / (name + ".toml"));
  for (const std::string& assignment : std::vector<std::string>{
           "model.width=8", "data.split=test", "train.batch_size=16", "train.steps=" + std::to_string(steps),
        "train.log_every=5", "train.sample_every=0", "train.checkpoint_every=0"}) {
    config.set(assignment);
  }
  return config;
}

class FamilyConfig : public ::testing::TestWithParam<const char*> {};

TEST_P(FamilyConfig, Trains20StepsWithFiniteLosses) {
  test::TempDir dir;
  const auto result = train_quietly(shrunk(GetParam()), dir.path());
  EXPECT_EQ(result.step, 20);
  const auto records = report::MetricsLog::read(dir / "metrics.jsonl");
  ASSERT_EQ(records.size(), 4u);
  for (const auto& record : records) {
    for (const char* key : {"loss_d", "loss_g", "d_real", "d_fake"}) {
      ASSERT_TRUE(record.contains(key)) << key;
      EXPECT_TRUE(std::isfinite(record[key].get<double>())) << key << " at step " << record["step"];
    }
  }
  EXPECT_TRUE(fs::exists(dir / "samples/step_000020.png"));
  sample::Sampler sampler(dir / "checkpoints/latest.pt");
  sample::SampleOptions options;
  options.count = 4;
  const auto samples = sampler.sample(options);
  EXPECT_EQ(samples.images.size(0), 4);
}

INSTANTIATE_TEST_SUITE_P(Issue3Configs, FamilyConfig,
                         ::testing::Values("sn-dcgan-cifar10", "sagan-cifar10", "cgan-mnist", "acgan-mnist",
                                           "wgan-mnist", "wgan-gp-cifar10"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(ModelRecipe, FillsUnsetKeysWithThePapersSettings) {
  config::Config config;
  config.set("model.name=wgan");
  config.apply_model_recipe();
  EXPECT_EQ(config.train.loss, "wasserstein");
  EXPECT_EQ(config.train.optimizer, "rmsprop");
  EXPECT_DOUBLE_EQ(config.train.lr_d, 5e-5);
  EXPECT_DOUBLE_EQ(config.train.clip, 0.01);
  EXPECT_EQ(config.train.n_critic, 5);

  config::Config sagan =
      config::Config::from_toml("[model]\nname = \"sagan\"\n[train]\nlr_d = 1e-3\n", "s.toml");
  sagan.apply_model_recipe();
  EXPECT_EQ(sagan.train.loss, "hinge");
  EXPECT_DOUBLE_EQ(sagan.train.lr_g, 1e-4);
  EXPECT_DOUBLE_EQ(sagan.train.lr_d, 1e-3);  // the file's value wins
  EXPECT_DOUBLE_EQ(sagan.train.betas[0], 0.0);

  config::Config gp;
  gp.set("model.name=wgan-gp");
  gp.apply_model_recipe();
  EXPECT_EQ(gp.train.penalty, "gp");
  EXPECT_DOUBLE_EQ(gp.train.penalty_weight, 10.0);
  EXPECT_NO_THROW(gp.validate());
}

TEST(ModelRecipe, IsRecordedInTheRunsConfig) {
  test::TempDir dir;
  auto config = test::tiny_config(2);
  config.set("model.name=wgan");
  train_quietly(config, dir.path());
  const auto stored = config::Config::from_file(dir / "config.toml");
  EXPECT_EQ(stored.train.optimizer, "rmsprop");
  EXPECT_DOUBLE_EQ(stored.train.clip, 0.01);
}

TEST(WeightClipping, KeepsEveryCriticWeightInRange) {
  test::TempDir dir;
  auto config = test::tiny_config(3);
  config.set("model.name=wgan");
  config.set("train.clip=0.005");
  train_quietly(config, dir.path());
  auto checkpoint = checkpoint::open_checkpoint(dir / "checkpoints/latest.pt");
  torch::serialize::InputArchive d;
  checkpoint.archive.read("discriminator", d);
  models::ModelOptions model = checkpoint.header.config.model;
  auto nets = models::make_networks(model, checkpoint.header.shape);
  nets.discriminator->load(d);
  for (const auto& p : nets.discriminator->parameters()) {
    EXPECT_LE(p.abs().max().item<double>(), 0.005 + 1e-9);
  }
}

TEST(Penalty, GradientPenaltyAndR1AreLoggedAndFinite) {
  for (const char* penalty : {"gp", "r1"}) {
    SCOPED_TRACE(penalty);
    test::TempDir dir;
    auto config = test::tiny_config(4);
    config.set("model.name=wgan-gp");
    config.set(std::string("train.penalty=") + penalty);
    train_quietly(config, dir.path());
    const auto records = report::MetricsLog::read(dir / "metrics.jsonl");
    ASSERT_TRUE(records.back().contains(penalty));
    EXPECT_TRUE(std::isfinite(records.back()[penalty].get<double>()));
    EXPECT_GE(records.back()[penalty].get<double>(), 0.0);
  }
}

TEST(Acgan, LogsClassLossesAndAccuracy) {
  test::TempDir dir;
  auto config = test::tiny_config(4);
  config.set("model.name=acgan");
  config.set("data.image_size=32");
  train_quietly(config, dir.path());
  const auto record = report::MetricsLog::read(dir / "metrics.jsonl").back();
  for (const char* key : {"class_loss_d", "class_loss_g", "class_acc_real"}) {
    ASSERT_TRUE(record.contains(key)) << key;
  }
  EXPECT_GE(record["class_acc_real"].get<double>(), 0.0);
  EXPECT_LE(record["class_acc_real"].get<double>(), 1.0);
}

TEST(TrainingAids, SmoothingNoiseAndDiffAugmentTrain) {
  test::TempDir dir;
  auto config = test::tiny_config(4);
  config.set("train.label_smoothing=0.1");
  config.set("train.label_noise=0.05");
  config.set("train.diffaugment=\"color,translation,cutout\"");
  const auto result = train_quietly(config, dir.path());
  EXPECT_EQ(result.step, 4);
}

TEST(BadCombinations, PenaltyOnABatchNormDiscriminatorIsRefused) {
  test::TempDir dir;
  auto config = test::tiny_config(2);  // dcgan: BatchNorm in D
  config.set("train.penalty=gp");
  EXPECT_TRUE(test::fails_with([&] { train_quietly(config, dir.path()); },
                               {"train.penalty = gp", "BatchNorm", "wgan-gp"}));
}

TEST(BadCombinations, SmoothingNeedsALossWithTargets) {
  config::Config config;
  config.set("train.loss=hinge");
  config.set("train.label_smoothing=0.1");
  EXPECT_TRUE(test::fails_with([&] { config.validate(); }, {"train.label_smoothing", "bce and lsgan", "hinge"}));
}

TEST(BadCombinations, ConditionalModelOnUnlabelledFolder) {
  test::TempDir dir;
  // A flat folder of images has no labels.
  const auto image = torch::randint(0, 255, {1, 16, 16}, torch::kUInt8);
  for (int i = 0; i < 4; ++i) io::write_png(dir / "flat" / fmt::format("{}.png", i), image);
  auto config = test::tiny_config(2);
  config.set("model.name=cgan");
  config.set("data.name=image-folder");
  config.set("data.path=\"" + (dir / "flat").string() + "\"");
  config.set("train.batch_size=2");
  EXPECT_TRUE(test::fails_with([&] { train_quietly(config, dir / "run"); },
                               {"model cgan is conditional", "has no labels", (dir / "flat").string()}));
}

TEST(ConditionalSampling, ClassFlagAndCyclingLabels) {
  test::TempDir dir;
  auto config = test::tiny_config(2);
  config.set("model.name=cgan");
  train_quietly(config, dir / "run");
  const auto checkpoint = (dir / "run/checkpoints/latest.pt").string();

  auto all_sevens = test::run_cli("sample " + checkpoint + " -n 6 --class 7 -o sevens.npy", dir.path());
  ASSERT_EQ(all_sevens.exit_code, 0) << all_sevens.err;
  EXPECT_TRUE(torch::equal(io::read_npy(dir / "sevens.labels.npy"), torch::full({6}, 7, torch::kLong)));

  auto cycled = test::run_cli("sample " + checkpoint + " -n 12 -o mixed.npy", dir.path());
  ASSERT_EQ(cycled.exit_code, 0) << cycled.err;
  EXPECT_TRUE(torch::equal(io::read_npy(dir / "mixed.labels.npy"),
                           torch::tensor({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, torch::kLong)));

  auto out_of_range = test::run_cli("sample " + checkpoint + " -n 2 --class 10 -o x.npy", dir.path());
  EXPECT_EQ(out_of_range.exit_code, 1);
  EXPECT_EQ(test::count_lines(out_of_range.err), 1);
  EXPECT_NE(out_of_range.err.find("--class 10 is out of range"), std::string::npos) << out_of_range.err;
}

TEST(FamilyResume, ResumedRunsEqualUninterruptedOnes) {
  // Spectral norm's u/v, the penalty's draws, DiffAugment's draws, noisy labels, RMSprop and the
  // weight average all live in the checkpoint or the RNG state it restores.
  const std::vector<std::vector<std::string>> cases{
      {"model.name=sagan", "train.ema=0.99"},
      {"model.name=wgan-gp", "train.n_critic=2"},
      {"model.name=acgan", "train.diffaugment=\"color,translation,cutout\"", "train.label_noise=0.1"},
      {"model.name=wgan", "train.n_critic=2"},
  };
  for (const auto& settings : cases) {
    SCOPED_TRACE(settings[0]);
    auto config_for = [&](int steps) {
      auto config = test::tiny_config(steps);
      config.set("data.image_size=32");
      for (const auto& assignment : settings) config.set(assignment);
      return config;
    };
    test::TempDir straight, split;
    train_quietly(config_for(6), straight.path());
    train_quietly(config_for(3), split.path());
    auto longer = train::stored_config(split.path());
    longer.set("train.steps=6");
    train_quietly(longer, split.path(), /*resume=*/true);
    sample::SampleOptions options;
    options.count = 4;
    const auto a = sample::Sampler(straight / "checkpoints/latest.pt").sample(options).images;
    const auto b = sample::Sampler(split / "checkpoints/latest.pt").sample(options).images;
    EXPECT_TRUE(torch::equal(a, b));
  }
}

}  // namespace
