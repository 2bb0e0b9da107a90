// Checkpoint integrity as users meet it: a damaged, crafted or half-written checkpoint is one line
// on stderr naming the file, for every command that reads one; a full disk while saving is one
// line too and leaves neither a temp file nor a broken checkpoint behind.
#include <gtest/gtest.h>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/compute/cpu_features.h"
#include "gankit/models/domain_classifier_file.h"
#include "support/cli.h"
#include "support/tiny_run.h"
#include "support/torch_zip.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::expect_one_line_error;
using gankit::test::run_cli;

const fs::path kLegacy = fs::path(GANKIT_TEST_DATA_DIR) / "checkpoint/legacy_dcgan_ema.pt";

/// A run trained for a few steps, and its latest checkpoint with one bit flipped.
class DamagedCheckpoint : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new gankit::test::TempDir();
    const auto r = run_cli("train dcgan-fashion-mnist --out run" + gankit::test::tiny_set_args(3), dir_->path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto bytes = gankit::test::slurp(dir_->path() / "run/checkpoints/latest.pt");
    bytes[bytes.size() * 2 / 3] ^= 0x08;  // inside the weights
    gankit::test::write_file(dir_->path() / "flipped.pt", bytes);
  }
  static void TearDownTestSuite() { delete dir_; }
  static gankit::test::CliResult cli(const std::string& args) { return run_cli(args, dir_->path()); }
  static gankit::test::TempDir* dir_;
};
gankit::test::TempDir* DamagedCheckpoint::dir_ = nullptr;

TEST_F(DamagedCheckpoint, InfoSampleAndEvalSayOneLine) {
  const std::string line = "flipped.pt: damaged checkpoint (checksum mismatch";
  expect_one_line_error(cli("info flipped.pt"), line);
  expect_one_line_error(cli("sample flipped.pt -n 4 -o s.npy"), line);
  gankit::models::DomainClassifier net(gankit::models::DomainClassifierOptions(1, 16, 10).width(4).feature_dim(8));
  gankit::models::save_domain_classifier(dir_->path() / "judge.pt", net, {});
  expect_one_line_error(cli("eval flipped.pt --n 8 --metrics fid --features classifier:judge.pt"), line);
  EXPECT_FALSE(fs::exists(dir_->path() / "s.npy"));
}

