#include "gankit/export/torchscript_export.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/script.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "gankit/error.h"
#include "gankit/export/generator_writer.h"
#include "gankit/io/atomic_file.h"

namespace gankit::exporter {

namespace {

/// Writes TorchScript statements, one value a local variable; weights become attributes.
class TorchScriptWriter : public GeneratorWriter {
 public:
  std::string conv(const ConvLayer& layer, const std::string& x, const std::string& name) override {
    const auto w = attribute(name + ".weight", layer.weight), b = optional(name + ".bias", layer.bias);
    if (layer.transposed) {
      return let(fmt::format("torch.conv_transpose2d({}, {}, {}, {}, {}, {}, {}, {})", x, w, b, list(layer.stride),
                             list(layer.padding), list(layer.output_padding), layer.groups, list(layer.dilation)));
    }
    return let(fmt::format("torch.conv2d({}, {}, {}, {}, {}, {}, {})", x, w, b, list(layer.stride),
                           list(layer.padding), list(layer.dilation), layer.groups));
  }
  std::string linear(const LinearLayer& layer, const std::string& x, const std::string& name) override {
    const auto w = attribute(name + ".weight", layer.weight);
    if (!layer.bias.defined()) return let(fmt::format("torch.matmul({}, {}.t())", x, w));
    return let(fmt::format("torch.addmm({}, {}, {}.t())", attribute(name + ".bias", layer.bias), x, w));
  }
  std::string norm(const NormLayer& layer, const std::string& x, const std::string& name) override {
    const auto w = attribute(name + ".weight", layer.weight), b = attribute(name + ".bias", layer.bias);
    if (layer.per_image) {
      return let(fmt::format("torch.instance_norm({}, {}, {}, None, None, True, 0.0, {}, False)", x, w, b,
                             number(layer.eps)));
    }
    return let(fmt::format("torch.batch_norm({}, {}, {}, {}, {}, False, 0.0, {}, False)", x, w, b,
                           attribute(name + ".running_mean", layer.running_mean, true),
                           attribute(name + ".running_var", layer.running_var, true), number(layer.eps)));
  }
  std::string activation(Activation kind, double slope, const std::string& x, const std::string&) override {
    switch (kind) {
      case Activation::Relu:
        return let(fmt::format("torch.relu({})", x));
      case Activation::Tanh:
        return let(fmt::format("torch.tanh({})", x));
      case Activation::LeakyRelu:
        return let(fmt::format("torch.leaky_relu({}, {})", x, number(slope)));
    }
    TORCH_CHECK(false, "TorchScript export: unknown activation");
  }
  std::string attention(const std::string& x, const std::string& q, const std::string& k, const std::string& v,
                        const torch::Tensor& gamma, const std::string& name) override {
    // [N,HW,C/8] x [N,C/8,HW] -> softmax over the last axis -> [N,HW,HW]
    const auto weights = let(fmt::format("torch.softmax(torch.bmm({}.flatten(2).permute(0, 2, 1), {}.flatten(2)), -1)", q, k));
    const auto mixed = let(fmt::format("torch.bmm({}.flatten(2), {}.permute(0, 2, 1)).view_as({})", v, weights, x));
    return let(fmt::format("{} * {} + {}", attribute(name + ".gamma", gamma), mixed, x));
  }

  std::string input(const std::string& name, bool, const std::vector<int64_t>&) override {
    inputs_.push_back(name);
    return name;
  }
  std::string embedding(const torch::Tensor& table, const std::string& labels, const std::string& name) override {
    return let(fmt::format("torch.embedding({}, {})", attribute(name + ".weight", table), labels));
  }
  std::string concat(const std::string& a, const std::string& b, const std::string&) override {
    return let(fmt::format("torch.cat([{}, {}], 1)", a, b));
  }
  std::string reshape(const std::string& x, const std::vector<int64_t>& dims, const std::string&) override {
    return let(fmt::format("{}.reshape([{}.size(0), {}])", x, x, fmt::join(dims, ", ")));
  }
  std::string keep_known(const std::string& image, const std::string& mask, const std::string&) override {
    return let(fmt::format("{} * (1.0 - {})", image, mask));
  }
  std::string paste(const std::string& known, const std::string& painted, const std::string& mask,
                    const std::string&) override {
    return let(fmt::format("{} + {} * {}", known, painted, mask));
  }
  void output(const std::string& x, const std::vector<int64_t>&) override { body_ += "    return " + x + "\n"; }

  /// The forward method's source.
  std::string source() const {
    std::vector<std::string> parameters{"self"};
    for (const auto& input : inputs_) parameters.push_back(input + ": Tensor");
    return fmt::format("def forward({}) -> Tensor:\n{}", fmt::join(parameters, ", "), body_);
  }

  /// A module holding the attributes, with forward defined.
  torch::jit::Module module() const {
    torch::jit::Module module("gankit_generator");
    for (const auto& [name, tensor, is_buffer] : attributes_) module.register_parameter(name, tensor, is_buffer);
    module.define(source());
    module.eval();
    return module;
  }

 private:
  std::string let(const std::string& expression) {
    const auto value = "v" + std::to_string(values_++);
    body_ += "    " + value + " = " + expression + "\n";
    return value;
  }
  /// `tensor` as an attribute named after `name` (dots become underscores); "self.NAME".
  std::string attribute(const std::string& name, const torch::Tensor& tensor, bool is_buffer = false) {
    std::string id = name;
    for (auto& c : id) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    while (!names_.insert(id).second) id += "_";
    attributes_.push_back({id, tensor.detach().to(torch::kCPU).contiguous().clone(), is_buffer});
    return "self." + id;
  }
  std::string optional(const std::string& name, const torch::Tensor& tensor) {
    return tensor.defined() ? attribute(name, tensor) : "None";
  }
  static std::string number(double value) { return fmt::format("{:.17g}", value); }
  static std::string list(const std::vector<int64_t>& values) { return fmt::format("[{}]", fmt::join(values, ", ")); }

  struct Attribute {
    std::string name;
    torch::Tensor tensor;
    bool is_buffer;
  };
  std::vector<Attribute> attributes_;
  std::set<std::string> names_;
  std::vector<std::string> inputs_;
  std::string body_;
  int values_ = 0;
};

}  // namespace

std::string torchscript_source(const ExportedGenerator& generator) {
  TorchScriptWriter writer;
  write_generator(writer, generator);
  return writer.source();
}

void write_torchscript(const std::filesystem::path& path, const ExportedGenerator& generator) {
  TorchScriptWriter writer;
  write_generator(writer, generator);
  torch::jit::Module module;
  try {
    module = writer.module();
  } catch (const c10::Error& error) {
    std::string message = error.what_without_backtrace();
    fail("TorchScript export: the generated forward does not compile ({}); please report this",
         message.substr(0, message.find('\n')));
  }
  nlohmann::json metadata = nlohmann::json::object();
  for (const auto& [key, value] : describe(generator)) metadata[key] = value;
  std::ostringstream bytes;
  module.save(bytes, {{"gankit.json", metadata.dump(2)}});
  io::write_file_atomically(path, bytes.str());
}

}  // namespace gankit::exporter
