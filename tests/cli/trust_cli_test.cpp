// Issue 17's probes: what a hostile or careless user does to the CLI. Every case is one clear
// line and a non-zero exit, and no run, input or checkpoint is ever lost or replaced.
#include <gtest/gtest.h>

#include <signal.h>

#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "gankit/sample/sampler.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::expect_one_line_error;
using gankit::test::run_cli;

class TrustCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new gankit::test::TempDir();
    const auto r = run_cli("train dcgan-fashion-mnist --out run" + gankit::test::tiny_set_args(3), dir_->path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static gankit::test::CliResult cli(const std::string& args) { return run_cli(args, dir_->path()); }
  static fs::path path(const std::string& name) { return dir_->path() / name; }
  static gankit::test::TempDir* dir_;
};
gankit::test::TempDir* TrustCli::dir_ = nullptr;

const std::string kTiny = gankit::test::tiny_set_args(2);

// Probe 6: only checkpoints/latest.pt counted as a run; a run killed before its first checkpoint,
// or one whose checkpoints/ was deleted, was overwritten.
TEST_F(TrustCli, AnyNonEmptyFolderCountsAsARun) {
  fs::create_directories(path("killed/samples"));
  gankit::test::write_file(path("killed/metrics.jsonl"), "{\"step\": 2}\n");
  expect_one_line_error(cli("train dcgan-fashion-mnist --out killed" + kTiny), "killed: already holds a run");
  EXPECT_EQ(gankit::test::slurp(path("killed/metrics.jsonl")), "{\"step\": 2}\n");
  gankit::test::write_file(path("someone/notes.txt"), "mine");
  expect_one_line_error(cli("train dcgan-fashion-mnist --out someone" + kTiny), "someone: already holds a run");
  expect_one_line_error(cli("train dcgan-fashion-mnist --out someone/notes.txt" + kTiny), "notes.txt: is a file");
}

// Probes 10 and 19: a file where the run writes a folder (or the reverse) failed only at the
// final save, or said "cannot write: Success".
TEST_F(TrustCli, OutputPathsAreCheckedBeforeTheFirstStep) {
  fs::create_directories(path("blocked"));
  gankit::test::write_file(path("blocked/checkpoints"), "a file");
  expect_one_line_error(cli("train dcgan-fashion-mnist --out blocked --resume" + kTiny),
                        "blocked/checkpoints: is a file, but the run writes a folder there");
  fs::create_directories(path("blocked2/metrics.jsonl"));
  expect_one_line_error(cli("train dcgan-fashion-mnist --out blocked2 --resume" + kTiny),
                        "blocked2/metrics.jsonl: is a folder, but the run writes a file there");
  EXPECT_FALSE(fs::exists(path("blocked2/checkpoints/latest.pt")));
}

// Probe 7: two runs into one folder both "succeeded", one replacing the other's files; two
// default runs started together both chose runs/NAME-3.
TEST_F(TrustCli, ARunHoldsItsFolderAndConcurrentRunsGetTheirOwn) {
  const auto long_run = gankit::test::spawn_shell(
      "cd '" + dir_->path().string() + "' && exec '" + GANKIT_CLI_PATH + "' train dcgan-fashion-mnist --out busy" +
      gankit::test::tiny_set_args(100000) + " >busy.out 2>busy.err");
  ASSERT_TRUE(gankit::test::wait_for([&] { return fs::exists(path("busy/samples")); }));
  expect_one_line_error(cli("train dcgan-fashion-mnist --out busy --resume" + kTiny),
                        "busy: another gankit run is using this folder (pid ");
  ::kill(long_run, SIGKILL);
  gankit::test::wait_exit_code(long_run);
  // The kernel dropped the dead run's lock: resuming it now works (it had no checkpoint yet).
  const auto resumed = cli("train dcgan-fashion-mnist --out busy --resume" + kTiny);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;

  const std::string start = "cd '" + dir_->path().string() + "/together' && exec '" + GANKIT_CLI_PATH +
                            "' train dcgan-fashion-mnist" + kTiny;
  fs::create_directories(path("together"));
  const auto a = gankit::test::spawn_shell(start + " >a.out 2>a.err");
  const auto b = gankit::test::spawn_shell(start + " >b.out 2>b.err");
  EXPECT_EQ(gankit::test::wait_exit_code(a), 0) << gankit::test::slurp(path("together/a.err"));
  EXPECT_EQ(gankit::test::wait_exit_code(b), 0) << gankit::test::slurp(path("together/b.err"));
  EXPECT_TRUE(fs::exists(path("together/runs/dcgan-fashion-mnist/checkpoints/latest.pt")));
  EXPECT_TRUE(fs::exists(path("together/runs/dcgan-fashion-mnist-2/checkpoints/latest.pt")));
}

