// gankit translate CHECKPOINT INPUT... -o OUT [--side-by-side]
#include <iostream>

#include "commands.h"
#include "gankit/io/output_path.h"
#include "gankit/compute/precision.h"
#include "gankit/error.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "gankit/sample/translator.h"
#include "gankit/system/resources.h"

namespace gankit::cli {

namespace {

namespace fs = std::filesystem;

struct TranslateArgs {
  std::string checkpoint;
  std::string precision;
  std::vector<std::string> inputs;
  std::string out;
  bool side_by_side = false;
};

void run_translate(const TranslateArgs& args) {
  torch::set_num_threads(static_cast<int>(system::available_cores()));
  const auto files = sample::list_inputs({args.inputs.begin(), args.inputs.end()});
  // One input file and an OUT with an image extension: OUT is that file; otherwise a folder.
  const fs::path out(args.out);
  const bool single = files.size() == 1 && fs::is_regular_file(args.inputs.front()) && out.has_extension();
  if (single && out.extension() != ".png") fail("{}: translate writes PNG files (use a .png name)", args.out);
  std::vector<fs::path> inputs(args.inputs.begin(), args.inputs.end());
  inputs.insert(inputs.end(), files.begin(), files.end());
  inputs.emplace_back(args.checkpoint);
  io::check_output_path(out, inputs, !single, "-o");
  sample::Translator translator(args.checkpoint, compute::parse_precision(args.precision, "--precision"));
  if (!single) fs::create_directories(out);
  for (const auto& file : files) {
    const auto result = translator.translate_file(file);
    auto image = result.output;
    if (args.side_by_side) {  // input | output | target
      std::vector<torch::Tensor> panels{result.input, result.output};
      if (result.target.defined()) panels.push_back(result.target);
      image = torch::cat(panels, 2);
    }
    const auto path = single ? out : out / (file.stem().string() + ".png");
    io::write_png(path, image);
    std::cout << path.string() << '\n';
  }
}

}  // namespace

void add_translate_command(CLI::App& app) {
  auto args = std::make_shared<TranslateArgs>();
  auto* cmd = app.add_subcommand("translate", "Translate images with a pix2pix checkpoint");
  cmd->add_option("checkpoint", args->checkpoint, "pix2pix checkpoint, e.g. runs/x/checkpoints/latest.pt")->required();
  cmd->add_option("inputs", args->inputs, "Image files or folders (A|B pair files use their input side)")->required();
  cmd->add_option("-o,--out", args->out, "OUT.png for one input file, else a folder")->required();
  cmd->add_flag("--side-by-side", args->side_by_side, "Write input | output | target (when the file has one)");
  add_precision_option(cmd, args->precision);
  cmd->callback([args] { run_translate(*args); });
}

}  // namespace gankit::cli
