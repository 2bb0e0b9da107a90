// Checkpoints of every generator kind for the export tests: tiny networks from the registry with
// weights that exercise every layer (unit-gain weights, BatchNorm statistics as precise BatchNorm
// leaves them, attention's γ non-zero), saved as `gankit train` saves them, plus the inputs gankit's own forward takes.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/models/generation.h"
#include "gankit/models/inpaint_net.h"
#include "gankit/models/registry.h"
#include "gankit/models/unet.h"
#include "gankit/nn/batchnorm_stats.h"
#include "gankit/nn/self_attention.h"
#include "support/tiny_run.h"

namespace gankit::test {

struct GeneratorCase {
  const char* model;
  int64_t image_size;
  int64_t channels;
  int64_t classes = 0;
  int64_t width = 4;
};

/// How GoogleTest shows a case (instead of its bytes, pointer included).
inline void PrintTo(const GeneratorCase& c, std::ostream* out) {
  *out << c.model << " " << c.channels << "x" << c.image_size << "x" << c.image_size << " width " << c.width
       << (c.classes > 0 ? " classes " + std::to_string(c.classes) : std::string());
}

inline std::string case_name(const GeneratorCase& c) {
  std::string name = std::string(c.model) + "_" + std::to_string(c.image_size);
  for (auto& ch : name) ch = ch == '-' ? '_' : ch;
  return name;
}

/// Every registry row, DCGAN at 32 and 64, pix2pix and inpaint, at tiny widths. dcgan at 32 is
/// trained on labelled data (as on CIFAR-10): its checkpoint says 10 classes, its G takes none.
inline std::vector<GeneratorCase> all_generator_cases() {
  return {{"mlp", 16, 1},      {"dcgan", 32, 3, 10},        {"dcgan", 64, 1},       {"sn-dcgan", 32, 3},
          {"sagan", 32, 3, 0, 16}, {"cgan", 32, 1, 10},  {"acgan", 32, 1, 10},   {"wgan", 32, 1},
          {"wgan-gp", 32, 3},  {"pix2pix", 32, 3},      {"inpaint", 16, 3}};
}

/// Scales every convolution and linear weight to unit gain, so activations keep their size through
/// the network and outputs span [-1, 1] (DCGAN's N(0, 0.02) init leaves them near 0).
inline void unit_gain_weights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules()) {
    if (auto* conv = m->as<torch::nn::ConvTranspose2d>()) {  // each output sums in·k²/stride² inputs
      const auto& w = conv->weight;
      const double fan_in = w.size(0) * w.size(2) * w.size(3) / double(conv->options.stride()->at(0) * conv->options.stride()->at(0));
      conv->weight.normal_(0, 1.0 / std::sqrt(fan_in));
    } else if (auto* conv2 = m->as<torch::nn::Conv2d>()) {
      conv2->weight.normal_(0, 1.0 / std::sqrt(double(conv2->weight[0].numel())));
    } else if (auto* linear = m->as<torch::nn::Linear>()) {
      linear->weight.normal_(0, 1.0 / std::sqrt(double(linear->weight.size(1))));
    }
  }
  for (auto& parameter : module.named_parameters()) {
    if (parameter.key().find("gamma") != std::string::npos) parameter.value().fill_(0.7);  // attention on
    if (parameter.key().find("bias") != std::string::npos) parameter.value().normal_(0, 0.1);
  }
}

/// Running statistics as precise BatchNorm leaves them (a batch of 32 through G), then moved a
/// little, so an export that ignored them (or used batch statistics) would differ.
inline void calibrate_batch_norm(torch::nn::Module& module, const std::function<void()>& forward) {
  nn::recompute_batchnorm_stats(module, forward, 1);
  torch::NoGradGuard no_grad;
  for (auto& buffer : module.named_buffers()) {
    if (buffer.key().find("running_mean") != std::string::npos) buffer.value().add_(torch::randn_like(buffer.value()) * 0.1);
    if (buffer.key().find("running_var") != std::string::npos) buffer.value().mul_(torch::rand_like(buffer.value()) * 0.5 + 0.75);
  }
}

inline std::shared_ptr<torch::nn::Module> build_generator(const config::Config& config,
                                                          const models::DataShape& shape) {
  switch (models::find_model(config.model.name).kind) {
    case models::ModelKind::NoiseToImage:
      return models::make_networks(config.model, shape).generator;
    case models::ModelKind::ImageToImage:
      return models::make_translation_networks(config.model, shape).generator.ptr();
    case models::ModelKind::Inpainting:
      return models::make_inpainting_networks(config.model, shape).generator.ptr();
  }
  return nullptr;
}

/// What a generator takes, for a batch of `n`.
struct GeneratorInputs {
  torch::Tensor z, labels, images, masks;
};

