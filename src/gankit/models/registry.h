// The one table of architectures: name -> builder. Adding a GAN = one file in models/, one row
// here, one config.
#pragma once
#include <string>
#include <vector>

#include "gankit/models/model_kind.h"
#include "gankit/models/model_options.h"
#include "gankit/models/networks.h"

namespace gankit::models {

struct ModelEntry {
  const char* name;
  const char* summary;
  /// Needs labelled data; G (and D, unless it classifies) take labels.
  bool conditional;
  /// G and D of a noise-to-image model; null for the other kinds, whose recipes build their own.
  Networks (*build)(const ModelOptions& options, const DataShape& shape);
  /// The paper's training recipe as config overrides ("train.loss=hinge", ...): applied to keys a
  /// config leaves unset, so `model.name = "wgan"` alone trains a WGAN the way its paper does.
  std::vector<const char*> recipe;
  ModelKind kind = ModelKind::NoiseToImage;
};

/// Every registered architecture, in the order `gankit info --models` lists them.
const std::vector<ModelEntry>& model_table();

/// The entry for `name`; throws gankit::Error listing the valid names if there is none.
const ModelEntry& find_model(const std::string& name);

/// Builds G and D for `options.name` (a noise-to-image model), initialised with the architecture's reference init.
/// Throws gankit::Error when the data shape does not suit the architecture.
Networks make_networks(const ModelOptions& options, const DataShape& shape);

}  // namespace gankit::models