// A typo in --set must not leave an empty runs/NAME behind (the next run would become NAME-2).
TEST_F(TrustCli, AFailedStartLeavesNoRunFolder) {
  fs::create_directories(path("typo"));
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --set train.lr_g=inf", path("typo")),
                        "train.lr_g = inf is invalid: must be a finite number");
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --set data.image_size=100000", path("typo")),
                        "data.image_size = 100000 is invalid");
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --set model.width=100000", path("typo")),
                        "model.width = 100000 is invalid");
  EXPECT_FALSE(fs::exists(path("typo/runs/dcgan-fashion-mnist")));
}

// Probes 8 and 9: outputs replaced inputs and checkpoints.
TEST_F(TrustCli, NoOutputReplacesAnInputOrACheckpoint) {
  const std::string checkpoint = "run/checkpoints/latest.pt";
  const auto before = gankit::test::slurp(path(checkpoint));
  expect_one_line_error(cli("report run -o " + checkpoint), "is a checkpoint or model file; gankit never replaces one");
  expect_one_line_error(cli("sample " + checkpoint + " -n 4 -o " + checkpoint), "never replaces");
  expect_one_line_error(cli("sample " + checkpoint + " -n 4 -o run/checkpoints"), "holds the input");
  expect_one_line_error(cli("report run -o run/metrics.jsonl"), "is also an input");
  EXPECT_EQ(gankit::test::slurp(path(checkpoint)), before);
  fs::create_directories(path("photos"));
  gankit::io::write_png(path("photos/a.png"), torch::zeros({3, 8, 8}, torch::kUInt8));
  const auto photo = gankit::test::slurp(path("photos/a.png"));
  expect_one_line_error(cli("translate " + checkpoint + " photos -o photos"), "is also an input");
  expect_one_line_error(cli("translate " + checkpoint + " photos/a.png -o photos"), "holds the input");
  EXPECT_EQ(gankit::test::slurp(path("photos/a.png")), photo);
}

// Probes 11 and 20: --truncation 1e-9 never ended; nan and inf meant "off"; --class -1 printed
// a 300-character number.
TEST_F(TrustCli, SamplingOptionsAreBoundedAndShort) {
  const auto tiny = cli("sample run/checkpoints/latest.pt -n 8 -o t.npy --truncation 1e-9");
  ASSERT_EQ(tiny.exit_code, 0) << tiny.err;
  for (const char* bad : {"nan", "inf", "-1"}) {
    expect_one_line_error(cli(std::string("sample run/checkpoints/latest.pt -n 8 -o x.npy --truncation ") + bad),
                          "must be a number from 0 to 1000");
  }
  const auto r = cli("sample run/checkpoints/latest.pt -n 8 -o x.npy --class -1");
  expect_one_line_error(r, "must be a whole number from 0 to 999");
  EXPECT_LT(r.err.size(), 200u) << r.err;
  expect_one_line_error(cli("sample run/checkpoints/latest.pt -n 20000 -o big.png"), "a grid shows at most 10000");
  expect_one_line_error(cli("sample run/checkpoints/latest.pt -n 100000000000 -o x.npy"),
                        "must be a whole number from 1 to 100000000");
  expect_one_line_error(cli("eval run/checkpoints/latest.pt -n 100000000"), "must be a whole number from 1 to 200000");
}

