#include <onnx/onnx_pb.h>

#include <set>

#include "gankit/error.h"
#include "gankit/export/onnx_export.h"
#include "gankit/io/atomic_file.h"

namespace gankit::exporter {

namespace {

OnnxSummary::Value summarize(const onnx::ValueInfoProto& info) {
  OnnxSummary::Value value;
  value.name = info.name();
  const auto& tensor = info.type().tensor_type();
  value.type = tensor.elem_type() == onnx::TensorProto::FLOAT   ? "float32"
               : tensor.elem_type() == onnx::TensorProto::INT64 ? "int64"
                                                                : std::to_string(tensor.elem_type());
  for (const auto& dim : tensor.shape().dim()) {
    value.dims.push_back(dim.has_dim_param() ? dim.dim_param() : std::to_string(dim.dim_value()));
  }
  return value;
}

}  // namespace

OnnxSummary read_onnx_summary(const std::filesystem::path& path) {
  onnx::ModelProto model;
  // Any bytes can parse as some protobuf: a model has an IR version, an opset and a graph.
  if (!model.ParseFromString(io::read_file_bytes(path, "ONNX model")) || !model.has_graph() ||
      model.ir_version() <= 0 || model.opset_import_size() == 0) {
    fail("{}: not an ONNX model", path.string());
  }
  OnnxSummary summary;
  summary.ir_version = model.ir_version();
  for (const auto& opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") summary.opset = opset.version();
  }
  for (const auto& entry : model.metadata_props()) summary.metadata.emplace_back(entry.key(), entry.value());
  for (const auto& input : model.graph().input()) summary.inputs.push_back(summarize(input));
  for (const auto& output : model.graph().output()) summary.outputs.push_back(summarize(output));
  std::set<std::string> operators;
  for (const auto& node : model.graph().node()) operators.insert(node.op_type());
  summary.operators.assign(operators.begin(), operators.end());
  return summary;
}

}  // namespace gankit::exporter
