#include "gankit/losses/adversarial.h"

#include "gankit/error.h"
#include "gankit/parallel/global_draw.h"

namespace gankit::losses {

namespace F = torch::nn::functional;

namespace {
/// Losses are computed in float32 at least, whatever precision D ran in (bf16 or fp16 under
/// autocast): a bf16 mean keeps three significant digits. float32 and float64 pass unchanged.
torch::Tensor in_float(const torch::Tensor& logits) {
  const auto type = logits.scalar_type();
  return type == torch::kBFloat16 || type == torch::kHalf ? logits.to(torch::kFloat) : logits;
}
}  // namespace
const EnumTable<AdversarialLoss>& adversarial_losses() {
  static const EnumTable<AdversarialLoss> table{
      {AdversarialLoss::Bce, "bce", "non-saturating GAN, BCE with logits"},
      {AdversarialLoss::Hinge, "hinge", "hinge (SAGAN, BigGAN)"},
      {AdversarialLoss::Wasserstein, "wasserstein", "critic score difference (WGAN)"},
      {AdversarialLoss::Lsgan, "lsgan", "least squares"},
  };
  return table;
}

AdversarialLoss parse_adversarial_loss(const std::string& name) {
  return adversarial_losses().parse(name, "loss");
}

torch::Tensor discriminator_loss(AdversarialLoss loss, const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits) {
  if (loss == AdversarialLoss::Hinge || loss == AdversarialLoss::Wasserstein) {
    return discriminator_loss(loss, real_logits, fake_logits, {}, {});
  }
  return discriminator_loss(loss, real_logits, fake_logits, torch::ones_like(real_logits),
                            torch::zeros_like(fake_logits));
}

torch::Tensor discriminator_loss(AdversarialLoss loss, const torch::Tensor& real_logits_in,
                                 const torch::Tensor& fake_logits_in, const torch::Tensor& real_targets,
                                 const torch::Tensor& fake_targets) {
  const auto real_logits = in_float(real_logits_in), fake_logits = in_float(fake_logits_in);
  switch (loss) {
    case AdversarialLoss::Bce:
      // -log σ(D(x)) - log(1 - σ(D(G(z)))), as two BCE terms (pytorch/examples dcgan sums them).
      return F::binary_cross_entropy_with_logits(real_logits, real_targets) +
             F::binary_cross_entropy_with_logits(fake_logits, fake_targets);
    case AdversarialLoss::Hinge:
      return torch::relu(1.0 - real_logits).mean() + torch::relu(1.0 + fake_logits).mean();
    case AdversarialLoss::Wasserstein:
      return fake_logits.mean() - real_logits.mean();
    case AdversarialLoss::Lsgan:
      return 0.5 * ((real_logits - real_targets).pow(2).mean() + (fake_logits - fake_targets).pow(2).mean());
  }
  TORCH_CHECK(false, "unhandled loss");
}

std::pair<torch::Tensor, torch::Tensor> discriminator_targets(int64_t n, double smoothing, double noise,
                                                              torch::Device device) {
  const auto options = torch::TensorOptions().device(device);
  auto real = torch::full({n}, 1.0 - smoothing, options);
  auto fake = torch::zeros({n}, options);
  if (noise > 0) {
    const auto uniform = [&](int64_t rows) { return torch::rand({rows}, options); };
    const auto flip_real = parallel::draw_rows(n, uniform) < noise;
    const auto flip_fake = parallel::draw_rows(n, uniform) < noise;
    real = torch::where(flip_real, torch::zeros_like(real), real);
    fake = torch::where(flip_fake, torch::full_like(fake, 1.0 - smoothing), fake);
  }
  return {real, fake};
}

torch::Tensor generator_loss(AdversarialLoss loss, const torch::Tensor& fake_logits_in) {
  const auto fake_logits = in_float(fake_logits_in);
  switch (loss) {
    case AdversarialLoss::Bce:  // non-saturating: maximise log σ(D(G(z)))
      return F::binary_cross_entropy_with_logits(fake_logits, torch::ones_like(fake_logits));
    case AdversarialLoss::Hinge:
    case AdversarialLoss::Wasserstein:
      return -fake_logits.mean();
    case AdversarialLoss::Lsgan:
      return 0.5 * (fake_logits - 1.0).pow(2).mean();
  }
  TORCH_CHECK(false, "unhandled loss");
}

torch::Tensor discriminator_score(AdversarialLoss loss, const torch::Tensor& logits) {
  const auto x = in_float(logits);
  return loss == AdversarialLoss::Bce ? torch::sigmoid(x).mean() : x.mean();
}

}  // namespace gankit::losses
