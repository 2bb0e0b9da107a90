// A generator as an ONNX model: the graph (onnx_generators.h), the opset, metadata_props describing
// the model, onnx's own checker and strict shape inference run before anything is written, then one
// atomic write.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include <utility>
#include <vector>

#include "gankit/export/exported_generator.h"

namespace gankit::exporter {

/// The batch axis of an export's inputs and outputs: a size, or this for a dynamic one ("N").
constexpr int64_t kDynamicBatch = -1;

/// The lowest opset that expresses every generator gankit trains (Gemm, Conv, ConvTranspose,
/// BatchNormalization, InstanceNormalization, Gather, MatMul, Softmax on the last axis, Reshape,
/// Shape; no Dropout) with the weights as initializers alone (IR version 4). The default.
constexpr int64_t kMinOnnxOpset = 9;
/// The highest opset Debian's libonnx (1.12) checks.
constexpr int64_t kMaxOnnxOpset = 17;

struct OnnxOptions {
  /// The default domain's opset version, kMinOnnxOpset..kMaxOnnxOpset.
  int64_t opset = kMinOnnxOpset;
  /// Batch axis of inputs and outputs: a size, or kDynamicBatch.
  int64_t batch = kDynamicBatch;
};

/// The model's bytes, checked by onnx::checker and strict shape inference (a failure there is a
/// gankit::Error: a bug in the exporter, not the user's).
std::string onnx_model_bytes(const ExportedGenerator& generator, const OnnxOptions& options);

/// What an ONNX file says about itself (gankit's or another's), for `gankit info` and the tests.
struct OnnxSummary {
  struct Value {
    std::string name;
    std::string type;               ///< "float32", "int64" or the ONNX type number
    std::vector<std::string> dims;  ///< a number, or the name of a dynamic axis ("N")
  };
  int64_t ir_version = 0;
  int64_t opset = 0;  ///< of the default domain
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<Value> inputs, outputs;
  std::vector<std::string> operators;  ///< the op types used, sorted, each once
};

/// Reads `path`'s model; a file that is not one is a gankit::Error naming it.
OnnxSummary read_onnx_summary(const std::filesystem::path& path);

/// Writes onnx_model_bytes to `path` atomically.
void write_onnx(const std::filesystem::path& path, const ExportedGenerator& generator, const OnnxOptions& options);

}  // namespace gankit::exporter
