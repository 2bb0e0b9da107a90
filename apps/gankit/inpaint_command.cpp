// gankit inpaint CHECKPOINT IMAGE [--mask MASK] -o OUT [--side-by-side]
#include <iostream>

#include "commands.h"
#include "gankit/io/output_path.h"
#include "gankit/compute/precision.h"
#include "gankit/error.h"
#include "gankit/io/image.h"
#include "gankit/sample/inpainter.h"
#include "gankit/system/resources.h"

namespace gankit::cli {

namespace {

struct InpaintArgs {
  std::string checkpoint;
  std::string precision;
  std::string image;
  std::string mask;
  std::string out;
  bool side_by_side = false;
};

void run_inpaint(const InpaintArgs& args) {
  torch::set_num_threads(static_cast<int>(system::available_cores()));
  if (std::filesystem::path(args.out).extension() != ".png") {
    fail("{}: inpaint writes a PNG file (use a .png name)", args.out);
  }
  std::vector<std::filesystem::path> inputs{args.checkpoint, args.image};
  if (!args.mask.empty()) inputs.push_back(args.mask);
  io::check_output_path(args.out, inputs, false, "-o");
  sample::Inpainter inpainter(args.checkpoint, compute::parse_precision(args.precision, "--precision"));
  const auto result = inpainter.complete_file(args.image, args.mask);
  auto image = result.output;
  if (args.side_by_side) {  // masked input | completed | input
    const auto masked = (result.input.to(torch::kFloat) * (1 - result.mask)).to(torch::kUInt8);
    image = torch::cat({masked, result.output, result.input}, 2);
  }
  io::write_png(args.out, image);
  std::cout << args.out << '\n';
}

}  // namespace

void add_inpaint_command(CLI::App& app) {
  auto args = std::make_shared<InpaintArgs>();
  auto* cmd = app.add_subcommand("inpaint", "Fill the hole of an image with an inpaint checkpoint");
  cmd->add_option("checkpoint", args->checkpoint, "inpaint checkpoint, e.g. runs/x/checkpoints/latest.pt")->required();
  cmd->add_option("image", args->image, "Image file (fitted to the model's size as in training)")->required();
  cmd->add_option("--mask", args->mask, "Mask PNG of the model's size, white = hole (default: the centre square)");
  cmd->add_option("-o,--out", args->out, "Output PNG")->required();
  cmd->add_flag("--side-by-side", args->side_by_side, "Write masked input | completed | input");
  add_precision_option(cmd, args->precision);
  cmd->callback([args] { run_inpaint(*args); });
}

}  // namespace gankit::cli
