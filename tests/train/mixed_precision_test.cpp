// train.precision end to end: every recipe family trains in bf16 (double backward of WGAN-GP and
// R1, spectral norm, self-attention, pix2pix, inpainting), the run records its resolved choice,
// checkpoints interchange between precisions, and a bf16 resume is exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/compute/cpu_features.h"
#include "gankit/data/loader.h"
#include "gankit/report/metrics_log.h"
#include "gankit/sample/sampler.h"
#include "gankit/train/recipes.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

/// bf16 on the CPU needs oneDNN's AVX-512 kernels; elsewhere it is refused (tested in
/// precision_test) and the tests that run it skip.
bool bf16_runs_here() { return gankit::compute::detect_cpu_features().avx512 && torch::hasMKLDNN(); }

namespace fs = std::filesystem;
using namespace gankit;
using gankit::test::train_quietly;

bool image_to_image(const std::string& name) { return name.rfind("pix2pix", 0) == 0 || name.rfind("inpaint", 0) == 0; }

/// A shipped config at `precision`, shrunk to seconds.
config::Config at_precision(const std::string& name, const std::string& precision, int steps = 4) {
  auto config = config::Config::from_file(fs::path(GANKIT_CONFIG_DIR) / (name + ".toml"));
  std::vector<std::string> settings{"model.width=8", "train.steps=" + std::to_string(steps), "train.log_every=2",
                                    "train.sample_every=0", "train.eval_every=0", "train.checkpoint_every=2",
                                    "train.precision=" + precision};
  if (name.rfind("inpaint", 0) == 0) {
    settings.insert(settings.end(), {"data.image_size=16", "train.batch_size=8"});
  } else if (image_to_image(name)) {
    settings.insert(settings.end(), {"data.image_size=32", "data.load_size=36"});
  } else {
    settings.insert(settings.end(), {"data.split=test", "train.batch_size=16"});
  }
  for (const auto& assignment : settings) config.set(assignment);
  return config;
}

class Bf16Config : public ::testing::TestWithParam<const char*> {};

TEST_P(Bf16Config, TrainsWithFiniteFloat32LossesAndRecordsItsPrecision) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  test::TempDir dir;
  const auto result = train_quietly(at_precision(GetParam(), "bf16"), dir.path());
  EXPECT_EQ(result.step, 4);
  std::vector<nlohmann::json> records;  // the training lines; image-to-image runs add held-out ones
  for (const auto& record : report::MetricsLog::read(dir / "metrics.jsonl")) {
    if (record.contains("loss_d")) records.push_back(record);
  }
  ASSERT_EQ(records.size(), 2u);
  for (const auto& record : records) {
    EXPECT_EQ(record.value("precision", ""), "bf16");
    for (const char* key : {"loss_d", "loss_g"}) {
      ASSERT_TRUE(record.contains(key)) << key;
      EXPECT_TRUE(std::isfinite(record[key].get<double>())) << key << " at step " << record["step"];
    }
  }
  EXPECT_EQ(train::stored_config(dir.path()).train.precision, "bf16");
  // The bf16 checkpoint goes on in float32: checkpoints interchange between precisions.
  auto fp32 = train::stored_config(dir.path());
  fp32.set("train.precision=\"fp32\"");
  fp32.set("train.steps=6");
  EXPECT_EQ(train_quietly(fp32, dir.path(), /*resume=*/true).step, 6);
  auto resumed = report::MetricsLog::read(dir / "metrics.jsonl");
  resumed.erase(std::remove_if(resumed.begin(), resumed.end(), [](const auto& r) { return !r.contains("loss_d"); }),
                resumed.end());
  EXPECT_EQ(resumed.back().value("precision", ""), "fp32");
}

