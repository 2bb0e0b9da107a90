#include "gankit/train/recipes.h"

#include "gankit/error.h"
#include "gankit/models/registry.h"
#include "gankit/train/adversarial_gan.h"
#include "gankit/train/inpainting.h"
#include "gankit/train/pix2pix.h"

namespace gankit::train {

std::unique_ptr<Recipe> make_recipe(const config::Config& config, const data::DataInfo& info,
                                    torch::Device device, parallel::Group* group) {
  const auto& model = models::find_model(config.model.name);
  switch (model.kind) {
    case models::ModelKind::ImageToImage:
      return std::make_unique<Pix2pix>(config, info, device, group);
    case models::ModelKind::Inpainting:
      return std::make_unique<Inpainting>(config, info, device, group);
    case models::ModelKind::NoiseToImage:
      break;
  }
  const models::DataShape shape{info.channels, info.image_size, info.num_classes};
  const auto& t = config.train;
  auto networks = models::make_networks(config.model, shape);
  auto average = t.ema > 0 ? models::make_networks(config.model, shape).generator : nullptr;
  return std::make_unique<AdversarialGan>(std::move(networks), std::move(average), t, config.model.z_dim,
                                          model.conditional ? shape.num_classes : 0, device, group);
}

}  // namespace gankit::train
