// What the image-to-image recipes (pix2pix, inpainting) share: a generator and a discriminator
// from the model registry on one device, an optimiser each, and how both are saved and restored.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <utility>

#include "gankit/config/train_options.h"
#include "gankit/train/optimizers.h"
#include "gankit/train/recipe.h"

namespace gankit::train {

template <typename G, typename D>
class TwoPlayerRecipe : public Recipe {
 public:
  std::pair<double, double> learning_rates() const override { return {lr_g_, lr_d_}; }

  void save(torch::serialize::OutputArchive& archive) const override {
    save_players(archive, *generator_, *discriminator_, *optimizer_g_, *optimizer_d_);
  }
  void load(torch::serialize::InputArchive& archive) override {
    load_players(archive, *generator_, *discriminator_, *optimizer_g_, *optimizer_d_);
    generator_->to(device_);
    discriminator_->to(device_);
  }
  const torch::nn::Module& generator_module() const override { return *generator_; }
  const torch::nn::Module& discriminator_module() const override { return *discriminator_; }

 protected:
  /// Moves G and D to `device` and gives each an optimiser (train.optimizer at lr_g and lr_d;
  /// averaging gradients over `group` when there is one).
  TwoPlayerRecipe(G generator, D discriminator, const config::TrainOptions& options, torch::Device device,
                  parallel::Group* group)
      : generator_(std::move(generator)),
        discriminator_(std::move(discriminator)),
        lr_g_(options.lr_g),
        lr_d_(options.lr_d),
        device_(device) {
    generator_->to(device);
    discriminator_->to(device);
    optimizer_g_ = make_optimizer(options, generator_->parameters(), lr_g_, group);
    optimizer_d_ = make_optimizer(options, discriminator_->parameters(), lr_d_, group);
  }

  G generator_;
  D discriminator_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_g_, optimizer_d_;
  double lr_g_, lr_d_;
  torch::Device device_;
};

}  // namespace gankit::train
