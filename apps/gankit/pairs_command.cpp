// gankit pairs --from FOLDER --kind edges|gray -o DIR [--size S]
#include <fmt/format.h>
#include <torch/torch.h>

#include <iostream>

#include "commands.h"
#include "gankit/data/pairs.h"

namespace gankit::cli {

namespace {

struct PairsArgs {
  std::string from;
  std::string kind;
  std::string out;
  int64_t size = 0;
};

void run_pairs(const PairsArgs& args) {
  torch::set_num_threads(1);  // the builder runs one image per core; OpenMP teams would fight it
  data::PairBuildOptions options;
  options.kind = data::parse_pairs(args.kind);
  options.size = args.size;
  const auto count = data::write_pairs(args.from, args.out, options);
  std::cout << fmt::format("wrote {} pairs (A = {}, B = photo) to {}\n", count, args.kind, args.out);
}

}  // namespace

void add_pairs_command(CLI::App& app) {
  auto args = std::make_shared<PairsArgs>();
  auto* cmd = app.add_subcommand("pairs", "Build A|B training pairs (data.pairs = side-by-side) from photos");
  cmd->add_option("--from", args->from, "Folder of images (flat or class sub-folders)")->required();
  cmd->add_option("--kind", args->kind, "A derived from each photo: edges (Canny) or gray (luminance)")
      ->check(CLI::IsMember({"edges", "gray"}))
      ->required();
  cmd->add_option("-o,--out", args->out, "Folder for <name>.png = A|B; existing files are never replaced")
      ->required();
  cmd->add_option("--size", args->size, "Resize each photo to SIZE x SIZE first (0 = as it is)")
      ->check(whole_number(0, 4096))
      ->capture_default_str();
  cmd->callback([args] { run_pairs(*args); });
}

}  // namespace gankit::cli
