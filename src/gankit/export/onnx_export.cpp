#include "gankit/export/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <limits>

#include "gankit/error.h"
#include "gankit/export/onnx_writer.h"
#include "gankit/io/atomic_file.h"

namespace gankit::exporter {

namespace {

/// The IR version that came with `opset` (onnx/docs/Versioning.md): the oldest runtimes that know
/// the opset read the file.
int64_t ir_version_for(int64_t opset) {
  if (opset <= 9) return 4;
  if (opset == 10) return 5;
  if (opset == 11) return 6;
  if (opset <= 14) return 7;
  return 8;
}

void describe(onnx::ModelProto& model, const ExportedGenerator& generator) {
  for (const auto& [key, value] : exporter::describe(generator)) {
    auto* entry = model.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  }
}

/// onnx's checker and strict shape inference; their messages run over lines: the first one says it.
void check(onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(true, 1, false));
  } catch (const std::exception& error) {
    std::string message = error.what();
    message = message.substr(0, message.find('\n'));
    fail("ONNX export: onnx's checker refused the graph ({}); please report this", message);
  }
}

}  // namespace

std::string onnx_model_bytes(const ExportedGenerator& generator, const OnnxOptions& options) {
  if (options.opset < kMinOnnxOpset || options.opset > kMaxOnnxOpset) {
    fail("--opset {}: gankit writes opsets {} to {}", options.opset, kMinOnnxOpset, kMaxOnnxOpset);
  }
  onnx::ModelProto model;
  model.set_ir_version(ir_version_for(options.opset));
  model.set_producer_name("gankit");
  model.set_producer_version(GANKIT_VERSION);
  model.set_model_version(1);
  model.set_doc_string("gankit " + generator.header.config.model.name + " generator");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  auto* graph = model.mutable_graph();
  graph->set_name(generator.header.config.model.name);
  OnnxGraph builder(*graph, options.batch);
  OnnxWriter writer(builder);
  write_generator(writer, generator);
  describe(model, generator);
  check(model);
  // Shape inference fills value_info; the file keeps the graph as built, the checked copy's facts
  // aside (smaller, and every runtime infers them again).
  model.mutable_graph()->clear_value_info();
  if (model.ByteSizeLong() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    fail("ONNX export: the model has {} bytes, over protobuf's 2 GiB limit", model.ByteSizeLong());
  }
  return model.SerializeAsString();
}

void write_onnx(const std::filesystem::path& path, const ExportedGenerator& generator, const OnnxOptions& options) {
  const auto bytes = onnx_model_bytes(generator, options);
  io::write_file_atomically(path, bytes);
}

}  // namespace gankit::exporter
