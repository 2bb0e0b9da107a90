// gankit train CONFIG.toml [--set KEY=VALUE]... [--out DIR] [--resume]
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "commands.h"
#include "gankit/error.h"
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

/// runs/<config name>, or runs/<config name>-2, -3, ... so an earlier run is never touched.
fs::path fresh_run_dir(const fs::path& config_path) {
  const fs::path base = fs::path("runs") / config_path.stem();
  fs::path candidate = base;
  for (int i = 2; fs::exists(candidate / "checkpoints" / "latest.pt"); ++i) {
    candidate = base.string() + "-" + std::to_string(i);
  }
  return candidate;
}

struct TrainArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out;
  bool resume = false;
};

void run_train(const TrainArgs& args) {
  const fs::path config_path = train::resolve_config_path(args.config);
  const fs::path run_dir = args.out.empty() ? fresh_run_dir(config_path) : fs::path(args.out);
  const bool resuming = args.resume && fs::exists(run_dir / "checkpoints" / "latest.pt");

  // A resumed run keeps the config it was started with; --set may still change e.g. train.steps.
  train::Config config = resuming ? train::stored_config(run_dir) : train::Config::from_file(config_path);
  for (const auto& assignment : args.overrides) config.set(assignment);
  if (args.resume && !resuming) std::cout << "no checkpoint in " << run_dir.string() << " yet: starting fresh\n";
  std::cout << "run directory: " << run_dir.string() << std::endl;

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  train::TrainerOptions options;
  options.run_dir = run_dir;
  options.resume = args.resume;
  options.out = &std::cout;
  options.interactive = ::isatty(STDOUT_FILENO) != 0;
  options.stop = &stop_requested;
  const auto result = train::train(std::move(config), options);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

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
  cmd->callback([args] { run_train(*args); });
}

}  // namespace gankit::cli
