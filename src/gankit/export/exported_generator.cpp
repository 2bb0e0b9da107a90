#include "gankit/export/exported_generator.h"

#include <fmt/ranges.h>

#include "gankit/models/dcgan.h"
#include "gankit/models/inpaint_net.h"
#include "gankit/models/mlp.h"
#include "gankit/models/unet.h"
#include "gankit/models/registry.h"

namespace gankit::exporter {

const EnumTable<WeightsChoice>& weights_choices() {
  static const EnumTable<WeightsChoice> table{
      {WeightsChoice::Ema, "ema", "the weight average where the run kept one, as `gankit sample` uses"},
      {WeightsChoice::Raw, "raw", "the generator as last trained"},
  };
  return table;
}

namespace {

std::shared_ptr<torch::nn::Module> build_generator(const checkpoint::CheckpointHeader& header) {
  const auto& model = header.config.model;
  switch (header.kind) {
    case models::ModelKind::NoiseToImage:
      return models::make_networks(model, header.shape).generator;
    case models::ModelKind::ImageToImage:
      return models::make_translation_networks(model, header.shape).generator.ptr();
    case models::ModelKind::Inpainting:
      return models::make_inpainting_networks(model, header.shape).generator.ptr();
  }
  TORCH_CHECK(false, "export: unknown model kind");
}

/// The sizes that fix the architecture beyond the data's shape (python/gankit_models.py's arguments).
std::vector<std::pair<std::string, std::string>> architecture(torch::nn::Module& module) {
  if (auto* g = dynamic_cast<models::MlpGeneratorImpl*>(&module)) {
    return {{"gankit.width", std::to_string(g->options.width())}};
  }
  if (auto* g = dynamic_cast<models::DcganGeneratorImpl*>(&module)) {
    return {{"gankit.width", std::to_string(g->options.width())},
            {"gankit.attention_size", std::to_string(g->options.attention_size())}};
  }
  if (auto* g = dynamic_cast<models::UnetGeneratorImpl*>(&module)) {
    return {{"gankit.width", std::to_string(g->options.width())},
            {"gankit.num_downs", std::to_string(g->options.num_downs())}};
  }
  if (auto* g = dynamic_cast<models::InpaintGeneratorImpl*>(&module)) {
    return {{"gankit.width", std::to_string(g->options.width())},
            {"gankit.dilations", fmt::format("{}", fmt::join(g->options.dilations(), ","))}};
  }
  return {};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> describe(const ExportedGenerator& generator) {
  const auto& header = generator.header;
  std::vector<std::pair<std::string, std::string>> entries{
      {"gankit.model", header.config.model.name},
      {"gankit.kind", models::kind_name(header.kind)},
      {"gankit.z_dim", std::to_string(header.config.model.z_dim)},
      // The classes G is conditioned on: an unconditional G trained on labelled data takes none.
      {"gankit.classes", std::to_string(models::find_model(header.config.model.name).conditional ? header.shape.num_classes : 0)},
      {"gankit.image_size", std::to_string(header.shape.image_size)},
      {"gankit.channels", std::to_string(header.shape.channels)}};
  for (auto& entry : architecture(*generator.module)) entries.push_back(std::move(entry));
  entries.insert(entries.end(), {{"gankit.value_range", "[-1, 1]"},
                                 {"gankit.weights", generator.weights},
                                 {"gankit.step", std::to_string(header.step)},
                                 {"gankit.version", GANKIT_VERSION},
                                 {"gankit.config", header.config.to_toml()}});
  return entries;
}

ExportedGenerator load_exported_generator(const std::filesystem::path& path, WeightsChoice weights) {
  auto opened = checkpoint::open_checkpoint(path);
  ExportedGenerator exported;
  exported.header = opened.header;
  exported.module = build_generator(opened.header);
  torch::serialize::InputArchive probe;
  const bool has_average = weights == WeightsChoice::Ema && opened.archive.try_read("generator_ema", probe);
  exported.weights = has_average ? "generator_ema" : "generator";
  checkpoint::load_module(opened, {exported.weights.c_str()}, *exported.module, path, opened.header.config.model.name);
  exported.module->to(torch::kCPU, torch::kFloat);
  exported.module->eval();
  return exported;
}

}  // namespace gankit::exporter
