// gankit sample CHECKPOINT -n N -o OUT [--seed S] [--class K] [--truncation T]
// gankit sample CHECKPOINT --interpolate K -o OUT.png [-n PATHS] [--class K] [--lerp]
#include <iostream>
#include <optional>

#include "commands.h"
#include "gankit/io/output_path.h"
#include "gankit/compute/precision.h"
#include "gankit/error.h"
#include "gankit/sample/sampler.h"
#include "gankit/system/resources.h"

namespace gankit::cli {

namespace fs = std::filesystem;

namespace {

struct SampleArgs {
  std::string checkpoint;
  std::string out;
  std::optional<int64_t> count;
  int64_t interpolate = 0;
  bool lerp = false;
  std::string precision;
  sample::SampleOptions options;
};

void run_sample(const SampleArgs& args) {
  torch::set_num_threads(static_cast<int>(system::available_cores()));
  sample::Sampler sampler(args.checkpoint, compute::parse_precision(args.precision, "--precision"));
  std::vector<std::filesystem::path> written;
  if (args.interpolate > 0) {
    if (args.options.truncation > 0) fail("--truncation does not apply to --interpolate");
    sample::InterpolationOptions options;
    options.steps = args.interpolate;
    options.paths = args.count.value_or(10);
    options.seed = args.options.seed;
    options.class_label = args.options.class_label;
    options.spherical = !args.lerp;
    options.batch_size = args.options.batch_size;
    for (const char* extension : {".png", ".gif"}) {
      io::check_output_path(fs::path(args.out).replace_extension(extension), {args.checkpoint}, false, "-o");
    }
    written = sample::write_interpolation(args.out, sampler.interpolate(options), options.steps);
  } else {
    if (!args.count) fail("gankit sample: give -n N (the number of images), or --interpolate K");
    auto options = args.options;
    options.count = *args.count;
    written = sample::write_samples_streamed(args.out, sampler, options, args.checkpoint);
  }
  for (const auto& path : written) std::cout << path.string() << '\n';
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto args = std::make_shared<SampleArgs>();
  auto* cmd = app.add_subcommand("sample", "Draw images from a trained generator, or interpolate between them");
  cmd->add_option("checkpoint", args->checkpoint, "Checkpoint file, e.g. runs/x/checkpoints/latest.pt")->required();
  cmd->add_option("-n,--count", args->count, "Number of images (with --interpolate: paths, default 10)")
      ->check(whole_number(1, 100000000));
  cmd->add_option("-o,--out", args->out,
                  "OUT.npy (uint8 N,H,W,C), OUT.png (a grid) or a folder of PNGs; with --interpolate, "
                  "OUT.png and OUT.gif")
      ->required();
  cmd->add_option("--seed", args->options.seed, "Noise seed (same seed, same images)")->capture_default_str();
  cmd->add_option("--class", args->options.class_label, "Class of every sample (conditional models)")
      ->check(whole_number(0, 999));
  cmd->add_option("--truncation", args->options.truncation, "Truncate noise to |z| <= T (0 = off)")
      ->check(finite_number(0, 1000))
      ->capture_default_str();
  cmd->add_option("--interpolate", args->interpolate,
                  "K images along each path between two noise vectors: a grid (one path a row; one "
                  "class a row for conditional models) and a GIF")
      ->check(CLI::Range(int64_t{2}, int64_t{1000}));
  cmd->add_flag("--lerp", args->lerp, "Interpolate along straight lines instead of great circles (slerp)");
  cmd->add_option("--batch-size", args->options.batch_size, "Images generated at once")
      ->check(whole_number(1, 65536))->capture_default_str();
  add_precision_option(cmd, args->precision);
  cmd->callback([args] { run_sample(*args); });
}

}  // namespace gankit::cli
