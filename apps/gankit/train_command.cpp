// gankit train CONFIG.toml [--set KEY=VALUE]... [--out DIR] [--resume] [--nproc N] [--dist-timeout S]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>

#include "commands.h"
#include "gankit/compat.h"
#include "gankit/error.h"
#include "gankit/parallel/group.h"
#include "gankit/parallel/local_launcher.h"
#include "gankit/system/resources.h"
#include "gankit/train/run_directory.h"
#include "gankit/train/trainer.h"

namespace gankit::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C stops at once
  std::signal(SIGTERM, SIG_DFL);
}

/// runs/<config name>, or runs/<config name>-2, -3, ...: a new folder, so an earlier run is never touched.
fs::path fresh_run_dir(const fs::path& config_path) {
  return train::create_fresh_run_dir(fs::path("runs") / config_path.stem());
}

/// A resumed run keeps what its networks and their data are: changing one of these keys would
/// make config.toml describe a model other than the one in the checkpoint.
void check_resume_overrides(const config::Config& stored, const config::Config& changed) {
  for (const char* key : {"model.name", "model.z_dim", "model.width", "data.name", "data.image_size",
                          "data.channels", "data.pairs", "data.direction", "train.optimizer", "train.loss",
                          "train.ema"}) {
    if (stored.value_text(key) != changed.value_text(key)) {
      fail("--set {}={}: a resumed run keeps its {} = {}; to change it, start a new run (another --out)", key,
           changed.value_text(key), key, stored.value_text(key));
    }
  }
}

/// Removes a run folder this command created when the run failed before writing anything.
void remove_if_unused(const fs::path& dir) {
  std::error_code ec;
  fs::remove(dir / train::kRunLockFile, ec);
  for (const char* folder : {"checkpoints", "samples"}) fs::remove(dir / folder, ec);  // only if empty
  fs::remove(dir, ec);
}

struct TrainArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out;
  bool resume = false;
  int nproc = 0;                // 0: not a launcher
  double dist_timeout = 600.0;  // seconds
};

/// `gankit train --nproc N`: N workers of this command on this machine, one run directory.
void launch_workers(const TrainArgs& args, const fs::path& run_dir) {
  if (parallel::launch_environment_from_env()) {
    fail("--nproc {}: this process is already one rank of a job (WORLD_SIZE is set, e.g. by torchrun); "
         "drop --nproc",
         args.nproc);
  }
  if (!parallel::distributed_available()) {
    fail("--nproc {}: this gankit was built against a LibTorch without c10d Gloo", args.nproc);
  }
  std::vector<std::string> worker_args{"train", args.config, "--out", run_dir.string(), "--dist-timeout",
                                       fmt::format("{}", args.dist_timeout)};
  for (const auto& assignment : args.overrides) worker_args.insert(worker_args.end(), {"--set", assignment});
  if (args.resume) worker_args.push_back("--resume");
  parallel::LocalLaunchOptions options;
  options.nproc = args.nproc;
  options.threads_per_worker = static_cast<int>(std::max<int64_t>(1, system::available_cores() / args.nproc));
  // After one worker fails the others stop by themselves within the timeout; then they are killed.
  options.grace = std::chrono::milliseconds(static_cast<int64_t>(std::min(args.dist_timeout, 15.0) * 1000));
  std::cout << fmt::format("starting {} worker processes ({} threads each); rank 0 reports\n", args.nproc,
                           options.threads_per_worker)
            << std::flush;
  exit_code() = parallel::launch_local_workers(worker_args, options);
}

void run_train(const TrainArgs& args) {
  if (args.dist_timeout <= 0) fail("--dist-timeout {}: must be positive", args.dist_timeout);
  if (args.nproc > 1) {
    const fs::path config_path = config::resolve_config_path(args.config);
    launch_workers(args, args.out.empty() ? fresh_run_dir(config_path) : fs::path(args.out));
    return;
  }
  train::TrainerOptions options;
  if (const auto env = parallel::launch_environment_from_env()) {
    parallel::GroupOptions group_options;
    group_options.timeout = std::chrono::milliseconds(static_cast<int64_t>(args.dist_timeout * 1000));
    group_options.join_timeout = std::max(group_options.timeout, std::chrono::milliseconds(60000));
    if (compat::cuda_available()) group_options.device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env->local_rank));
    options.group = parallel::Group::connect(*env, group_options);
    options.cuda_device = env->local_rank;
  }
  config::Config config;  // on ranks other than 0 it stays empty: rank 0 decides and sends its own
  bool created_run_dir = false;
  if (options.group && options.group->rank() != 0) {
    options.run_dir = args.out.empty() ? fs::path("runs") : fs::path(args.out);  // never written
  } else {
    const fs::path config_path = config::resolve_config_path(args.config);
    const bool resuming = args.resume && !args.out.empty() && fs::exists(fs::path(args.out) / "checkpoints" / "latest.pt");
    // A resumed run keeps the config it was started with; --set may still change e.g. train.steps.
    config = resuming ? train::stored_config(args.out) : config::Config::from_file(config_path);
    const config::Config stored = config;
    for (const auto& assignment : args.overrides) config.set(assignment);
    if (resuming) check_resume_overrides(stored, config);
    created_run_dir = args.out.empty();  // after the config parsed: a typo in --set leaves no folder behind
    options.run_dir = created_run_dir ? fresh_run_dir(config_path) : fs::path(args.out);
    if (args.resume && !resuming) std::cout << "no checkpoint in " << options.run_dir.string() << " yet: starting fresh\n";
    std::cout << "run directory: " << options.run_dir.string() << std::endl;
  }

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  options.resume = args.resume;
  options.precision_from_run =
      args.resume && std::none_of(args.overrides.begin(), args.overrides.end(), [](const std::string& a) {
        return a.rfind("train.precision", 0) == 0;
      });
  options.out = &std::cout;
  options.interactive = ::isatty(STDOUT_FILENO) != 0;
  options.stop = &stop_requested;
  train::TrainResult result;
  try {
    result = train::train(std::move(config), options);
  } catch (...) {
    if (created_run_dir) remove_if_unused(options.run_dir);
    throw;
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  // (Empty on ranks other than 0, which write nothing.)
  if (!result.checkpoint.empty()) std::cout << "checkpoint: " << result.checkpoint.string() << '\n';
  if (!result.last_grid.empty()) std::cout << "samples:    " << result.last_grid.string() << '\n';
  if (!result.report.empty()) std::cout << "report:     " << result.report.string() << '\n';
  if (result.interrupted) exit_code() = 130;
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train a GAN from a config (a .toml file or a name in configs/)");
  cmd->add_option("config", args->config, "Config file, or a name such as dcgan-fashion-mnist")->required();
  cmd->add_option("--set", args->overrides, "Override a config key, e.g. --set train.steps=300 (repeatable)")
      ->take_all();
  cmd->add_option("--out", args->out, "Run directory (default: runs/<config name>, never overwritten)");
  cmd->add_flag("--resume", args->resume, "Continue the run in --out from its latest checkpoint");
  cmd->add_option("--nproc", args->nproc,
                  "Data-parallel: train on N worker processes on this machine (without it, gankit joins the job "
                  "that MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE describe, as torchrun sets them)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--dist-timeout", args->dist_timeout,
                  "Data-parallel: seconds to wait for another rank before stopping with an error naming it")
      ->capture_default_str();
  cmd->callback([args] { run_train(*args); });
}

}  // namespace gankit::cli
