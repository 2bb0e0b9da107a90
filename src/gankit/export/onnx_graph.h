// An ONNX graph under construction, over onnx's own protobuf classes (Debian's libonnx-dev): inputs
// with a dynamic or fixed batch axis, initializers from tensors, nodes with unique value names.
// The model-level pieces (opset, metadata, checking, writing) are in onnx_export.h.
#pragma once
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "gankit/export/onnx_export.h"

namespace gankit::exporter {

/// Attribute makers for OnnxGraph::node.
onnx::AttributeProto int_attribute(const std::string& name, int64_t value);
onnx::AttributeProto ints_attribute(const std::string& name, const std::vector<int64_t>& values);
onnx::AttributeProto float_attribute(const std::string& name, float value);

class OnnxGraph {
 public:
  /// Adds to `graph` (owned by the caller's ModelProto); `batch` is a size or kDynamicBatch ("N").
  OnnxGraph(onnx::GraphProto& graph, int64_t batch);

  /// A graph input [batch, dims...] of float32 or int64 (`type`); returns its value name.
  std::string input(const std::string& name, onnx::TensorProto_DataType type, const std::vector<int64_t>& dims);
  /// Declares `value` as a float32 graph output [batch, dims...] named `name` (an Identity when
  /// the names differ).
  void output(const std::string& value, const std::string& name, const std::vector<int64_t>& dims);

  /// A constant float32 or int64 tensor (copied, contiguous, CPU); `name` is kept when unused
  /// (e.g. "body.0.weight"), else made unique.
  std::string initializer(const std::string& name, const torch::Tensor& tensor);
  /// An int64 vector constant, e.g. a Reshape target.
  std::string int64s(const std::string& name, const std::vector<int64_t>& values);

  /// A node `op` on `inputs` ("" for an omitted optional input); returns its one output, named
  /// after `name` (made unique).
  std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& name,
                   const std::vector<onnx::AttributeProto>& attributes = {});

 private:
  std::string unique(const std::string& name);
  void set_type(onnx::ValueInfoProto& info, onnx::TensorProto_DataType type, const std::vector<int64_t>& dims) const;

  onnx::GraphProto& graph_;
  int64_t batch_;
  std::set<std::string> names_;  ///< every value name given out
};

}  // namespace gankit::exporter
