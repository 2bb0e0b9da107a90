#include "gankit/export/generator_writer.h"

#include "gankit/error.h"
#include "gankit/models/dcgan.h"
#include "gankit/models/inpaint_net.h"
#include "gankit/models/mlp.h"
#include "gankit/models/unet.h"

namespace gankit::exporter {

namespace {

/// The registered child `name` of `module` (the models keep their layers private).
torch::nn::Module& child(torch::nn::Module& module, const std::string& name) {
  const auto children = module.named_children();
  const auto* found = children.find(name);
  TORCH_CHECK(found != nullptr, "export: the generator has no part named ", name);
  return **found;
}

/// The image's dims [C,S,S].
std::vector<int64_t> image_dims(const models::DataShape& shape) {
  return {shape.channels, shape.image_size, shape.image_size};
}

/// mlp: z [N,Z] -> body -> [N,CHW] -> [N,C,S,S]
void write_mlp(GeneratorWriter& writer, models::MlpGeneratorImpl& generator, const models::DataShape& shape) {
  const auto z = writer.input("z", false, {generator.options.z_dim()});
  const auto dims = image_dims(shape);
  writer.output(writer.reshape(write_layer(writer, child(generator, "body"), z, "body"), dims, "image"), dims);
}

/// DCGAN family: z [N,Z] (joined to the label's embedding [N,K]) -> [N,Z+K,1,1] -> body -> [N,C,S,S]
void write_dcgan(GeneratorWriter& writer, models::DcganGeneratorImpl& generator, const models::DataShape& shape) {
  auto input = writer.input("z", false, {generator.options.z_dim()});
  if (generator.options.num_classes() > 0) {
    const auto label = writer.input("label", true, {});
    auto& embedding = dynamic_cast<torch::nn::EmbeddingImpl&>(child(generator, "label_embedding"));
    const auto embedded = writer.embedding(embedding.weight.detach(), label, "label_embedding");
    input = writer.concat(input, embedded, "joined");
  }
  // [N,Z+K] -> [N,Z+K,1,1], every size spelled out: OpenCV's reader mis-infers a -1 here.
  const int64_t joined = generator.options.z_dim() + generator.options.num_classes();
  const auto column = writer.reshape(input, {joined, 1, 1}, "column");
  writer.output(write_layer(writer, child(generator, "body"), column, "body"), image_dims(shape));
}

/// pix2pix's U-Net (models/unet.cpp): encoder levels, then decoder levels each fed its level's skip
/// joined to the level below; BatchNorm on each image's own statistics, as `gankit translate`.
void write_unet(GeneratorWriter& writer, models::UnetGeneratorImpl& generator, const models::DataShape& shape) {
  const LayerOptions per_image{true};
  const auto dims = image_dims(shape);
  auto x = writer.input("image", false, dims);
  const auto encoder = child(generator, "encoder").children(), decoder = child(generator, "decoder").children();
  std::vector<std::string> skips;
  for (size_t l = 0; l < encoder.size(); ++l) {
    x = write_layer(writer, *encoder[l], x, "encoder." + std::to_string(l), per_image);
    if (l + 1 < encoder.size()) skips.push_back(x);
  }
  for (size_t j = 0; j < decoder.size(); ++j) {
    if (j > 0) x = writer.concat(skips[skips.size() - j], x, "skip");  // skip first, as the reference
    x = write_layer(writer, *decoder[j], x, "decoder." + std::to_string(j), per_image);
  }
  writer.output(x, dims);
}

/// Inpainting: G(image ⊙ (1 − mask) ⊕ mask), composited so known pixels are kept (models::complete).
void write_inpaint(GeneratorWriter& writer, models::InpaintGeneratorImpl& generator, const models::DataShape& shape) {
  const auto dims = image_dims(shape);
  const auto image = writer.input("image", false, dims);
  const auto mask = writer.input("mask", false, {1, dims[1], dims[2]});
  const auto known = writer.keep_known(image, mask, "known");
  const auto painted = write_layer(writer, child(generator, "body"), writer.concat(known, mask, "input"), "body");
  writer.output(writer.paste(known, painted, mask, "composite"), dims);
}

}  // namespace

void write_generator(GeneratorWriter& writer, const ExportedGenerator& generator) {
  auto& module = *generator.module;
  const auto& shape = generator.header.shape;
  if (auto* g = dynamic_cast<models::MlpGeneratorImpl*>(&module)) return write_mlp(writer, *g, shape);
  if (auto* g = dynamic_cast<models::DcganGeneratorImpl*>(&module)) return write_dcgan(writer, *g, shape);
  if (auto* g = dynamic_cast<models::UnetGeneratorImpl*>(&module)) return write_unet(writer, *g, shape);
  if (auto* g = dynamic_cast<models::InpaintGeneratorImpl*>(&module)) return write_inpaint(writer, *g, shape);
  fail("export: no writer for the generator of model {}", generator.header.config.model.name);
}

}  // namespace gankit::exporter
