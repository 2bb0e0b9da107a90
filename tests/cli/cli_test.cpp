// The CLI as users and scripts drive it: the DESIGN.md contract, exit codes, and one clear line
// on stderr for every promised error.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "gankit/report/metrics_log.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::count_lines;
using gankit::test::expect_one_line_error;
using gankit::test::run_cli;

/// One tiny trained run shared by the sampling tests.
class CliWithRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new gankit::test::TempDir();
    const auto r = run_cli("train dcgan-fashion-mnist --out run" + gankit::test::tiny_set_args(4), dir_->path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static gankit::test::CliResult cli(const std::string& args) { return run_cli(args, dir_->path()); }
  static fs::path path(const std::string& name) { return dir_->path() / name; }
  static gankit::test::TempDir* dir_;
};
gankit::test::TempDir* CliWithRun::dir_ = nullptr;


TEST_F(CliWithRun, TrainTellsWhereTheRunIs) {
  EXPECT_TRUE(fs::exists(path("run/checkpoints/latest.pt")));
  EXPECT_TRUE(fs::exists(path("run/samples/step_000004.png")));
}

TEST_F(CliWithRun, SampleWritesNpyAsUint8NHWC) {
  const auto r = cli("sample run/checkpoints/latest.pt -n 10 -o s.npy");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto samples = gankit::io::read_npy(path("s.npy"));
  EXPECT_EQ(samples.sizes(), (std::vector<int64_t>{10, 16, 16, 1}));
  EXPECT_EQ(samples.scalar_type(), torch::kUInt8);
  EXPECT_GT(samples.to(torch::kFloat).std().item<float>(), 1.0f);  // not a blank image
  EXPECT_FALSE(fs::exists(path("s.labels.npy")));                // unconditional: no labels
}

TEST_F(CliWithRun, SampleIsDeterministicForASeed) {
  ASSERT_EQ(cli("sample run/checkpoints/latest.pt -n 6 -o a.npy --seed 5").exit_code, 0);
  ASSERT_EQ(cli("sample run/checkpoints/latest.pt -n 6 -o b.npy --seed 5").exit_code, 0);
  ASSERT_EQ(cli("sample run/checkpoints/latest.pt -n 6 -o c.npy --seed 6").exit_code, 0);
  EXPECT_EQ(gankit::test::slurp(path("a.npy")), gankit::test::slurp(path("b.npy")));
  EXPECT_NE(gankit::test::slurp(path("a.npy")), gankit::test::slurp(path("c.npy")));
}

TEST_F(CliWithRun, SampleWritesAGridOrAFolder) {
  ASSERT_EQ(cli("sample run/checkpoints/latest.pt -n 100 -o grid.png").exit_code, 0);
  EXPECT_EQ(gankit::io::read_image(path("grid.png")).sizes(), (std::vector<int64_t>{1, 182, 182}));
  ASSERT_EQ(cli("sample run/checkpoints/latest.pt -n 3 -o pngs").exit_code, 0);
  for (const char* name : {"pngs/000000.png", "pngs/000002.png"}) {
    EXPECT_EQ(gankit::io::read_image(path(name)).sizes(), (std::vector<int64_t>{1, 16, 16})) << name;
  }
  EXPECT_FALSE(fs::exists(path("pngs/000003.png")));
}

TEST_F(CliWithRun, TruncationKeepsSamplesValid) {
  ASSERT_EQ(cli("sample run/checkpoints/latest.pt -n 4 -o t.npy --truncation 0.5").exit_code, 0);
  EXPECT_NE(gankit::test::slurp(path("t.npy")), "");
}

TEST_F(CliWithRun, InfoDescribesTheCheckpoint) {
  const auto r = cli("info run/checkpoints/latest.pt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("model:      dcgan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step:       4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fashion-mnist test"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[train]"), std::string::npos) << r.out;
  const auto models = cli("info --models");
  EXPECT_NE(models.out.find("dcgan"), std::string::npos);
  EXPECT_NE(models.out.find("mlp"), std::string::npos);
}

TEST_F(CliWithRun, SampleErrorsAreOneLine) {
  expect_one_line_error(cli("sample run/checkpoints/latest.pt -n 4 -o x.npy --class 1"),
                        "--class needs a conditional model; dcgan is unconditional");
  expect_one_line_error(cli("sample run/checkpoints/latest.pt -n 4 -o x.jpg"), "unknown output kind '.jpg'");
  expect_one_line_error(cli("sample run/checkpoints/latest.pt -n 0 -o x.npy"), "--count: '0' must be a whole number from 1");
  expect_one_line_error(cli("sample run -n 4 -o x.npy"), "is a folder");
}

TEST(Cli, CorruptOrMissingCheckpointsAreOneLineErrors) {
  gankit::test::TempDir dir;
  std::ofstream(dir / "junk.pt") << "this is not a checkpoint";
  expect_one_line_error(run_cli("sample junk.pt -n 1 -o x.npy", dir.path()), "junk.pt: not a gankit checkpoint");
  expect_one_line_error(run_cli("info junk.pt", dir.path()), "junk.pt: not a gankit checkpoint");
  expect_one_line_error(run_cli("info nothing.pt", dir.path()), "nothing.pt: no such checkpoint");
  // A real zip archive that is not ours.
  torch::serialize::OutputArchive other;
  other.write("weights", torch::zeros({2}));
  other.save_to((dir / "foreign.pt").string());
  expect_one_line_error(run_cli("info foreign.pt", dir.path()), "foreign.pt: not a gankit checkpoint (no 'format' entry)");
}

