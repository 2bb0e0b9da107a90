// The generator an export writes: the weights `gankit sample` (translate, inpaint) would use, read
// from any checkpoint kind, in eval mode on the CPU in float32.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/enum_table.h"

namespace gankit::exporter {

/// Which of a checkpoint's generators to export.
enum class WeightsChoice {
  Ema,  ///< the weight average where the run kept one (what `gankit sample` uses), else G
  Raw,  ///< G as last trained
};
const EnumTable<WeightsChoice>& weights_choices();

struct ExportedGenerator {
  checkpoint::CheckpointHeader header;
  /// The built generator: models::Generator (noise to image), UnetGeneratorImpl or InpaintGeneratorImpl.
  std::shared_ptr<torch::nn::Module> module;
  /// The checkpoint entry its weights came from: "generator_ema" or "generator". BatchNorm's running
  /// statistics are those the run stored with them (precise BatchNorm when the run computed it).
  std::string weights;
};

/// The generator's architecture and provenance as "gankit.KEY" = value pairs (model, kind, z_dim,
/// classes, image_size, channels, width and the family's own sizes, value range, weights, step,
/// version, resolved config): ONNX's metadata_props, safetensors' __metadata__, and what
/// python/gankit_models.py builds its network from.
std::vector<std::pair<std::string, std::string>> describe(const ExportedGenerator& generator);

/// Opens `path` (any gankit checkpoint kind) and loads its generator; errors are one gankit::Error
/// line naming the file.
ExportedGenerator load_exported_generator(const std::filesystem::path& path, WeightsChoice weights);

}  // namespace gankit::exporter
