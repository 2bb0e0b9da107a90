#include "gankit/models/model_kind.h"

namespace gankit::models {

const EnumTable<ModelKind>& model_kinds() {
  static const EnumTable<ModelKind> table{
      {ModelKind::NoiseToImage, "adversarial", "noise (and labels) to image"},
      {ModelKind::ImageToImage, "pix2pix", "paired image to image"},
      {ModelKind::Inpainting, "inpaint", "image and hole to completed image"},
  };
  return table;
}

const char* kind_name(ModelKind kind) { return model_kinds().name(kind); }

const char* kind_article(ModelKind kind) {
  const char first = *kind_name(kind);
  return first == 'a' || first == 'e' || first == 'i' || first == 'o' || first == 'u' ? "an" : "a";
}

bool generates_from_noise(ModelKind kind) { return kind == ModelKind::NoiseToImage; }

bool takes_an_image(ModelKind kind) {
  return kind == ModelKind::ImageToImage || kind == ModelKind::Inpainting;
}

bool takes_a_mask(ModelKind kind) { return kind == ModelKind::Inpainting; }

}  // namespace gankit::models
