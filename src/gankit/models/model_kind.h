// A model's kind: what its generator maps from and to. One enum, its names in one table (the
// names are what checkpoints store), and the questions the rest of gankit asks of a kind; no code
// compares kind names.
#pragma once
#include <string>

#include "gankit/enum_table.h"

namespace gankit::models {

enum class ModelKind {
  NoiseToImage,  ///< noise (and labels) -> image; `gankit sample`
  ImageToImage,  ///< paired image -> image (pix2pix); `gankit translate`
  Inpainting,    ///< image + hole -> completed image; `gankit inpaint`
};

/// Every kind with the name a checkpoint stores for it ("adversarial", "pix2pix", "inpaint").
const EnumTable<ModelKind>& model_kinds();

/// The stored name of `kind`.
const char* kind_name(ModelKind kind);
/// "a" or "an", as the kind's name is read aloud.
const char* kind_article(ModelKind kind);

/// G maps noise (and labels) to images: sampling, interpolation and FID during training apply.
bool generates_from_noise(ModelKind kind);
/// G takes an image as its input (translation, completion).
bool takes_an_image(ModelKind kind);
/// G takes a hole mask beside its image.
bool takes_a_mask(ModelKind kind);

}  // namespace gankit::models
