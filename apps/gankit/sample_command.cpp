// gankit sample CHECKPOINT -n N -o OUT [--seed S] [--class K] [--truncation T]
#include <iostream>

#include "commands.h"
#include "gankit/sample/sampler.h"
#include "gankit/train/trainer.h"

namespace gankit::cli {

namespace {

struct SampleArgs {
  std::string checkpoint;
  std::string out;
  sample::SampleOptions options;
};

void run_sample(const SampleArgs& args) {
  torch::set_num_threads(static_cast<int>(train::available_cores()));
  sample::Sampler sampler(args.checkpoint);
  const auto samples = sampler.sample(args.options);
  for (const auto& path : sample::write_samples(args.out, samples)) std::cout << path.string() << '\n';
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto args = std::make_shared<SampleArgs>();
  auto* cmd = app.add_subcommand("sample", "Draw images from a trained generator");
  cmd->add_option("checkpoint", args->checkpoint, "Checkpoint file, e.g. runs/x/checkpoints/latest.pt")->required();
  cmd->add_option("-n,--count", args->options.count, "Number of images")->required();
  cmd->add_option("-o,--out", args->out, "OUT.npy (uint8 N,H,W,C), OUT.png (a grid) or a folder of PNGs")
      ->required();
  cmd->add_option("--seed", args->options.seed, "Noise seed (same seed, same images)")->capture_default_str();
  cmd->add_option("--class", args->options.class_label, "Class of every sample (conditional models)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--truncation", args->options.truncation, "Truncate noise to |z| <= T (0 = off)")
      ->capture_default_str();
  cmd->add_option("--batch-size", args->options.batch_size, "Images generated at once")->capture_default_str();
  cmd->callback([args] { run_sample(*args); });
}

}  // namespace gankit::cli
