// gankit export CHECKPOINT -o OUT.onnx|OUT.pt|OUT.safetensors [--format onnx|torchscript|safetensors] [--weights ema|raw] [--opset N] [--batch N|dynamic]
#include <iostream>
#include <optional>

#include "commands.h"
#include "gankit/error.h"
#include "gankit/export/export_format.h"
#include "gankit/export/exported_generator.h"
#include "gankit/export/onnx_export.h"
#include "gankit/export/safetensors_export.h"
#include "gankit/export/torchscript_export.h"
#include "gankit/io/output_path.h"

namespace gankit::cli {

namespace {

struct ExportArgs {
  std::string checkpoint;
  std::string out;
  std::string format;
  std::string weights = "ema";
  std::optional<int64_t> opset;
  std::string batch = "dynamic";
};

/// --batch: "dynamic" or a whole number; CLI11 has checked the number's range.
int64_t parse_batch(const std::string& text) {
  return text == "dynamic" ? exporter::kDynamicBatch : std::stoll(text);
}

void run_export(const ExportArgs& args) {
  const auto format = exporter::resolve_format(args.out, args.format);
  if (format != exporter::ExportFormat::Onnx && (args.opset || args.batch != "dynamic")) {
    fail("--opset and --batch apply to ONNX exports only");
  }
  io::check_output_path(args.out, {args.checkpoint}, false, "-o");
  const auto weights = exporter::weights_choices().parse(args.weights, "--weights");
  const auto generator = exporter::load_exported_generator(args.checkpoint, weights);
  std::string written;
  switch (format) {
    case exporter::ExportFormat::Onnx: {
      exporter::OnnxOptions options;
      options.opset = args.opset.value_or(exporter::kMinOnnxOpset);
      options.batch = parse_batch(args.batch);
      exporter::write_onnx(args.out, generator, options);
      written = fmt::format("ONNX opset {}", options.opset);
      break;
    }
    case exporter::ExportFormat::TorchScript:
      exporter::write_torchscript(args.out, generator);
      written = "TorchScript";
      break;
    case exporter::ExportFormat::Safetensors:
      exporter::write_safetensors(args.out, generator);
      written = "safetensors";
      break;
  }
  std::cerr << fmt::format("exported {} ({} weights) as {}\n", generator.header.config.model.name,
                           generator.weights, written);
  std::cout << args.out << '\n';
}

CLI::Validator batch_option() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text == "dynamic") return {};
        return whole_number(1, 65536)(text).empty() ? std::string() : "'" + text.substr(0, 40) +
                                                                             "' must be 'dynamic' or a whole number from 1 to 65536";
      },
      "N|dynamic");
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Write a trained generator for other runtimes: ONNX, TorchScript or safetensors");
  cmd->add_option("checkpoint", args->checkpoint, "Checkpoint file, e.g. runs/x/checkpoints/latest.pt")->required();
  cmd->add_option("-o,--out", args->out, "OUT.onnx, OUT.pt (TorchScript) or OUT.safetensors")->required();
  cmd->add_option("--format", args->format, "Format (default: from OUT's extension): " +
                                                exporter::export_formats().names());
  cmd->add_option("--weights", args->weights,
                  "ema: the weight average where the run kept one, as `gankit sample` uses; raw: G as trained")
      ->capture_default_str();
  cmd->add_option("--opset", args->opset,
                  fmt::format("ONNX opset (default {}, the lowest that expresses every model)", exporter::kMinOnnxOpset))
      ->check(whole_number(exporter::kMinOnnxOpset, exporter::kMaxOnnxOpset));
  cmd->add_option("--batch", args->batch, "Batch axis of inputs and outputs: a fixed size, or dynamic")
      ->check(batch_option())
      ->capture_default_str();
  cmd->callback([args] { run_export(*args); });
}

}  // namespace gankit::cli
