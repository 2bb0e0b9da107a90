#include "gankit/models/registry.h"

#include <set>

#include "gankit/error.h"
#include "gankit/models/mlp.h"
#include "gankit/nn/blocks.h"

namespace gankit::models {

namespace {

int64_t width_or(const ModelOptions& options, int64_t reference) {
  return options.width > 0 ? options.width : reference;
}

/// `module` as the class its row built; a mismatch is a bug in the table, not a user error.
template <typename T>
std::shared_ptr<T> as(const std::shared_ptr<torch::nn::Module>& module) {
  auto typed = std::dynamic_pointer_cast<T>(module);
  TORCH_CHECK(typed != nullptr, "the model registry built a network of another class");
  return typed;
}

MlpOptions mlp_options(const ModelOptions& options, const DataShape& shape) {
  return MlpOptions(shape.channels, shape.image_size).z_dim(options.z_dim).width(width_or(options, 256));
}

BuiltNetworks build_mlp(const ModelOptions& options, const DataShape& shape) {
  // The seeds' Keras model: Glorot init, BatchNormalization(momentum=0.8, epsilon=1e-3).
  const auto mlp = mlp_options(options, shape).glorot_init(true).batch_norm_momentum(0.2).batch_norm_eps(1e-3);
  return {MlpGenerator(mlp).ptr(), MlpDiscriminator(mlp).ptr()};
}

BuiltNetworks build_mlp_torch(const ModelOptions& options, const DataShape& shape) {
  // The same layers with PyTorch's defaults: the smaller initial weights train a better G; the
  // BatchNorm defaults made no difference (bench/results/quality.md).
  const auto mlp = mlp_options(options, shape);
  return {MlpGenerator(mlp).ptr(), MlpDiscriminator(mlp).ptr()};
}

/// The DCGAN family's options for this data; `name` is for the error message.
DcganOptions dcgan_options(const char* name, const ModelOptions& options, const DataShape& shape) {
  if (!nn::is_power_of_two(shape.image_size) || shape.image_size < 8) {
    fail("model {} needs data.image_size to be a power of two >= 8 (e.g. 32 or 64), got {}", name,
         shape.image_size);
  }
  return DcganOptions(shape.channels, shape.image_size).z_dim(options.z_dim).width(width_or(options, 64));
}

BuiltNetworks build_dcgan_family(const DcganOptions& dcgan) {
  return {DcganGenerator(dcgan).ptr(), DcganDiscriminator(dcgan).ptr()};
}

BuiltNetworks build_dcgan(const ModelOptions& options, const DataShape& shape) {
  return build_dcgan_family(dcgan_options("dcgan", options, shape));
}

BuiltNetworks build_sn_dcgan(const ModelOptions& options, const DataShape& shape) {
  return build_dcgan_family(
      dcgan_options("sn-dcgan", options, shape).discriminator_spectral_norm(true).discriminator_batch_norm(false));
}

BuiltNetworks build_sagan(const ModelOptions& options, const DataShape& shape) {
  if (shape.image_size < 32) fail("model sagan needs data.image_size >= 32 (attention sits at 16x16)");
  return build_dcgan_family(dcgan_options("sagan", options, shape)
                                .discriminator_spectral_norm(true)
                                .discriminator_batch_norm(false)
                                .generator_spectral_norm(true)
                                .attention_size(16));
}

BuiltNetworks build_cgan(const ModelOptions& options, const DataShape& shape) {
  return build_dcgan_family(dcgan_options("cgan", options, shape).num_classes(shape.num_classes));
}

BuiltNetworks build_acgan(const ModelOptions& options, const DataShape& shape) {
  return build_dcgan_family(
      dcgan_options("acgan", options, shape).num_classes(shape.num_classes).auxiliary_classifier(true));
}

BuiltNetworks build_wgan(const ModelOptions& options, const DataShape& shape) {
  // The WGAN paper's DCGAN critic keeps BatchNorm; weight clipping bounds it.
  return build_dcgan_family(dcgan_options("wgan", options, shape));
}

BuiltNetworks build_wgan_gp(const ModelOptions& options, const DataShape& shape) {
  // No BatchNorm in the critic: the penalty is per image, and BatchNorm mixes a batch's images.
  return build_dcgan_family(dcgan_options("wgan-gp", options, shape).discriminator_batch_norm(false));
}

int64_t unet_downs(int64_t image_size) {
  // One halving per level down to 1x1 at the bottleneck: 8 at 256, 7 at 128 (the reference).
  int64_t downs = 0;
  for (int64_t s = image_size; s > 1; s /= 2) ++downs;
  return downs;
}

BuiltNetworks build_pix2pix(const ModelOptions& options, const DataShape& shape) {
  if (!nn::is_power_of_two(shape.image_size) || shape.image_size < 32) {
    fail("model pix2pix needs data.image_size to be a power of two >= 32 (e.g. 128 or 256), got {}",
         shape.image_size);
  }
  const int64_t width = width_or(options, 64), channels = shape.channels;
  return {UnetGenerator(UnetGeneratorOptions(channels, channels, unet_downs(shape.image_size)).width(width))
              .ptr(),
          PatchDiscriminator(PatchDiscriminatorOptions(2 * channels).width(width)).ptr()};
}

BuiltNetworks build_inpaint(const ModelOptions& options, const DataShape& shape) {
  if (shape.image_size % 4 != 0 || !nn::is_power_of_two(shape.image_size) || shape.image_size < 16) {
    fail("model inpaint needs data.image_size to be a power of two >= 16 (e.g. 64), got {}",
         shape.image_size);
  }
  const int64_t width = width_or(options, 64), channels = shape.channels;
  auto generator = InpaintGenerator(
      InpaintGeneratorOptions().in_channels(channels + 1).out_channels(channels).width(width));
  // A global critic: DCGAN's discriminator without BatchNorm, so a gradient penalty is per image.
  auto critic = DcganDiscriminator(
      DcganOptions(channels, shape.image_size).width(width).discriminator_batch_norm(false));
  return {generator.ptr(), critic.ptr()};
}

/// Checks the data suits `options.name` and that the row is of `kind`, then builds it.
BuiltNetworks build_checked(const ModelOptions& options, const DataShape& shape, ModelKind kind) {
  const auto& entry = find_model(options.name);
  if (shape.channels != 1 && shape.channels != 3) {
    fail("model {}: images must have 1 or 3 channels, got {}", entry.name, shape.channels);
  }
  if (shape.image_size < 1)
    fail("model {}: image size must be positive, got {}", entry.name, shape.image_size);
  if (entry.kind != kind) {
    if (generates_from_noise(kind)) {
      fail("model {} is not a noise-to-image GAN (it is trained and used through its own recipe)",
           entry.name);
    }
    fail("model {} is {} '{}' model, not {} '{}' one", entry.name, kind_article(entry.kind),
         kind_name(entry.kind), kind_article(kind), kind_name(kind));
  }
  if (entry.conditional && shape.num_classes < 2) {
    fail("model {} is conditional and needs labelled data (the data set has no labels)", entry.name);
  }
  return entry.build(options, shape);
}

}  // namespace

const std::vector<ModelEntry>& model_table() {
  static const std::vector<ModelEntry> table{
      {"mlp", "vanilla GAN (Goodfellow 2014): fully connected G and D, BatchNorm in G; Keras init", false, build_mlp,
       {}},
      {"mlp-torch",
       "mlp with PyTorch's Linear init and BatchNorm1d defaults (momentum 0.1, eps 1e-5)",
       false,
       build_mlp_torch,
       {}},
      {"dcgan", "DCGAN (Radford 2016): transposed-conv G, strided-conv D, BatchNorm", false, build_dcgan, {}},
      {"sn-dcgan",
       "SN-GAN (Miyato 2018): DCGAN with spectral norm and no BatchNorm in D, hinge loss",
       false,
       build_sn_dcgan,
       {"train.loss=hinge"}},
      {"sagan",
       "SAGAN (Zhang 2019): spectral norm in G and D, self-attention at 16x16, hinge, TTUR",
       false,
       build_sagan,
       {"train.loss=hinge", "train.lr_g=1e-4", "train.lr_d=4e-4", "train.betas=[0.0, 0.9]"}},
      {"cgan",
       "conditional GAN (Mirza 2014) on DCGAN: label embedding joined to z and to D's image",
       true,
       build_cgan,
       {}},
      {"acgan",
       "AC-GAN (Odena 2017) on DCGAN: G takes labels, D has a validity and a K-class head",
       true,
       build_acgan,
       {}},
      {"wgan",
       "WGAN (Arjovsky 2017) on DCGAN: critic, weight clipping 0.01, RMSprop 5e-5, n_critic 5",
       false,
       build_wgan,
       {"train.loss=wasserstein", "train.optimizer=rmsprop", "train.lr_g=5e-5", "train.lr_d=5e-5",
        "train.clip=0.01", "train.n_critic=5"}},
      {"wgan-gp",
       "WGAN-GP (Gulrajani 2017) on DCGAN: critic without BatchNorm, gradient penalty 10, n_critic 5",
       false,
       build_wgan_gp,
       {"train.loss=wasserstein", "train.penalty=gp", "train.penalty_weight=10", "train.lr_g=1e-4",
        "train.lr_d=1e-4", "train.betas=[0.0, 0.9]", "train.n_critic=5"}},
      {"pix2pix",
       "pix2pix (Isola 2017): U-Net G with skips and dropout, 70x70 PatchGAN D, BCE + 100 L1; paired data",
       false,
       build_pix2pix,
       {"train.batch_size=1", "train.loss=bce", "train.l1_weight=100", "train.lr_g=2e-4", "train.lr_d=2e-4",
        "train.betas=[0.5, 0.999]"},
       ModelKind::ImageToImage},
      {"inpaint",
       "inpainting: encoder-decoder G with dilated convs on image*(1-mask)+mask, hole L1 + WGAN-GP critic",
       false,
       build_inpaint,
       {"train.loss=wasserstein", "train.penalty=gp", "train.penalty_weight=10", "train.lr_g=1e-4",
        "train.lr_d=1e-4", "train.betas=[0.5, 0.9]", "train.l1_weight=100", "train.adversarial_weight=1"},
       ModelKind::Inpainting},
  };
  return table;
}

bool bf16_quality_checked(const std::string& name) {
  // bench/results/precision-quality.md: 3 seeds each, a domain-classifier FID and (on MNIST and
  // Fashion-MNIST) a separately trained CNN's FID.
  static const std::set<std::string> checked{"dcgan"};
  return checked.count(name) != 0;
}

compute::PrecisionChoice resolve_model_precision(compute::Precision requested, const torch::Device& device,
                                                 const std::string& model, const std::string& key) {
  auto choice = compute::resolve_precision(requested, device, compute::detect_cpu_features(), key);
  if (requested == compute::Precision::Auto && choice.precision == compute::Precision::Bf16 &&
      !bf16_quality_checked(model)) {
    choice = {compute::Precision::Fp32,
              fmt::format("auto: bf16's sample quality is not yet checked for {} (bench/precision_quality.py); "
                          "set bf16 to use it",
                          model)};
  }
  return choice;
}

const ModelEntry& find_model(const std::string& name) {
  std::string names;
  for (const auto& entry : model_table()) {
    if (name == entry.name) return entry;
    names += (names.empty() ? "" : ", ") + std::string(entry.name);
  }
  fail("unknown model '{}' (valid: {})", name, names);
}

Networks make_networks(const ModelOptions& options, const DataShape& shape) {
  const auto built = build_checked(options, shape, ModelKind::NoiseToImage);
  return {as<Generator>(built.generator), as<Discriminator>(built.discriminator)};
}

TranslationNetworks make_translation_networks(const ModelOptions& options, const DataShape& shape) {
  const auto built = build_checked(options, shape, ModelKind::ImageToImage);
  return {UnetGenerator(as<UnetGeneratorImpl>(built.generator)),
          PatchDiscriminator(as<PatchDiscriminatorImpl>(built.discriminator))};
}

InpaintingNetworks make_inpainting_networks(const ModelOptions& options, const DataShape& shape) {
  const auto built = build_checked(options, shape, ModelKind::Inpainting);
  return {InpaintGenerator(as<InpaintGeneratorImpl>(built.generator)),
          DcganDiscriminator(as<DcganDiscriminatorImpl>(built.discriminator))};
}

}  // namespace gankit::models
