#include "gankit/export/export_format.h"

#include "gankit/error.h"

namespace gankit::exporter {

const EnumTable<ExportFormat>& export_formats() {
  static const EnumTable<ExportFormat> table{
      {ExportFormat::Onnx, "onnx", "ONNX (.onnx): ONNX Runtime, OpenCV dnn, TensorRT, OpenVINO"},
      {ExportFormat::TorchScript, "torchscript", "TorchScript (.pt): torch.jit.load, G(z) / G(z, labels) / G(image)"},
      {ExportFormat::Safetensors, "safetensors",
       "safetensors (.safetensors): the weights, for python/gankit_models.py's load_state_dict"},
  };
  return table;
}

const char* format_extension(ExportFormat format) {
  switch (format) {
    case ExportFormat::Onnx:
      return ".onnx";
    case ExportFormat::TorchScript:
      return ".pt";
    case ExportFormat::Safetensors:
      return ".safetensors";
  }
  return "";
}

ExportFormat resolve_format(const std::filesystem::path& out, const std::string& format_name) {
  if (!format_name.empty()) return export_formats().parse(format_name, "--format");
  const auto extension = out.extension().string();
  for (const auto& row : export_formats().rows()) {
    if (extension == format_extension(row.value)) return row.value;
  }
  std::string extensions;
  for (const auto& row : export_formats().rows()) {
    extensions += (extensions.empty() ? "" : ", ") + std::string(format_extension(row.value));
  }
  fail("-o {}: cannot tell the format from the name (use {}, or give --format)", out.string(), extensions);
}

}  // namespace gankit::exporter
