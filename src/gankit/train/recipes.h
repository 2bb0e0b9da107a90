// The one place that turns a config into a Recipe: the model registry says which kind of training
// a model needs (models::ModelKind), this builds it.
#pragma once
#include <memory>

#include "gankit/config/config.h"
#include "gankit/data/loader.h"
#include "gankit/train/recipe.h"

namespace gankit::train {

/// Builds the networks, optimisers and losses `config` asks for, for data described by `info`, on
/// `device`, for a process of the data-parallel `group` (null: a single process). Throws
/// gankit::Error for combinations that cannot work.
std::unique_ptr<Recipe> make_recipe(const config::Config& config, const data::DataInfo& info,
                                    torch::Device device, parallel::Group* group);

}  // namespace gankit::train
