#include "gankit/export/onnx_graph.h"

#include "gankit/error.h"

namespace gankit::exporter {

onnx::AttributeProto int_attribute(const std::string& name, int64_t value) {
  onnx::AttributeProto attribute;
  attribute.set_name(name);
  attribute.set_type(onnx::AttributeProto::INT);
  attribute.set_i(value);
  return attribute;
}

onnx::AttributeProto ints_attribute(const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto attribute;
  attribute.set_name(name);
  attribute.set_type(onnx::AttributeProto::INTS);
  for (const auto value : values) attribute.add_ints(value);
  return attribute;
}

onnx::AttributeProto float_attribute(const std::string& name, float value) {
  onnx::AttributeProto attribute;
  attribute.set_name(name);
  attribute.set_type(onnx::AttributeProto::FLOAT);
  attribute.set_f(value);
  return attribute;
}

OnnxGraph::OnnxGraph(onnx::GraphProto& graph, int64_t batch) : graph_(graph), batch_(batch) {
  TORCH_CHECK(batch == kDynamicBatch || batch >= 1, "OnnxGraph: batch must be positive or dynamic");
}

std::string OnnxGraph::unique(const std::string& name) {
  std::string candidate = name;
  for (int suffix = 1; names_.count(candidate) != 0; ++suffix) {
    candidate = name + "_" + std::to_string(suffix);
  }
  names_.insert(candidate);
  return candidate;
}

void OnnxGraph::set_type(onnx::ValueInfoProto& info, onnx::TensorProto_DataType type,
                         const std::vector<int64_t>& dims) const {
  auto* tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(type);
  auto* shape = tensor->mutable_shape();
  auto* batch = shape->add_dim();
  if (batch_ == kDynamicBatch) {
    batch->set_dim_param("N");
  } else {
    batch->set_dim_value(batch_);
  }
  for (const auto dim : dims) shape->add_dim()->set_dim_value(dim);
}

std::string OnnxGraph::input(const std::string& name, onnx::TensorProto_DataType type,
                             const std::vector<int64_t>& dims) {
  auto* info = graph_.add_input();
  info->set_name(unique(name));
  set_type(*info, type, dims);
  return info->name();
}

void OnnxGraph::output(const std::string& value, const std::string& name, const std::vector<int64_t>& dims) {
  const auto named = value == name ? value : node("Identity", {value}, name);
  TORCH_CHECK(named == name, "OnnxGraph: output name '", name, "' is taken");
  auto* info = graph_.add_output();
  info->set_name(named);
  set_type(*info, onnx::TensorProto::FLOAT, dims);
}

std::string OnnxGraph::initializer(const std::string& name, const torch::Tensor& tensor) {
  const auto value = tensor.detach().to(torch::kCPU).contiguous();
  auto* proto = graph_.add_initializer();
  proto->set_name(unique(name));
  for (const auto dim : value.sizes()) proto->add_dims(dim);
  if (value.scalar_type() == torch::kFloat) {
    proto->set_data_type(onnx::TensorProto::FLOAT);
  } else if (value.scalar_type() == torch::kLong) {
    proto->set_data_type(onnx::TensorProto::INT64);
  } else {
    fail("ONNX export: tensor {} is {}; only float32 and int64 constants are written", name,
         c10::toString(value.scalar_type()));
  }
  // Little-endian raw bytes, as ONNX stores raw_data (gankit's platforms are little-endian).
  proto->set_raw_data(value.data_ptr(), value.numel() * value.element_size());
  return proto->name();
}

std::string OnnxGraph::int64s(const std::string& name, const std::vector<int64_t>& values) {
  return initializer(name, torch::tensor(values, torch::kLong));
}

std::string OnnxGraph::node(const std::string& op, const std::vector<std::string>& inputs, const std::string& name,
                            const std::vector<onnx::AttributeProto>& attributes) {
  auto* proto = graph_.add_node();
  proto->set_op_type(op);
  const auto output = unique(name);
  proto->set_name(output);
  for (const auto& input : inputs) proto->add_input(input);
  proto->add_output(output);
  for (const auto& attribute : attributes) *proto->add_attribute() = attribute;
  return output;
}

}  // namespace gankit::exporter
