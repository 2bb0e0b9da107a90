#include "gankit/models/registry.h"

#include "gankit/error.h"
#include "gankit/models/dcgan.h"
#include "gankit/models/mlp.h"
#include "gankit/nn/blocks.h"

namespace gankit::models {

namespace {

int64_t width_or(const ModelOptions& options, int64_t reference) {
  return options.width > 0 ? options.width : reference;
}

Networks build_mlp(const ModelOptions& options, const DataShape& shape) {
  auto mlp = MlpOptions(shape.channels, shape.image_size).z_dim(options.z_dim).width(width_or(options, 256));
  return {MlpGenerator(mlp).ptr(), MlpDiscriminator(mlp).ptr()};
}

Networks build_dcgan(const ModelOptions& options, const DataShape& shape) {
  if (!nn::is_power_of_two(shape.image_size) || shape.image_size < 8) {
    fail("model dcgan needs data.image_size to be a power of two >= 8 (e.g. 32 or 64), got {}",
         shape.image_size);
  }
  auto dcgan = DcganOptions(shape.channels, shape.image_size).z_dim(options.z_dim).width(width_or(options, 64));
  return {DcganGenerator(dcgan).ptr(), DcganDiscriminator(dcgan).ptr()};
}

}  // namespace

const std::vector<ModelEntry>& model_table() {
  static const std::vector<ModelEntry> table{
      {"mlp", "vanilla GAN (Goodfellow 2014): fully connected G and D, BatchNorm in G", false, build_mlp},
      {"dcgan", "DCGAN (Radford 2016): transposed-conv G, strided-conv D, BatchNorm", false, build_dcgan},
  };
  return table;
}

const ModelEntry& find_model(const std::string& name) {
  std::string names;
  for (const auto& entry : model_table()) {
    if (name == entry.name) return entry;
    names += (names.empty() ? "" : ", ") + std::string(entry.name);
  }
  fail("unknown model '{}' (valid: {})", name, names);
}

Networks make_networks(const ModelOptions& options, const DataShape& shape) {
  const auto& entry = find_model(options.name);
  if (shape.channels != 1 && shape.channels != 3) {
    fail("model {}: images must have 1 or 3 channels, got {}", entry.name, shape.channels);
  }
  if (shape.image_size < 1) fail("model {}: image size must be positive, got {}", entry.name, shape.image_size);
  if (entry.conditional && shape.num_classes < 2) {
    fail("model {} is conditional and needs labelled data (the data set has no labels)", entry.name);
  }
  return entry.build(options, shape);
}

}  // namespace gankit::models
