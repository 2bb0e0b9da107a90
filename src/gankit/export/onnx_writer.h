// A generator's forward as ONNX nodes (onnx_graph.h): the GeneratorWriter for ONNX.
#pragma once
#include "gankit/export/generator_writer.h"
#include "gankit/export/onnx_graph.h"

namespace gankit::exporter {

class OnnxWriter : public GeneratorWriter {
 public:
  explicit OnnxWriter(OnnxGraph& graph) : graph_(graph) {}

  std::string conv(const ConvLayer& layer, const std::string& x, const std::string& name) override;
  std::string linear(const LinearLayer& layer, const std::string& x, const std::string& name) override;
  std::string norm(const NormLayer& layer, const std::string& x, const std::string& name) override;
  std::string activation(Activation kind, double slope, const std::string& x, const std::string& name) override;
  std::string attention(const std::string& x, const std::string& q, const std::string& k, const std::string& v,
                        const torch::Tensor& gamma, const std::string& name) override;

  std::string input(const std::string& name, bool labels, const std::vector<int64_t>& dims) override;
  std::string embedding(const torch::Tensor& table, const std::string& labels, const std::string& name) override;
  std::string concat(const std::string& a, const std::string& b, const std::string& name) override;
  std::string reshape(const std::string& x, const std::vector<int64_t>& dims, const std::string& name) override;
  std::string keep_known(const std::string& image, const std::string& mask, const std::string& name) override;
  std::string paste(const std::string& known, const std::string& painted, const std::string& mask,
                    const std::string& name) override;
  void output(const std::string& x, const std::vector<int64_t>& dims) override;

 private:
  std::string transpose_last(const std::string& x);
  OnnxGraph& graph_;
};

}  // namespace gankit::exporter