TEST_F(DamagedCheckpoint, ResumeSaysOneLineNamingTheFile) {
  const auto run = dir_->path() / "resumed";
  fs::create_directories(run);
  fs::copy(dir_->path() / "run", run, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::copy_file(dir_->path() / "flipped.pt", run / "checkpoints/latest.pt", fs::copy_options::overwrite_existing);
  expect_one_line_error(cli("train dcgan-fashion-mnist --out resumed --resume --set train.steps=5"),
                        "latest.pt: damaged checkpoint (checksum mismatch");
}

TEST(CheckpointCli, CraftedLegacyCheckpointsAreOneLineErrors) {
  gankit::test::TempDir dir;
  using gankit::test::pickle_str;
  gankit::test::write_file(dir / "system.pt", gankit::test::torch_zip_with_attribute(
                                                  "format", "cposix\nsystem\n" + pickle_str("touch owned") + "\x85R"));
  gankit::test::write_file(dir / "deep.pt",
                           gankit::test::torch_zip_with_attribute("format", ")" + std::string(200000, '\x85')));
  gankit::test::write_file(dir / "deep_list.pt", gankit::test::torch_zip_with_attribute(
                                                     "format", std::string(100000, ']') + std::string(99999, 'a')));
  for (const char* command : {"info", "sample"}) {
    const std::string tail = std::string(command) == "sample" ? " -n 1 -o x.npy" : "";
    expect_one_line_error(run_cli(std::string(command) + " system.pt" + tail, dir.path()),
                          "system.pt: not a gankit checkpoint (pickle calls posix.system, which gankit never writes)");
    expect_one_line_error(run_cli(std::string(command) + " deep.pt" + tail, dir.path()),
                          "deep.pt: not a gankit checkpoint (format nests values deeper than 8 levels");
    expect_one_line_error(run_cli(std::string(command) + " deep_list.pt" + tail, dir.path()),
                          "deep_list.pt: not a gankit checkpoint (format holds a list");
  }
  EXPECT_FALSE(fs::exists(dir / "owned"));
}

TEST(CheckpointCli, LegacyCheckpointsStillSampleAndResume) {
  gankit::test::TempDir dir;
  const auto info = run_cli("info " + kLegacy.string(), dir.path());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("step"), std::string::npos);
  const auto sampled = run_cli("sample " + kLegacy.string() + " -n 4 -o s.npy", dir.path());
  EXPECT_EQ(sampled.exit_code, 0) << sampled.err;
  EXPECT_TRUE(fs::exists(dir / "s.npy"));
  // A run whose latest checkpoint is an old one continues from it and saves the new format.
  fs::create_directories(dir / "run/checkpoints");
  fs::copy_file(kLegacy, dir / "run/checkpoints/latest.pt");
  const auto resumed = run_cli("train dcgan-fashion-mnist --out run --resume --set train.steps=3", dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(gankit::checkpoint::open_checkpoint(dir / "run/checkpoints/latest.pt").header.step, 3);
  EXPECT_NE(gankit::test::slurp(dir / "run/checkpoints/latest.pt").substr(0, 2), "PK");  // a tensor file now
}

/// Whether this CPU runs bf16 training (oneDNN's bf16 kernels need AVX-512).
bool cpu_runs_bf16() {
  return torch::hasMKLDNN() && gankit::compute::detect_cpu_features().avx512;
}

TEST(CheckpointCli, ARunRecordedInBf16ResumesOnACpuWithoutIt) {
  // The legacy run was trained at bf16 on an AVX-512 machine. Moved to a CPU without bf16, it
  // continues at fp32 with a warning rather than being lost; a user's explicit bf16 is refused.
  gankit::test::TempDir dir;
  fs::create_directories(dir / "run/checkpoints");
  fs::copy_file(kLegacy, dir / "run/checkpoints/latest.pt");
  const std::string resume = "train dcgan-fashion-mnist --out run --resume --set train.steps=3";
  if (cpu_runs_bf16()) {
    const auto resumed = run_cli(resume, dir.path());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(resumed.err.find("warning"), std::string::npos) << resumed.err;
    return;
  }
  expect_one_line_error(run_cli(resume + " --set train.precision=bf16", dir.path()),
                        "train.precision: bf16 on the CPU needs AVX-512");
  const auto resumed = run_cli(resume, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("gankit: warning: this run trained at train.precision = bf16, which cannot run here"),
            std::string::npos)
      << resumed.err;
  EXPECT_NE(resumed.out.find("precision fp32"), std::string::npos) << resumed.out;
  EXPECT_NE(gankit::test::slurp(dir / "run/config.toml").find("precision = 'fp32'"), std::string::npos);
  EXPECT_EQ(gankit::checkpoint::open_checkpoint(dir / "run/checkpoints/latest.pt").header.step, 3);
}

/// Runs `command` (gankit arguments) with its working folder `dir`/full a tmpfs of `size`, in a
/// private mount namespace; false when this machine cannot (not root, no unshare).
bool run_on_small_disk(const gankit::test::TempDir& dir, const std::string& size, const std::string& args) {
  if (std::system("unshare -m true >/dev/null 2>&1") != 0) return false;
  fs::create_directories(dir / "full");
  const std::string d = dir.path().string();
  const std::string script = "mount -t tmpfs -o size=" + size + " tmpfs '" + d + "/full' || exit 99; cd '" + d +
                             "/full' && '" + GANKIT_CLI_PATH + "' " + args + " >'" + d + "/out' 2>'" + d +
                             "/err' </dev/null; echo \\$? >'" + d + "/rc'; ls -a run/checkpoints >'" + d +
                             "/listing'; cp run/checkpoints/latest.pt '" + d + "/latest.pt' 2>/dev/null; exit 0";
  const int status = std::system(("unshare -m sh -c \"" + script + "\"").c_str());
  return status == 0;
}

TEST(CheckpointCli, AFullDiskIsOneLineAndLeavesTheLastCheckpoint) {
  gankit::test::TempDir dir;
  // Every step a checkpoint, each kept by its step_N.pt link, until the disk is full.
  const std::string args = "train dcgan-fashion-mnist --out run --set train.steps=40 --set model.width=8 "
                           "--set model.z_dim=8 --set data.image_size=16 --set data.split=test "
                           "--set train.batch_size=8 --set train.threads=1 --set train.sample_every=0 "
                           "--set train.checkpoint_every=1 --set report.tensorboard=false";
  if (!run_on_small_disk(dir, "1m", args)) GTEST_SKIP() << "cannot mount a small tmpfs here";
  const std::string err = gankit::test::slurp(dir / "err");
  EXPECT_NE(std::stoi(gankit::test::slurp(dir / "rc")), 0);
  EXPECT_EQ(gankit::test::count_lines(err), 1) << err;
  EXPECT_NE(err.find("cannot write (No space left on device)"), std::string::npos) << err;
  const std::string listing = gankit::test::slurp(dir / "listing");
  EXPECT_EQ(listing.find(".tmp"), std::string::npos) << listing;
  ASSERT_TRUE(fs::exists(dir / "latest.pt")) << listing;
  EXPECT_GE(gankit::checkpoint::open_checkpoint(dir / "latest.pt").header.step, 1);
}

}  // namespace
