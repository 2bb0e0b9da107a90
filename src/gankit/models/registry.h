// The one table of architectures: name -> builder. Adding a GAN = one file in models/, one row
// here, one config.
#pragma once
#include <string>
#include <vector>

#include "gankit/models/dcgan.h"
#include "gankit/models/inpaint_net.h"
#include "gankit/compute/precision.h"
#include "gankit/models/model_kind.h"
#include "gankit/models/model_options.h"
#include "gankit/models/networks.h"
#include "gankit/models/patchgan.h"
#include "gankit/models/unet.h"

namespace gankit::models {

struct ModelEntry {
  const char* name;
  const char* summary;
  /// Needs labelled data; G (and D, unless it classifies) take labels.
  bool conditional;
  /// Builds G and D, initialised with the architecture's reference init; the typed builders below
  /// check the data and the kind, then call it.
  BuiltNetworks (*build)(const ModelOptions& options, const DataShape& shape);
  /// The paper's training recipe as config overrides ("train.loss=hinge", ...): applied to keys a
  /// config leaves unset, so `model.name = "wgan"` alone trains a WGAN the way its paper does.
  std::vector<const char*> recipe;
  ModelKind kind = ModelKind::NoiseToImage;
};

/// Every registered architecture, in the order `gankit info --models` lists them.
const std::vector<ModelEntry>& model_table();

/// The entry for `name`; throws gankit::Error listing the valid names if there is none.
const ModelEntry& find_model(const std::string& name);

/// Whether bf16 has held sample quality for architecture `name` in bench/precision_quality.py
/// (bf16's mean FID within fp32's seed range, every judge): `auto` picks bf16 only for these.
bool bf16_quality_checked(const std::string& name);

/// resolve_precision for architecture `model`: as compute::resolve_precision, except that `auto`
/// stays fp32 for an architecture whose bf16 quality has not been checked (the reason says so).
compute::PrecisionChoice resolve_model_precision(compute::Precision requested, const torch::Device& device,
                                                 const std::string& model, const std::string& key);

/// Builds G and D for `options.name` (a noise-to-image model), initialised with the architecture's reference
/// init. Throws gankit::Error when the data shape does not suit the architecture.
Networks make_networks(const ModelOptions& options, const DataShape& shape);

/// G and D of an image-to-image model (pix2pix): U-Net and PatchGAN.
struct TranslationNetworks {
  UnetGenerator generator{nullptr};
  PatchDiscriminator discriminator{nullptr};
};
/// make_networks for an image-to-image model.
TranslationNetworks make_translation_networks(const ModelOptions& options, const DataShape& shape);

/// G and the global critic of an inpainting model.
struct InpaintingNetworks {
  InpaintGenerator generator{nullptr};
  DcganDiscriminator critic{nullptr};
};
/// make_networks for an inpainting model.
InpaintingNetworks make_inpainting_networks(const ModelOptions& options, const DataShape& shape);

}  // namespace gankit::models