inline GeneratorInputs make_inputs(const checkpoint::CheckpointHeader& header, int64_t n) {
  GeneratorInputs inputs;
  const auto& shape = header.shape;
  if (models::generates_from_noise(header.kind)) {
    inputs.z = torch::randn({n, header.config.model.z_dim});
    if (shape.num_classes > 0 && models::find_model(header.config.model.name).conditional) {
      inputs.labels = torch::randint(shape.num_classes, {n}, torch::kLong);
    }
  } else {
    inputs.images = torch::rand({n, shape.channels, shape.image_size, shape.image_size}) * 2 - 1;
    if (models::takes_a_mask(header.kind)) {
      inputs.masks = (torch::rand({n, 1, shape.image_size, shape.image_size}) > 0.5).to(torch::kFloat);
    }
  }
  return inputs;
}

/// A saved checkpoint's generators: `raw` as "generator", `average` (when made) as "generator_ema".
class SavedGenerators : public checkpoint::TrainingState {
 public:
  SavedGenerators(const GeneratorCase& c, bool with_average, uint64_t seed = 1) {
    torch::manual_seed(seed);
    header.config = tiny_config(3);
    header.config.set(std::string("model.name=\"") + c.model + "\"");
    header.config.set("model.width=" + std::to_string(c.width));
    header.kind = models::find_model(c.model).kind;
    header.shape = {c.channels, c.image_size, c.classes};
    header.step = 3;
    raw = make_trained_like();
    if (with_average) average = make_trained_like();
  }
  void save(torch::serialize::OutputArchive& archive) const override {
    torch::serialize::OutputArchive g;
    raw->save(g);
    archive.write("generator", g);
    if (average) {
      torch::serialize::OutputArchive a;
      average->save(a);
      archive.write("generator_ema", a);
    }
  }
  void load(torch::serialize::InputArchive&) override { throw std::logic_error("export tests only save"); }

  checkpoint::CheckpointHeader header;
  std::shared_ptr<torch::nn::Module> raw, average;

 private:
  /// A generator whose weights and statistics look like a trained one's.
  std::shared_ptr<torch::nn::Module> make_trained_like() const {
    auto generator = build_generator(header.config, header.shape);
    unit_gain_weights(*generator);
    const auto batch = make_inputs(header, 32);
    const auto forward = [&] {
      if (auto* g = dynamic_cast<models::Generator*>(generator.get())) {
        g->forward(batch.z, batch.labels);
      } else if (auto* unet = dynamic_cast<models::UnetGeneratorImpl*>(generator.get())) {
        unet->forward(batch.images);
      } else {
        dynamic_cast<models::InpaintGeneratorImpl&>(*generator).forward(models::make_inpaint_input(batch.images, batch.masks));
      }
    };
    {
      // Spectral norm's u and v converge as in training (one power iteration per training forward).
      torch::NoGradGuard no_grad;
      generator->train();
      for (int i = 0; i < 30; ++i) forward();
    }
    calibrate_batch_norm(*generator, forward);
    return generator;
  }
};

/// The first item of each input (a batch of one).
inline GeneratorInputs first_item(const GeneratorInputs& inputs) {
  const auto first = [](const torch::Tensor& t) { return t.defined() ? t.narrow(0, 0, 1) : t; };
  return {first(inputs.z), first(inputs.labels), first(inputs.images), first(inputs.masks)};
}

/// Whether `images` vary enough for a comparison to mean something: spread out, mostly unsaturated.
inline ::testing::AssertionResult informative(const torch::Tensor& images) {
  const double spread = images.std().item<double>();
  const double saturated = (images.abs() > 0.99).to(torch::kFloat).mean().item<double>();
  if (spread > 0.05 && saturated < 0.5) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "outputs std " << spread << ", " << saturated << " saturated";
}

/// gankit's own output, as `gankit sample` / `translate` / `inpaint` compute it, in float32.
inline torch::Tensor reference_output(const std::shared_ptr<torch::nn::Module>& generator, models::ModelKind kind,
                                      const GeneratorInputs& inputs) {
  torch::NoGradGuard no_grad;
  switch (kind) {
    case models::ModelKind::NoiseToImage: {
      auto& g = dynamic_cast<models::Generator&>(*generator);
      g.eval();
      return g.forward(inputs.z, inputs.labels);
    }
    case models::ModelKind::ImageToImage: {
      models::UnetGenerator unet(std::dynamic_pointer_cast<models::UnetGeneratorImpl>(generator));
      return models::translate(unet, inputs.images);
    }
    case models::ModelKind::Inpainting: {
      models::InpaintGenerator net(std::dynamic_pointer_cast<models::InpaintGeneratorImpl>(generator));
      return models::complete(net, inputs.images, inputs.masks);
    }
  }
  return {};
}

}  // namespace gankit::test