TEST(Cli, TruncatedCheckpointIsAOneLineError) {
  gankit::test::TempDir dir;
  ASSERT_EQ(run_cli("train dcgan-fashion-mnist --out r" + gankit::test::tiny_set_args(1), dir.path()).exit_code, 0);
  const auto bytes = gankit::test::slurp(dir / "r/checkpoints/latest.pt");
  std::ofstream(dir / "cut.pt", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  expect_one_line_error(run_cli("sample cut.pt -n 1 -o x.npy", dir.path()), "cut.pt: damaged checkpoint (truncated");
}

TEST(Cli, ConfigErrorsAreOneLine) {
  gankit::test::TempDir dir;
  expect_one_line_error(run_cli("train no-such-config", dir.path()), "no-such-config: no such config");
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --set train.stepz=3", dir.path()),
                        "unknown key 'train.stepz' (did you mean 'train.steps'?)");
  std::ofstream(dir / "bad.toml") << "[train]\nbatch = 3\n";
  expect_one_line_error(run_cli("train bad.toml", dir.path()), "bad.toml: unknown key 'train.batch'");
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --set data.path=/nonexistent/fm", dir.path()),
                        "/nonexistent/fm");
  EXPECT_FALSE(fs::exists(dir / "runs/dcgan-fashion-mnist/checkpoints"));
}

TEST(Cli, DefaultRunDirectoryNeverReusesAnEarlierRun) {
  gankit::test::TempDir dir;
  ASSERT_EQ(run_cli("train dcgan-fashion-mnist" + gankit::test::tiny_set_args(1), dir.path()).exit_code, 0);
  const auto second = run_cli("train dcgan-fashion-mnist" + gankit::test::tiny_set_args(1), dir.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("run directory: runs/dcgan-fashion-mnist-2"), std::string::npos) << second.out;
  EXPECT_TRUE(fs::exists(dir / "runs/dcgan-fashion-mnist/checkpoints/latest.pt"));
  EXPECT_TRUE(fs::exists(dir / "runs/dcgan-fashion-mnist-2/checkpoints/latest.pt"));
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --out runs/dcgan-fashion-mnist" + gankit::test::tiny_set_args(1),
                                dir.path()),
                        "already holds a run; pass --resume");
}

/// Starts `gankit ARGS` in the background in `cwd` (output to out.log, err.log); its pid.
pid_t spawn_cli(const std::string& args, const fs::path& cwd) {
  return gankit::test::spawn_shell("cd '" + cwd.string() + "' && exec '" + std::string(GANKIT_CLI_PATH) + "' " + args +
                                   " >out.log 2>err.log");
}

TEST(Cli, KilledRunResumesFromItsLastCheckpoint) {
  gankit::test::TempDir dir;
  const std::string run = "train dcgan-fashion-mnist --out r" + gankit::test::tiny_set_args(100000) +
                          " --set train.checkpoint_every=5";
  const pid_t pid = spawn_cli(run, dir.path());
  ASSERT_TRUE(gankit::test::wait_for([&] { return fs::exists(dir / "r/checkpoints/step_000010.pt"); }));
  kill(pid, SIGKILL);  // no chance to save: the last periodic checkpoint must do
  gankit::test::wait_exit_code(pid);
  const int64_t saved = gankit::checkpoint::open_checkpoint(dir / "r/checkpoints/latest.pt").header.step;
  EXPECT_GE(saved, 10);
  EXPECT_EQ(saved % 5, 0);

  const auto resumed = run_cli("train dcgan-fashion-mnist --out r --resume --set train.steps=" + std::to_string(saved + 4),
                               dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resuming r from step " + std::to_string(saved)), std::string::npos) << resumed.out;
  EXPECT_EQ(gankit::checkpoint::open_checkpoint(dir / "r/checkpoints/latest.pt").header.step, saved + 4);
  const auto records = gankit::report::MetricsLog::read(dir / "r/metrics.jsonl");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back()["step"], saved + 4);
  for (size_t i = 1; i < records.size(); ++i) EXPECT_LT(records[i - 1]["step"], records[i]["step"]);
}

TEST(Cli, CtrlCStopsWithACheckpointAndExitCode130) {
  gankit::test::TempDir dir;
  const pid_t pid = spawn_cli("train dcgan-fashion-mnist --out r" + gankit::test::tiny_set_args(100000) +
                                  " --set train.checkpoint_every=0 --set train.sample_every=0",
                              dir.path());
  ASSERT_TRUE(gankit::test::wait_for([&] { return !gankit::report::MetricsLog::read(dir / "r/metrics.jsonl").empty(); }));
  kill(pid, SIGINT);
  EXPECT_EQ(gankit::test::wait_exit_code(pid), 130);
  const int64_t step = gankit::checkpoint::open_checkpoint(dir / "r/checkpoints/latest.pt").header.step;
  EXPECT_GE(step, 2);
  EXPECT_NE(gankit::test::slurp(dir / "out.log").find("interrupted at step " + std::to_string(step)), std::string::npos);
}

}  // namespace
