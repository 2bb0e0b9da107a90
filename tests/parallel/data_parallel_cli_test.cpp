// `gankit train --nproc 2` and torchrun-style launches: two real processes over loopback, the way
// users run them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/parallel/local_launcher.h"
#include "gankit/report/metrics_log.h"
#include "support/cli.h"
#include "support/tiny_run.h"

namespace gankit::test {
namespace {

namespace fs = std::filesystem;

/// Every tensor of a checkpoint's networks, by path ("generator/body/0/weight", ...).
void collect(torch::serialize::InputArchive& archive, const std::string& prefix,
             std::map<std::string, torch::Tensor>& out) {
  for (const auto& key : archive.keys()) {
    torch::Tensor tensor;
    torch::serialize::InputArchive child;
    if (archive.try_read(key, tensor)) {
      out[prefix + key] = tensor;
    } else if (archive.try_read(key, child)) {
      collect(child, prefix + key + "/", out);
    }
  }
}

std::map<std::string, torch::Tensor> network_tensors(const fs::path& checkpoint) {
  auto opened = checkpoint::open_checkpoint(checkpoint);
  std::map<std::string, torch::Tensor> out;
  for (const char* network : {"generator", "discriminator"}) {
    torch::serialize::InputArchive archive;
    EXPECT_TRUE(opened.archive.try_read(network, archive)) << network;
    collect(archive, std::string(network) + "/", out);
  }
  return out;
}

/// Largest |a - b| over the networks' parameters (not BatchNorm's running statistics when
/// `buffers` is false), with both checkpoints holding the same tensors.
double max_difference(const fs::path& a, const fs::path& b, bool buffers = true) {
  const auto x = network_tensors(a), y = network_tensors(b);
  EXPECT_EQ(x.size(), y.size());
  EXPECT_GT(x.size(), 4u);
  double worst = 0;
  for (const auto& [name, tensor] : x) {
    if (!buffers && (name.find("running_") != std::string::npos || name.find("num_batches") != std::string::npos)) {
      continue;
    }
    const auto other = y.find(name);
    if (other == y.end()) {
      ADD_FAILURE() << name << " missing";
      continue;
    }
    const double difference =
        (tensor.to(torch::kDouble) - other->second.to(torch::kDouble)).abs().max().item<double>();
    if (std::getenv("GANKIT_TEST_VERBOSE")) std::cerr << name << " " << difference << "\n";
    worst = std::max(worst, difference);
  }
  return worst;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// DCGAN with BatchNorm in G and D, tiny; sync_bn makes 2 x 8 the same computation as 1 x 16. In
// float32: bf16 (what auto picks on a CPU with bf16 units) rounds the two splits differently.
const std::string kTiny = "dcgan-fashion-mnist" + tiny_set_args(6) + " --set train.sync_bn=true --set train.precision=fp32";

TEST(DataParallelCli, TwoProcessesTrainLikeOneWithTheDoubledBatch) {
  TempDir dir;
  const auto two = run_cli("train " + kTiny + " --set train.batch_size=8 --nproc 2 --out two", dir.path());
  ASSERT_EQ(two.exit_code, 0) << two.out << two.err;
  EXPECT_TRUE(contains(two.out, "starting 2 worker processes")) << two.out;
  EXPECT_TRUE(contains(two.out, "batch 16 (2 processes x 8)")) << two.out;
  // Checked by the trainer itself at every checkpoint (3 and 6): parameters bit-identical.
  EXPECT_TRUE(contains(two.out, "2 processes: weights identical on every rank at step 6")) << two.out;
  const auto one = run_cli("train " + kTiny + " --set train.batch_size=16 --out one", dir.path());
  ASSERT_EQ(one.exit_code, 0) << one.err;

  EXPECT_LT(max_difference(dir / "two/checkpoints/latest.pt", dir / "one/checkpoints/latest.pt"), 1e-5);
  // One run directory, written once: rank 1 added no lines, grids or checkpoints.
  const auto records = report::MetricsLog::read(dir / "two/metrics.jsonl");
  ASSERT_EQ(records.size(), 3u);  // steps 2, 4, 6
  const auto reference = report::MetricsLog::read(dir / "one/metrics.jsonl");
  EXPECT_NEAR(records[2]["loss_d"].get<double>(), reference[2]["loss_d"].get<double>(), 1e-3);
  EXPECT_NEAR(records[2]["loss_g"].get<double>(), reference[2]["loss_g"].get<double>(), 1e-3);
  EXPECT_TRUE(fs::exists(dir / "two/samples/step_000006.png"));
  EXPECT_TRUE(fs::exists(dir / "two/report.html"));
}

TEST(DataParallelCli, ResumedTwoProcessRunEqualsAnUninterruptedOne) {
  TempDir dir;
  const std::string run = "train dcgan-fashion-mnist" + tiny_set_args(6) + " --nproc 2";
  ASSERT_EQ(run_cli(run + " --out straight", dir.path()).exit_code, 0);
  ASSERT_EQ(run_cli("train dcgan-fashion-mnist" + tiny_set_args(3) + " --nproc 2 --out split", dir.path()).exit_code, 0);
  const auto resumed = run_cli("train dcgan-fashion-mnist --nproc 2 --out split --resume --set train.steps=6", dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(contains(resumed.out, "resuming split from step 3")) << resumed.out;
  // Per-rank BatchNorm: rank 0's running statistics are the ones saved, so parameters only.
  EXPECT_EQ(max_difference(dir / "straight/checkpoints/latest.pt", dir / "split/checkpoints/latest.pt", false), 0.0);
}

/// Starts `gankit ARGS` as rank `rank` of a 2-process job at `port` in `cwd`, the way torchrun
/// would (environment only); returns its pid. Output goes to cwd/rankR.out and .err.
pid_t start_rank(int rank, int port, const std::string& args, const fs::path& cwd) {
  const std::string command = fmt::format(
      "cd '{}' && MASTER_ADDR=127.0.0.1 MASTER_PORT={} RANK={} LOCAL_RANK={} WORLD_SIZE=2 OMP_NUM_THREADS=1 "
      "exec '{}' {} >rank{}.out 2>rank{}.err </dev/null",
      cwd.string(), port, rank, rank, GANKIT_CLI_PATH, args, rank, rank);
  return spawn_shell(command);
}

TEST(DataParallelCli, TorchrunStyleRanksOnMachinesThatShareNoDisk) {
  // Two "machines": each rank has its own working directory. Only rank 0's gets a run; rank 1
  // takes the config, and on resume the checkpoint, from rank 0.
  TempDir machine0, machine1;
  const std::string args = "train dcgan-fashion-mnist" + tiny_set_args(3) + " --out run --dist-timeout 60";
  int port = parallel::free_local_port();
  auto rank1 = start_rank(1, port, args + " --set train.seed=999", machine1.path());  // rank 0's config wins
  auto rank0 = start_rank(0, port, args, machine0.path());
  ASSERT_EQ(wait_exit_code(rank0), 0) << slurp(machine0 / "rank0.err");
  ASSERT_EQ(wait_exit_code(rank1), 0) << slurp(machine1 / "rank1.err");
  EXPECT_TRUE(fs::exists(machine0 / "run/checkpoints/latest.pt"));
  EXPECT_FALSE(fs::exists(machine1 / "run")) << "rank 1 wrote files";
  EXPECT_TRUE(contains(slurp(machine0 / "rank0.out"), "weights identical on every rank at step 3"));
  EXPECT_EQ(slurp(machine1 / "rank1.out"), "");

  port = parallel::free_local_port();
  rank1 = start_rank(1, port, "train dcgan-fashion-mnist --out run --resume --set train.steps=6", machine1.path());
  rank0 = start_rank(0, port, "train dcgan-fashion-mnist --out run --resume --set train.steps=6", machine0.path());
  ASSERT_EQ(wait_exit_code(rank0), 0) << slurp(machine0 / "rank0.err");
  ASSERT_EQ(wait_exit_code(rank1), 0) << slurp(machine1 / "rank1.err");
  EXPECT_TRUE(contains(slurp(machine0 / "rank0.out"), "resuming run from step 3"));
  EXPECT_TRUE(contains(slurp(machine0 / "rank0.out"), "weights identical on every rank at step 6"));
  EXPECT_EQ(checkpoint::open_checkpoint(machine0 / "run/checkpoints/latest.pt").header.step, 6);
}

/// The pid of the worker with RANK=`rank` among `launcher`'s children, or -1.
pid_t worker_pid(pid_t launcher, int rank) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state;
    long parent = 0;
    stat >> pid >> comm >> state >> parent;
    if (parent != launcher) continue;
    const std::string variables = '\0' + slurp(entry.path() / "environ");
    const std::string wanted = '\0' + ("RANK=" + std::to_string(rank)) + '\0';  // not LOCAL_RANK=
    if (variables.find(wanted) != std::string::npos) {
      return static_cast<pid_t>(std::stol(name));
    }
  }
  return -1;
}

/// Runs a long `--nproc 2` job, does `act(rank 1's pid)` once it trains, and returns the
/// launcher's exit code, stderr and how long it took to stop after `act`.
struct Stopped {
  int exit_code = -1;
  std::string err;
  double seconds = 0;
};
Stopped act_on_rank_1(const fs::path& dir, const std::string& extra,
                      const std::function<void(pid_t launcher, pid_t rank1)>& act) {
  const std::string command = fmt::format(
      "cd '{}' && exec '{}' train dcgan-fashion-mnist{} --set train.log_every=1 --set train.steps=100000 "
      "--nproc 2 --out run{} >launcher.out 2>launcher.err </dev/null",
      dir.string(), GANKIT_CLI_PATH, tiny_set_args(6), extra);
  const pid_t launcher = spawn_shell(command);
  // Wait for training to be under way (rank 0 logs step 2).
  wait_for([&] { return contains(slurp(dir / "launcher.out"), "step 2/"); });
  const pid_t rank1 = worker_pid(launcher, 1);
  EXPECT_GT(rank1, 0) << slurp(dir / "launcher.out") << slurp(dir / "launcher.err");
  const auto start = std::chrono::steady_clock::now();
  if (rank1 > 0) act(launcher, rank1);
  Stopped result;
  result.exit_code = wait_exit_code(launcher);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.err = slurp(dir / "launcher.err");
  return result;
}

TEST(DataParallelCli, AKilledWorkerStopsTheJobWithAnErrorNamingItsRank) {
  TempDir dir;
  const auto stopped = act_on_rank_1(dir.path(), "", [](pid_t, pid_t rank1) { kill(rank1, SIGKILL); });
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_TRUE(contains(stopped.err, "gankit: error: rank 1 (pid ")) << stopped.err;
  EXPECT_TRUE(contains(stopped.err, "was killed by signal 9")) << stopped.err;
  EXPECT_TRUE(contains(stopped.err, "gankit: error: rank 0: lost rank 1 during")) << stopped.err;
  EXPECT_LT(stopped.seconds, 60) << "the job did not stop promptly";
  // Earlier results are intact: the last checkpoint written (if any) still opens.
  if (fs::exists(dir / "run/checkpoints/latest.pt"))
    checkpoint::open_checkpoint(dir / "run/checkpoints/latest.pt");
}

TEST(DataParallelCli, AStuckWorkerIsNamedAfterTheTimeout) {
  TempDir dir;
  const auto stopped = act_on_rank_1(dir.path(), " --dist-timeout 3", [](pid_t, pid_t rank1) { kill(rank1, SIGSTOP); });
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_TRUE(contains(stopped.err, "gankit: error: rank 0: no answer from rank 1 within 3 s")) << stopped.err;
  EXPECT_TRUE(contains(stopped.err, "rank 1 (pid ")) << stopped.err;  // the launcher kills the stuck one
  EXPECT_LT(stopped.seconds, 60);
}

TEST(DataParallelCli, CtrlCStopsEveryRankAtTheSameStepWithACheckpoint) {
  TempDir dir;
  // SIGINT to the launcher alone, as a terminal's Ctrl-C reaches it: it forwards it once.
  const auto stopped = act_on_rank_1(dir.path(), "", [](pid_t launcher, pid_t) { kill(launcher, SIGINT); });
  EXPECT_EQ(stopped.exit_code, 130) << stopped.err;
  EXPECT_EQ(stopped.err, "");
  const auto header = checkpoint::open_checkpoint(dir / "run/checkpoints/latest.pt").header;
  EXPECT_GT(header.step, 1);
}

TEST(DataParallelCli, ErrorsAreOneLineAndNameTheRank) {
  TempDir dir;
  // rank 0 refuses the run directory; rank 1 hears of it and stops too
  ASSERT_EQ(run_cli("train dcgan-fashion-mnist" + tiny_set_args(2) + " --out run", dir.path()).exit_code, 0);
  const auto taken = run_cli("train dcgan-fashion-mnist" + tiny_set_args(2) + " --nproc 2 --out run", dir.path());
  EXPECT_NE(taken.exit_code, 0);
  EXPECT_TRUE(contains(taken.err, "gankit: error: rank 0: run: already holds a run")) << taken.err;
  EXPECT_TRUE(contains(taken.err, "gankit: error: rank 1: rank 0 could not start the run")) << taken.err;

  expect_one_line_error(run_cli("train dcgan-fashion-mnist --nproc 0", dir.path()), "--nproc");
  expect_one_line_error(run_cli("train dcgan-fashion-mnist --dist-timeout 0 --nproc 2", dir.path()), "--dist-timeout 0");
  // fewer images than one global batch
  const auto small = run_cli("train dcgan-fashion-mnist" + tiny_set_args(2) + " --set train.batch_size=6000 --nproc 2 --out small",
                             dir.path());
  EXPECT_NE(small.exit_code, 0);
  EXPECT_TRUE(contains(small.err, "fewer than one global batch of 12000 (2 processes x 6000)")) << small.err;

  // the launcher environment, checked before anything starts
  const auto with_env = [&](const std::string& vars, const std::string& extra = "") {
    const auto out = dir / ".env.out", err = dir / ".env.err";
    const std::string command = fmt::format("cd '{}' && env {} '{}' train dcgan-fashion-mnist{} >'{}' 2>'{}' </dev/null",
                                            dir.path().string(), vars, GANKIT_CLI_PATH, extra, out.string(), err.string());
    const int status = std::system(command.c_str());
    return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  };
  expect_one_line_error(with_env("WORLD_SIZE=2"), "WORLD_SIZE=2 is set but RANK is not");
  expect_one_line_error(with_env("WORLD_SIZE=2 RANK=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=1234"),
                        "RANK=2 is not an integer in [0, 1]");
  expect_one_line_error(with_env("WORLD_SIZE=2 RANK=0"), "needs MASTER_ADDR and MASTER_PORT");
  expect_one_line_error(with_env("WORLD_SIZE=2 RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=99999"),
                        "MASTER_PORT=99999 is not an integer in [1, 65535]");
  expect_one_line_error(with_env("WORLD_SIZE=two RANK=0"), "WORLD_SIZE=two is not an integer");
  expect_one_line_error(with_env("WORLD_SIZE=2 RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=1234", " --nproc 2"),
                        "already one rank of a job");
  // WORLD_SIZE=1 is a single process
  EXPECT_EQ(with_env("WORLD_SIZE=1", tiny_set_args(1) + " --out single").exit_code, 0);
}

}  // namespace
}  // namespace gankit::test
