#include "gankit/train/recipe.h"

namespace gankit::train {

std::string no_held_out_line(const torch::Tensor& held_out) {
  if (held_out.defined() && held_out.size(0) > 0) return {};
  return "held out: none (the data has no test split; data.holdout makes one): no held-out metrics";
}

void save_players(torch::serialize::OutputArchive& archive, const torch::nn::Module& generator,
                  const torch::nn::Module& discriminator, const torch::optim::Optimizer& optimizer_g,
                  const torch::optim::Optimizer& optimizer_d) {
  torch::serialize::OutputArchive g, d, opt_g, opt_d;
  generator.save(g);
  discriminator.save(d);
  optimizer_g.save(opt_g);
  optimizer_d.save(opt_d);
  archive.write("generator", g);
  archive.write("discriminator", d);
  archive.write("optimizer_g", opt_g);
  archive.write("optimizer_d", opt_d);
}

void load_players(torch::serialize::InputArchive& archive, torch::nn::Module& generator,
                  torch::nn::Module& discriminator, torch::optim::Optimizer& optimizer_g,
                  torch::optim::Optimizer& optimizer_d) {
  torch::serialize::InputArchive g, d, opt_g, opt_d;
  archive.read("generator", g);
  archive.read("discriminator", d);
  archive.read("optimizer_g", opt_g);
  archive.read("optimizer_d", opt_d);
  generator.load(g);
  discriminator.load(d);
  optimizer_g.load(opt_g);
  optimizer_d.load(opt_d);
}

}  // namespace gankit::train
