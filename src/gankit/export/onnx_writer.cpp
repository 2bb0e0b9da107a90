#include "gankit/export/onnx_writer.h"

namespace gankit::exporter {

std::string OnnxWriter::conv(const ConvLayer& layer, const std::string& x, const std::string& name) {
  std::vector<std::string> inputs{x, graph_.initializer(name + ".weight", layer.weight)};
  if (layer.bias.defined()) inputs.push_back(graph_.initializer(name + ".bias", layer.bias));
  const auto& p = layer.padding;
  std::vector<onnx::AttributeProto> attributes{
      ints_attribute("kernel_shape", {layer.weight.size(2), layer.weight.size(3)}),
      ints_attribute("strides", layer.stride),
      ints_attribute("pads", {p[0], p[1], p[0], p[1]}),  // [top, left, bottom, right]
      ints_attribute("dilations", layer.dilation), int_attribute("group", layer.groups)};
  if (layer.transposed) attributes.push_back(ints_attribute("output_padding", layer.output_padding));
  return graph_.node(layer.transposed ? "ConvTranspose" : "Conv", inputs, name, attributes);
}

std::string OnnxWriter::linear(const LinearLayer& layer, const std::string& x, const std::string& name) {
  // Gemm before opset 11 needs C: a zero bias stands in for none.
  const auto bias = layer.bias.defined() ? layer.bias : torch::zeros({layer.weight.size(0)});
  return graph_.node("Gemm",
                     {x, graph_.initializer(name + ".weight", layer.weight), graph_.initializer(name + ".bias", bias)},
                     name, {int_attribute("transB", 1)});
}

std::string OnnxWriter::norm(const NormLayer& layer, const std::string& x, const std::string& name) {
  const auto scale = graph_.initializer(name + ".weight", layer.weight);
  const auto shift = graph_.initializer(name + ".bias", layer.bias);
  const auto eps = float_attribute("epsilon", static_cast<float>(layer.eps));
  // Per image: BatchNorm over a batch of one is InstanceNormalization with BatchNorm's scale and shift.
  if (layer.per_image) return graph_.node("InstanceNormalization", {x, scale, shift}, name, {eps});
  return graph_.node("BatchNormalization",
                     {x, scale, shift, graph_.initializer(name + ".running_mean", layer.running_mean),
                      graph_.initializer(name + ".running_var", layer.running_var)},
                     name, {eps});
}

std::string OnnxWriter::activation(Activation kind, double slope, const std::string& x, const std::string& name) {
  switch (kind) {
    case Activation::Relu:
      return graph_.node("Relu", {x}, name);
    case Activation::Tanh:
      return graph_.node("Tanh", {x}, name);
    case Activation::LeakyRelu:
      return graph_.node("LeakyRelu", {x}, name, {float_attribute("alpha", static_cast<float>(slope))});
  }
  TORCH_CHECK(false, "ONNX export: unknown activation");
}

std::string OnnxWriter::transpose_last(const std::string& x) {  // [N,A,B] -> [N,B,A]
  return graph_.node("Transpose", {x}, x + "_t", {ints_attribute("perm", {0, 2, 1})});
}

std::string OnnxWriter::attention(const std::string& x, const std::string& q, const std::string& k,
                                  const std::string& v, const torch::Tensor& gamma, const std::string& name) {
  const auto flat_shape = graph_.int64s(name + ".flat", {0, 0, -1});
  const auto flat = [&](const std::string& value) {  // [N,c,H,W] -> [N,c,HW]
    return graph_.node("Reshape", {value, flat_shape}, value + "_flat");
  };
  const auto scores = graph_.node("MatMul", {transpose_last(flat(q)), flat(k)}, name + ".scores");  // [N,HW,HW]
  // Softmax over the last axis: axis 2 of a rank-3 tensor means the same in every opset.
  const auto weights = graph_.node("Softmax", {scores}, name + ".softmax", {int_attribute("axis", 2)});
  const auto mixed = graph_.node("MatMul", {flat(v), transpose_last(weights)}, name + ".mixed");  // [N,C,HW]
  const auto out = graph_.node("Reshape", {mixed, graph_.node("Shape", {x}, name + ".shape")}, name + ".out");
  const auto scaled = graph_.node("Mul", {graph_.initializer(name + ".gamma", gamma), out}, name + ".scaled");
  return graph_.node("Add", {scaled, x}, name);
}

std::string OnnxWriter::input(const std::string& name, bool labels, const std::vector<int64_t>& dims) {
  return graph_.input(name, labels ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT, dims);
}

std::string OnnxWriter::embedding(const torch::Tensor& table, const std::string& labels, const std::string& name) {
  return graph_.node("Gather", {graph_.initializer(name + ".weight", table), labels}, name,
                     {int_attribute("axis", 0)});
}

std::string OnnxWriter::concat(const std::string& a, const std::string& b, const std::string& name) {
  return graph_.node("Concat", {a, b}, name, {int_attribute("axis", 1)});
}

std::string OnnxWriter::reshape(const std::string& x, const std::vector<int64_t>& dims, const std::string& name) {
  std::vector<int64_t> shape{0};  // 0: the batch axis as it is
  shape.insert(shape.end(), dims.begin(), dims.end());
  return graph_.node("Reshape", {x, graph_.int64s(name + "_shape", shape)}, name);
}

std::string OnnxWriter::keep_known(const std::string& image, const std::string& mask, const std::string& name) {
  const auto keep = graph_.node("Sub", {graph_.initializer("one", torch::ones({1})), mask}, name + "_keep");
  return graph_.node("Mul", {image, keep}, name);
}

std::string OnnxWriter::paste(const std::string& known, const std::string& painted, const std::string& mask,
                              const std::string& name) {
  return graph_.node("Add", {known, graph_.node("Mul", {painted, mask}, name + "_painted")}, name);
}

void OnnxWriter::output(const std::string& x, const std::vector<int64_t>& dims) { graph_.output(x, "output", dims); }

}  // namespace gankit::exporter
