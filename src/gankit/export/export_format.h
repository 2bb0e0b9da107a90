// The file formats `gankit export` writes, named once: the --format names, the extensions that
// imply them, and their help text.
#pragma once
#include <filesystem>

#include "gankit/enum_table.h"

namespace gankit::exporter {

enum class ExportFormat {
  Onnx,         ///< .onnx: ONNX Runtime, OpenCV dnn, TensorRT, OpenVINO, onnxruntime-web
  TorchScript,  ///< .pt: torch.jit.load in Python or LibTorch
  Safetensors,  ///< .safetensors: the weights, named as python/gankit_models.py
};

const EnumTable<ExportFormat>& export_formats();

/// The file extension of `format`, with its dot (".onnx").
const char* format_extension(ExportFormat format);

/// `format_name` when given (else the format `out`'s extension implies); a name or an extension
/// that names no format is a gankit::Error listing the valid ones.
ExportFormat resolve_format(const std::filesystem::path& out, const std::string& format_name);

}  // namespace gankit::exporter