// Probe 13: sampling held every image in memory; it now streams in chunks, and the chunks are
// the very images one draw of them all gives.
TEST_F(TrustCli, ChunkedSamplingEqualsOneDraw) {
  gankit::sample::Sampler sampler(path("run/checkpoints/latest.pt"));
  gankit::sample::SampleOptions options;
  options.count = 70;
  options.seed = 3;
  const auto whole = sampler.sample(options);
  std::vector<torch::Tensor> parts;
  sampler.sample_chunks(options, 16, [&](const gankit::sample::Samples& s) { parts.push_back(s.images); });
  EXPECT_EQ(parts.size(), 5u);
  EXPECT_TRUE(torch::equal(torch::cat(parts), whole.images));
  options.truncation = 1e-6;  // the inverse-CDF fallback: finite, inside the bound, still seeded
  const auto truncated = sampler.sample(options);
  EXPECT_TRUE(torch::equal(truncated.images, sampler.sample(options).images));
  const auto streamed = cli("sample run/checkpoints/latest.pt -n 70 --seed 3 --precision fp32 -o streamed.npy");
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_TRUE(torch::equal(gankit::io::read_npy(path("streamed.npy")), whole.images.permute({0, 2, 3, 1})));
}

// Probe 5: divergence saved NaN weights (and sampling them gave grey images, exit 0); losses of
// 1e25 and an infinite BatchNorm variance finished "successfully".
TEST_F(TrustCli, DivergenceStopsWithoutSavingAndNamesTheLastGoodCheckpoint) {
  const auto r = cli("train dcgan-fashion-mnist --out diverged" + gankit::test::tiny_set_args(12) +
                     " --set train.lr_g=1e15 --set train.lr_d=1e15 --set train.checkpoint_every=1 --set train.log_every=1");
  expect_one_line_error(r, "training diverged at step ");
  if (fs::exists(path("diverged/checkpoints/latest.pt"))) {
    EXPECT_NE(r.err.find("the last good checkpoint is diverged/checkpoints/latest.pt"), std::string::npos) << r.err;
    gankit::sample::Sampler sampler(path("diverged/checkpoints/latest.pt"));
    gankit::sample::SampleOptions options;
    options.count = 4;
    EXPECT_GT(sampler.sample(options).images.to(torch::kFloat).std().item<float>(), 0.0f);
  } else {
    EXPECT_NE(r.err.find("no checkpoint was saved before it"), std::string::npos) << r.err;
  }
}

// Probe 15: train.threads = 1000 was accepted (2 tiny steps took 58 s).
TEST_F(TrustCli, ThreadsBeyondTheCoresAreCappedWithAWarning) {
  const auto r = cli("train dcgan-fashion-mnist --out threads" + kTiny + " --set train.threads=1000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: train.threads = 1000 is more than the"), std::string::npos) << r.err;
  expect_one_line_error(cli("train dcgan-fashion-mnist --out t2" + kTiny + " --set train.threads=5000"),
                        "train.threads = 5000 is invalid");
}

// Probe 21: --resume --set model.width=16 kept width 8 while config.toml said 16.
TEST_F(TrustCli, ResumeKeepsTheModel) {
  expect_one_line_error(cli("train dcgan-fashion-mnist --out run --resume" + kTiny + " --set model.width=16"),
                        "--set model.width=16: a resumed run keeps its model.width = 8");
}

// Probe 12: a 1 MB PNG declaring 30000x30000 pixels cost 4.5 GB per decode.
TEST(TrustImages, PixelCountIsCheckedFromTheHeader) {
  gankit::test::TempDir dir;
  gankit::io::write_png(dir / "wide.png", torch::zeros({1, 4, 300}, torch::kUInt8));
  const auto saved = gankit::io::max_image_pixels();
  gankit::io::set_max_image_pixels(1000);
  EXPECT_TRUE(gankit::test::fails_with([&] { gankit::io::read_image(dir / "wide.png"); },
                                       {"wide.png: image is 300x4 (1200 pixels), more than the limit of 1000",
                                        "data.max_image_pixels"}));
  gankit::io::set_max_image_pixels(saved);
  EXPECT_EQ(gankit::io::read_image(dir / "wide.png").size(2), 300);
}

// Probe 21: float samples holding NaN were scored with a finite FID.
TEST(TrustSamples, NonFiniteFloatSamplesAreRefused) {
  gankit::test::TempDir dir;
  auto images = torch::full({4, 8, 8, 1}, 0.5f);
  images[1][2][3][0] = std::numeric_limits<float>::quiet_NaN();
  gankit::io::write_npy(dir / "nan.npy", images);
  EXPECT_TRUE(gankit::test::fails_with([&] { gankit::sample::read_samples(dir / "nan.npy"); },
                                       {"nan.npy: holds 1 NaN or infinite values"}));
}

}  // namespace
