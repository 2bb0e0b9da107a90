// `gankit eval` and FID during training, as a user runs them, with a small domain classifier
// trained here on Fashion-MNIST (`gankit classifier train`).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gankit/data/loader.h"
#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "gankit/report/metrics_log.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::expect_one_line_error;
using gankit::test::run_cli;
using nlohmann::json;

class CliEval : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new gankit::test::TempDir();
    // FID during training caches its real features under $GANKIT_CACHE: keep them in the test.
    setenv("GANKIT_CACHE", (dir_->path() / "cache-root").c_str(), 1);
    auto r = run_cli("classifier train --data fashion-mnist --steps 40 --batch-size 64 -o fm.pt", dir_->path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // 600 real test images as a user's samples, and degraded copies of them.
    gankit::data::DataOptions data;
    data.split = "test";
    data.image_size = 28;
    const auto images = gankit::data::load_images(data).images.slice(0, 0, 600);
    const auto nhwc = [](const torch::Tensor& t) { return t.permute({0, 2, 3, 1}).contiguous(); };
    gankit::io::write_npy(path("real.npy"), nhwc(images));
    auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
    const auto noisy = (images.to(torch::kFloat) + torch::randn(images.sizes(), generator) * 60).clamp(0, 255);
    gankit::io::write_npy(path("noisy.npy"), nhwc(noisy.to(torch::kUInt8)));
    gankit::io::write_npy(path("posterised.npy"), nhwc(images.ge(128).to(torch::kUInt8) * 255));
    gankit::io::write_npy(path("rgb.npy"), nhwc(images.repeat({1, 3, 1, 1})));
    // The same real images as a conditional model's labelled samples: rightly labelled, and
    // every label moved on by one class (right images, wrong classes).
    const auto labels = gankit::data::load_images(data).labels.slice(0, 0, 600);
    gankit::io::write_npy(path("labelled.npy"), nhwc(images));
    gankit::io::write_npy(path("labelled.labels.npy"), labels);
    gankit::io::write_npy(path("mislabelled.npy"), nhwc(images));
    gankit::io::write_npy(path("mislabelled.labels.npy"), (labels + 1).remainder(10));
    // A small labelled image folder with train/ and test/ splits for CAS: 600 training images
    // (the real baseline's) and 300 test images other than the samples above.
    gankit::data::DataOptions train_data;
    train_data.image_size = 28;
    const auto train = gankit::data::load_images(train_data);
    const auto test_all = gankit::data::load_images(data);
    const auto write_split = [&](const gankit::data::ImageSet& set, int64_t from, int64_t to, const char* split) {
      for (int64_t i = from; i < to; ++i) {
        const auto folder = path("cas-real") / split / std::to_string(set.labels[i].item<int64_t>());
        fs::create_directories(folder);
        gankit::io::write_png(folder / (std::to_string(i) + ".png"), set.images[i]);
      }
    };
    write_split(train, 0, 600, "train");
    write_split(test_all, 600, 900, "test");
    r = run_cli("train dcgan-fashion-mnist --out cgan --set model.name=cgan" + gankit::test::tiny_set_args(2),
                dir_->path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static gankit::test::CliResult cli(const std::string& args) {
    return run_cli(args + " --cache-dir cache", dir_->path());
  }
  static fs::path path(const std::string& name) { return dir_->path() / name; }
  /// The JSON a successful run printed.
  static json scores(const std::string& args) {
    const auto r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
  }
  static gankit::test::TempDir* dir_;
};
gankit::test::TempDir* CliEval::dir_ = nullptr;

TEST_F(CliEval, RanksRealImagesFarBelowDegradedCopies) {
  const std::string common = " --real fashion-mnist --n-real 600 --features classifier:fm.pt --metrics fid,kid,pr -q";
  const auto real = scores("eval --samples real.npy" + common);
  const auto noisy = scores("eval --samples noisy.npy" + common);
  const auto posterised = scores("eval --samples posterised.npy" + common);
  for (const char* key : {"fid", "kid", "kid_std", "precision", "recall", "n", "features", "real", "seconds"}) {
    EXPECT_TRUE(real.contains(key)) << key << " missing from " << real.dump();
  }
  EXPECT_EQ(real["n"], 600);
  EXPECT_EQ(real["features"], "classifier:fm.pt");
  EXPECT_EQ(real["real"]["n"], 600);
  const double fid = real["fid"];
  EXPECT_GE(fid, 0);
  EXPECT_LT(fid * 5, noisy["fid"].get<double>()) << real.dump() << noisy.dump();
  EXPECT_LT(fid * 5, posterised["fid"].get<double>()) << posterised.dump();
  EXPECT_LT(real["kid"].get<double>(), noisy["kid"].get<double>());
  EXPECT_GT(real["precision"].get<double>(), 0.5);
  EXPECT_GT(real["recall"].get<double>(), 0.5);
}

TEST_F(CliEval, RealFeaturesAreCachedAndAnArrayOfRealImagesWorksToo) {
  const std::string args = "eval --samples real.npy --real fashion-mnist --real-split test --n-real 300 "
                           "--features classifier:fm.pt -q";
  const auto first = scores(args);
  const auto second = scores(args);
  EXPECT_FALSE(first["real"]["cached"].get<bool>());
  EXPECT_TRUE(second["real"]["cached"].get<bool>());
  EXPECT_DOUBLE_EQ(first["fid"].get<double>(), second["fid"].get<double>());
  // The same images on both sides score 0, as an array or as folders of PNGs (up to float64
  // rounding relative to the features' total variance, which a briefly trained classifier can
  // make large: 4e-6 was seen).
  const auto same = scores("eval --samples real.npy --real real.npy --features classifier:fm.pt --metrics fid -q");
  EXPECT_NEAR(same["fid"].get<double>(), 0.0, 1e-4);
  ASSERT_EQ(run_cli("sample cgan/checkpoints/latest.pt -n 40 -o pngs", dir_->path()).exit_code, 0);
  const auto folders = scores("eval --samples pngs --real pngs --features classifier:fm.pt --metrics fid -q");
  EXPECT_NEAR(folders["fid"].get<double>(), 0.0, 1e-4);
  EXPECT_EQ(folders["n"], 40);
  EXPECT_EQ(folders["real"]["n"], 40);
}

TEST_F(CliEval, ScoresACheckpointWithClassAccuracyForConditionalModels) {
  const auto result = scores("eval cgan/checkpoints/latest.pt --n 200 --features classifier:fm.pt --metrics fid,is "
                             "--is-splits 2 -q");
  for (const char* key : {"fid", "is", "is_std", "class_accuracy"}) {
    EXPECT_TRUE(result.contains(key)) << key << " missing from " << result.dump();
  }
  EXPECT_EQ(result["n"], 200);
  const double accuracy = result["class_accuracy"];
  EXPECT_GE(accuracy, 0);
  EXPECT_LE(accuracy, 1);
  // The real side defaults to the run's own data, fitted like its training images (16x16).
  EXPECT_NE(result["real"]["source"].get<std::string>().find("fashion-mnist test, 200 of 10000 images at 16x16"),
            std::string::npos)
      << result.dump();
}

TEST_F(CliEval, IntraClassFidAndDensityCoverageSeeWrongLabelsAndFidDoesNot) {
  const std::string common = " --real fashion-mnist --real-split test --n-real 3000 --features classifier:fm.pt "
                             "--metrics fid,dc,ifid -q";
  const auto right = scores("eval --samples labelled.npy" + common);
  const auto wrong = scores("eval --samples mislabelled.npy" + common);
  for (const char* key : {"fid", "density", "coverage", "intra_fid", "intra_fid_max", "intra_fid_worst_class"}) {
    ASSERT_TRUE(right.contains(key)) << key << " missing from " << right.dump();
  }
  EXPECT_DOUBLE_EQ(right["fid"].get<double>(), wrong["fid"].get<double>());
  EXPECT_GT(wrong["intra_fid"].get<double>(), 5 * right["intra_fid"].get<double>()) << right.dump() << wrong.dump();
  // Real test images against other real test images: on the manifold, covering much of it.
  EXPECT_GT(right["density"].get<double>(), 0.5);
  EXPECT_GT(right["coverage"].get<double>(), 0.1);
  EXPECT_LE(right["coverage"].get<double>(), 1.0);
}

TEST_F(CliEval, CasTrainsOnTheSamplesAndTestsOnRealImages) {
  const std::string common = " --real cas-real --metrics cas --cas-epochs 10 -q";
  const auto right = scores("eval --samples labelled.npy" + common);
  const auto wrong = scores("eval --samples mislabelled.npy" + common);
  ASSERT_TRUE(right.contains("cas") && right.contains("cas_real")) << right.dump();
  EXPECT_EQ(right["n"], 600);
  EXPECT_EQ(right["cas_detail"]["test_images"], 300);
  EXPECT_EQ(right["cas_detail"]["image_size"], 32);  // 28 rounded up to the classifier's multiple of 8
  // A classifier taught by rightly labelled images classifies real ones; one taught by shifted
  // labels gets them systematically wrong.
  EXPECT_GT(right["cas"].get<double>(), 0.4) << right.dump();
  EXPECT_LT(wrong["cas"].get<double>(), 0.15) << wrong.dump();
  EXPECT_GT(right["cas_real"].get<double>(), 0.4) << right.dump();
  // No feature extractor is needed for CAS alone, and the same seed gives the same score.
  EXPECT_FALSE(right.contains("features"));
  EXPECT_DOUBLE_EQ(scores("eval --samples labelled.npy" + common)["cas"].get<double>(), right["cas"].get<double>());
}

TEST_F(CliEval, ConditionalMetricsOnUnlabelledImagesAreOneLineErrors) {
  expect_one_line_error(cli("eval --samples real.npy --real fashion-mnist --features classifier:fm.pt --metrics ifid"),
                        "intra-class FID needs the generated images' class labels");
  expect_one_line_error(cli("eval --samples real.npy --real fashion-mnist --metrics cas"),
                        "real.npy have no class labels");
  expect_one_line_error(cli("eval --samples labelled.npy --real rgb.npy --metrics cas"), "is an array");
  expect_one_line_error(cli("eval --samples labelled.npy --real real.npy --features classifier:fm.pt --metrics ifid"),
                        "intra-class FID needs the real images' class labels");
}

TEST_F(CliEval, BadRequestsAreOneLineErrors) {
  expect_one_line_error(cli("eval --features classifier:fm.pt"), "give a checkpoint or --samples");
  expect_one_line_error(cli("eval --samples real.npy --real fashion-mnist --features classifier:fm.pt --metrics fid,lpips"),
                        "unknown metric 'lpips'");
  expect_one_line_error(cli("eval --samples real.npy --real fashion-mnist --features fm.pt"),
                        "expected inception:FILE");
  expect_one_line_error(cli("eval --samples real.npy --real fashion-mnist --features inception:missing.pth"),
                        "missing.pth: no such file");
  expect_one_line_error(cli("eval --samples real.npy --real fashion-mnist --features classifier:real.npy"),
                        "real.npy");
  expect_one_line_error(cli("eval --samples rgb.npy --real fashion-mnist --features classifier:fm.pt"),
                        "fashion-mnist train, 600 of 60000 images at 28x28 has 1-channel images, but the generated images have 3");
  expect_one_line_error(cli("eval --samples rgb.npy --real rgb.npy --features classifier:fm.pt"),
                        "images have 3 channels, but the classifier fm.pt was trained on 1-channel fashion-mnist");
  expect_one_line_error(cli("eval --samples real.npy --real rgb.npy --features classifier:fm.pt"),
                        "they must have the same shape");
  expect_one_line_error(cli("eval --samples real.npy --n 1 --real fashion-mnist --features classifier:fm.pt"),
                        "fid needs at least 2 generated images, got 1");
  expect_one_line_error(cli("eval --samples real.npy --n 5 --real fashion-mnist --features classifier:fm.pt --metrics is"),
                        "is (with 10 splits) needs at least 10 generated images, got 5");
  expect_one_line_error(cli("eval --samples real.npy --n 9999 --real fashion-mnist --features classifier:fm.pt"),
                        "fewer than --n 9999");
  expect_one_line_error(cli("eval --samples real.npy --real no-such-set --features classifier:fm.pt"), "no-such-set");
  expect_one_line_error(cli("eval --samples real.npy --features classifier:fm.pt"), "give --real");
}

TEST_F(CliEval, TrainingLogsFidAndKeepsTheBestCheckpoint) {
  const auto r = run_cli("train dcgan-fashion-mnist --out fidrun" + gankit::test::tiny_set_args(4) +
                         " --set train.eval_every=2 --set train.eval_samples=64 --set train.eval_features=classifier:fm.pt",
                     dir_->path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<int64_t> steps;
  for (const auto& record : gankit::report::MetricsLog::read(path("fidrun") / "metrics.jsonl")) {
    if (record.contains("fid")) {
      steps.push_back(record["step"].get<int64_t>());
      EXPECT_GT(record["fid"].get<double>(), 0);
    }
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{2, 4}));
  EXPECT_TRUE(fs::exists(path("fidrun") / "checkpoints" / "best.pt"));
  EXPECT_NE(r.out.find("eval: fid"), std::string::npos) << r.out;
  // best.pt is a checkpoint like any other.
  const auto sampled = run_cli("sample fidrun/checkpoints/best.pt -n 4 -o best.npy", dir_->path());
  EXPECT_EQ(sampled.exit_code, 0) << sampled.err;

  EXPECT_TRUE(fs::exists(path("cache-root") / "features"));
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --out bad" + gankit::test::tiny_set_args(2) +
                                    " --set train.eval_features=classifier:missing.pt",
                                dir_->path()),
                        "missing.pt: no such file");
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --out bad2" + gankit::test::tiny_set_args(2) +
                                    " --set train.eval_samples=1",
                                dir_->path()),
                        "train.eval_samples");
}

}  // namespace