INSTANTIATE_TEST_SUITE_P(EveryRecipeFamily, Bf16Config,
                         ::testing::Values("dcgan-fashion-mnist", "gan-mnist", "sn-dcgan-cifar10", "sagan-cifar10",
                                           "acgan-mnist", "wgan-gp-cifar10", "pix2pix-sketch", "inpaint-celeba"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(Bf16, R1PenaltyTrainsThroughTheDoubleBackward) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  test::TempDir dir;
  auto config = at_precision("sn-dcgan-cifar10", "bf16");
  config.set("train.penalty=\"r1\"");
  config.set("train.penalty_weight=1.0");
  train_quietly(config, dir.path());
  const auto records = report::MetricsLog::read(dir / "metrics.jsonl");
  ASSERT_TRUE(records.back().contains("r1"));
  EXPECT_TRUE(std::isfinite(records.back()["r1"].get<double>()));
}

TEST(Bf16, ResumedRunEqualsTheUninterruptedOne) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  test::TempDir straight, split;
  train_quietly(at_precision("dcgan-fashion-mnist", "bf16", 6), straight.path());
  train_quietly(at_precision("dcgan-fashion-mnist", "bf16", 3), split.path());
  auto longer = train::stored_config(split.path());
  longer.set("train.steps=6");
  train_quietly(longer, split.path(), /*resume=*/true);
  sample::SampleOptions options;
  options.count = 8;
  const auto a = sample::Sampler(straight / "checkpoints/latest.pt", compute::Precision::Bf16).sample(options).images;
  const auto b = sample::Sampler(split / "checkpoints/latest.pt", compute::Precision::Bf16).sample(options).images;
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(Bf16, SamplesCloseToFloat32SamplesOfTheSameCheckpoint) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  test::TempDir dir;
  train_quietly(at_precision("dcgan-fashion-mnist", "fp32"), dir.path());
  sample::SampleOptions options;
  options.count = 16;
  const auto fp32 = sample::Sampler(dir / "checkpoints/latest.pt", compute::Precision::Fp32).sample(options).images;
  const auto bf16 = sample::Sampler(dir / "checkpoints/latest.pt", compute::Precision::Bf16).sample(options).images;
  ASSERT_EQ(fp32.sizes(), bf16.sizes());
  const auto difference = (fp32.to(torch::kInt) - bf16.to(torch::kInt)).abs().to(torch::kFloat);
  EXPECT_LT(difference.mean().item<double>(), 3.0);  // of 255
  EXPECT_FALSE(torch::equal(fp32, bf16));            // bf16 really ran
}

TEST(PrecisionCli, BannerNamesPrecisionAndKernelsAndErrorsAreOneLine) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  test::TempDir dir;
  const auto ok = test::run_cli("train dcgan-fashion-mnist" + test::tiny_set_args(2) +
                                    " --set train.precision=bf16 --out run",
                                dir.path());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("precision bf16 (as configured"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("BLAS: "), std::string::npos) << ok.out;
  const auto fp16 = test::run_cli("train dcgan-fashion-mnist" + test::tiny_set_args(2) +
                                      " --set train.precision=fp16 --set train.device=cpu --out fp16",
                                  dir.path());
  test::expect_one_line_error(fp16, "train.precision: fp16 needs a CUDA device");
  const auto unknown = test::run_cli("train dcgan-fashion-mnist --set train.precision=half --out x", dir.path());
  test::expect_one_line_error(unknown, "train.precision = 'half' is invalid: use auto, fp32, bf16 or fp16");
  const auto sample = test::run_cli("sample run/checkpoints/latest.pt -n 4 -o s.npy --precision fp16", dir.path());
  test::expect_one_line_error(sample, "--precision: fp16 needs a CUDA device");
  const auto sampled = test::run_cli("sample run/checkpoints/latest.pt -n 4 -o s.npy --precision bf16", dir.path());
  EXPECT_EQ(sampled.exit_code, 0) << sampled.err;
}

}  // namespace

namespace {

/// G's weights after `steps` steps of a tiny DCGAN recipe, with loss scaling on or off.
std::vector<torch::Tensor> generator_after(int steps, bool loss_scaling, const std::string& model) {
  auto config = at_precision("dcgan-fashion-mnist", "fp32");
  config.set("model.name=" + model);
  config.apply_model_recipe();
  torch::manual_seed(0);
  auto loader = data::make_loader(config.data, {config.train.batch_size, 0});
  auto recipe = train::make_recipe(config, loader->info(), torch::kCPU, nullptr);
  recipe->use_loss_scaling(loss_scaling);
  for (int i = 0; i < steps; ++i) {
    recipe->train_step(*loader);
    recipe->update_loss_scale();
  }
  if (loss_scaling) EXPECT_EQ(recipe->loss_scaler().skipped_steps(), 0);
  std::vector<torch::Tensor> weights;
  for (const auto& p : recipe->generator_module().parameters()) weights.push_back(p.detach().clone());
  return weights;
}

TEST(LossScaling, ScaledStepsTrainExactlyAsUnscaledOnes) {
  // The fp16 path's scaling by 2^16 and unscaling before each step are exact in float32: with it on,
  // every recipe step (D and G, the GP's double backward) must give the same weights bit for bit.
  for (const char* model : {"dcgan", "wgan-gp"}) {
    SCOPED_TRACE(model);
    const auto plain = generator_after(3, false, model);
    const auto scaled = generator_after(3, true, model);
    ASSERT_EQ(plain.size(), scaled.size());
    for (size_t i = 0; i < plain.size(); ++i) EXPECT_TRUE(torch::equal(plain[i], scaled[i])) << i;
  }
}

}  // namespace
