// gankit info CHECKPOINT | gankit info MODEL.onnx | gankit info --models
#include <fmt/ranges.h>

#include <iostream>

#include "commands.h"
#include "gankit/checkpoint/checkpoint.h"
#include "gankit/compute/kernel_report.h"
#include "gankit/error.h"
#include "gankit/export/onnx_export.h"
#include "gankit/models/registry.h"

namespace gankit::cli {

namespace {

struct InfoArgs {
  std::string checkpoint;
  bool models = false;
  bool kernels = false;
};

/// An ONNX file's opset, inputs, outputs, operators and metadata (gankit's exports or another's).
void describe_onnx(const std::string& path) {
  const auto model = exporter::read_onnx_summary(path);
  const auto values = [](const std::vector<exporter::OnnxSummary::Value>& list) {
    std::vector<std::string> parts;
    for (const auto& v : list) parts.push_back(fmt::format("{} {} [{}]", v.name, v.type, fmt::join(v.dims, ", ")));
    return fmt::format("{}", fmt::join(parts, "; "));
  };
  std::cout << fmt::format("onnx:       {} (IR version {}, opset {})\ninputs:     {}\noutputs:    {}\noperators:  {}\n", path,
                           model.ir_version, model.opset, values(model.inputs), values(model.outputs),
                           fmt::join(model.operators, ", "));
  for (const auto& [key, value] : model.metadata) {
    if (key != "gankit.config") std::cout << fmt::format("{}: {}\n", key, value);
  }
}

void run_info(const InfoArgs& args) {
  if (args.kernels) {
    std::cout << compute::kernel_report().dump(2) << std::endl;
    return;
  }
  if (args.models) {
    for (const auto& entry : models::model_table()) {
      std::cout << fmt::format("{:<10} {}{}\n", entry.name, entry.summary, entry.conditional ? " [conditional]" : "");
      if (!entry.recipe.empty()) std::cout << fmt::format("{:<10} defaults: {}\n", "", fmt::join(entry.recipe, " "));
    }
    return;
  }
  if (args.checkpoint.empty()) {
    fail("info: give a checkpoint, --models to list the architectures, or --kernels for this machine's kernels");
  }
  if (std::filesystem::path(args.checkpoint).extension() == ".onnx") return describe_onnx(args.checkpoint);
  const auto header = checkpoint::open_checkpoint(args.checkpoint).header;
  const auto& c = header.config;
  std::cout << fmt::format("checkpoint: {}\nkind:       {}\nmodel:      {} (z_dim {})\nstep:       {}\n",
                           args.checkpoint, models::kind_name(header.kind), c.model.name, c.model.z_dim,
                           header.step)
            << fmt::format("data:       {} {} ({}), images {}x{}x{}, {} classes\n", c.data.name, c.data.split,
                           c.data.path.empty() ? "default location" : c.data.path, header.shape.channels,
                           header.shape.image_size, header.shape.image_size, header.shape.num_classes)
            << fmt::format("export:     gankit export writes ONNX opset {} (the lowest that expresses every model; "
                           "--opset up to {})\n",
                           exporter::kMinOnnxOpset, exporter::kMaxOnnxOpset)
            << "\n# resolved config\n"
            << c.to_toml();
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto args = std::make_shared<InfoArgs>();
  auto* cmd = app.add_subcommand("info", "Describe a checkpoint (model, step, config, data)");
  cmd->add_option("checkpoint", args->checkpoint, "Checkpoint file, or an ONNX model (.onnx)");
  cmd->add_flag("--models", args->models, "List the registered architectures");
  cmd->add_flag("--kernels", args->kernels,
                "This machine: CPU features, BLAS kernels in use and why, what precision auto picks, and a "
                "float64 check of the GEMMs (JSON)");
  cmd->callback([args] { run_info(*args); });
}

}  // namespace gankit::cli
