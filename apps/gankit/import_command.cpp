// gankit import FILE.pth -o OUT.pt
#include <iostream>

#include "commands.h"
#include "gankit/export/pytorch_import.h"
#include "gankit/io/output_path.h"
#include "gankit/models/model_kind.h"

namespace gankit::cli {

namespace {

struct ImportArgs {
  std::string pth;
  std::string out;
};

void run_import(const ImportArgs& args) {
  io::check_output_path(args.out, {args.pth}, false, "-o");
  const auto header = exporter::import_pytorch_generator(args.pth, args.out);
  std::cerr << fmt::format("imported a {} generator ({}x{}x{}) as {} checkpoint\n", header.config.model.name,
                           header.shape.channels, header.shape.image_size, header.shape.image_size,
                           models::kind_name(header.kind));
  std::cout << args.out << '\n';
}

}  // namespace

void add_import_command(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand(
      "import", "Make a gankit checkpoint of a PyTorch generator's state_dict: pix2pix's U-Net "
                "(latest_net_G.pth) or a DCGAN generator");
  cmd->add_option("pth", args->pth, "PyTorch state_dict file (.pth)")->required();
  cmd->add_option("-o,--out", args->out, "The checkpoint to write, e.g. imported.pt")->required();
  cmd->callback([args] { run_import(*args); });
}

}  // namespace gankit::cli
