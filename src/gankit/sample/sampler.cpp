#include "gankit/sample/sampler.h"

#include <cmath>

#include "gankit/compat.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "gankit/models/registry.h"

namespace gankit::sample {

namespace fs = std::filesystem;

Sampler::Sampler(const fs::path& checkpoint) {
  auto opened = train::open_checkpoint(checkpoint);
  header_ = opened.header;
  if (header_.kind != "adversarial") {
    fail("{}: is a '{}' checkpoint; `gankit sample` needs an 'adversarial' (GAN) one", checkpoint.string(), header_.kind);
  }
  const auto& entry = models::find_model(header_.config.model.name);
  conditional_ = entry.conditional;
  generator_ = models::make_networks(header_.config.model, header_.shape).generator;
  try {
    // The weight average when the run kept one (train.ema > 0), else the trained G.
    torch::serialize::InputArchive archive;
    if (!opened.archive.try_read("generator_ema", archive)) opened.archive.read("generator", archive);
    generator_->load(archive);
  } catch (const c10::Error& e) {
    std::string reason = e.what_without_backtrace();
    fail("{}: generator weights do not match model {} ({})", checkpoint.string(), entry.name,
         reason.substr(0, reason.find('\n')));
  }
  if (compat::cuda_available() && header_.config.train.device != "cpu") device_ = torch::Device(torch::kCUDA);
  generator_->to(device_);
  generator_->eval();
}

Samples Sampler::sample(const SampleOptions& options) {
  const auto& model = header_.config.model;
  if (options.count < 1) fail("-n must be at least 1, got {}", options.count);
  if (options.truncation < 0) fail("--truncation must be positive (or 0 for off), got {}", options.truncation);
  if (options.class_label >= 0 && !conditional_) {
    fail("--class needs a conditional model; {} is unconditional", model.name);
  }
  if (conditional_ && options.class_label >= header_.shape.num_classes) {
    fail("--class {} is out of range: the model knows classes 0..{}", options.class_label,
         header_.shape.num_classes - 1);
  }
  auto noise = at::detail::createCPUGenerator(options.seed);
  auto z = torch::randn({options.count, model.z_dim}, noise);
  if (options.truncation > 0) {
    // Redraw out-of-range entries until every |z| <= truncation (a truncated normal).
    for (auto outside = z.abs() > options.truncation; outside.any().item<bool>();
         outside = z.abs() > options.truncation) {
      z = torch::where(outside, torch::randn(z.sizes(), noise), z);
    }
  }
  Samples samples;
  if (conditional_) {
    samples.labels = options.class_label >= 0
                         ? torch::full({options.count}, options.class_label, torch::kLong)
                         : torch::arange(options.count, torch::kLong).remainder(header_.shape.num_classes);
  }
  std::vector<torch::Tensor> chunks;
  torch::NoGradGuard no_grad;
  for (int64_t start = 0; start < options.count; start += options.batch_size) {
    const int64_t n = std::min(options.batch_size, options.count - start);
    auto labels = samples.labels.defined() ? samples.labels.narrow(0, start, n).to(device_) : torch::Tensor();
    auto images = generator_->forward(z.narrow(0, start, n).to(device_), labels);
    chunks.push_back(data::from_unit_range(images.cpu()));
  }
  samples.images = torch::cat(chunks);
  return samples;
}

std::vector<fs::path> write_samples(const fs::path& out, const Samples& samples) {
  std::vector<fs::path> written;
  const auto extension = out.extension().string();
  fs::path labels_path;
  if (extension == ".npy") {
    io::write_npy(out, samples.images.permute({0, 2, 3, 1}).contiguous());  // [N,C,H,W] -> [N,H,W,C]
    labels_path = out.parent_path() / (out.stem().string() + ".labels.npy");
  } else if (extension == ".png") {
    const int64_t n = samples.images.size(0);
    const auto columns = n == 100 ? 10 : static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
    io::write_png(out, io::make_grid(samples.images, columns));
    labels_path = out.parent_path() / (out.stem().string() + ".labels.npy");
  } else if (extension.empty()) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) fail("{}: cannot create folder: {}", out.string(), ec.message());
    for (int64_t i = 0; i < samples.images.size(0); ++i) {
      io::write_png(out / fmt::format("{:06}.png", i), samples.images[i]);
    }
    labels_path = out / "labels.npy";
  } else {
    fail("{}: unknown output kind '{}' (use .npy, .png, or a folder name without extension)", out.string(),
         extension);
  }
  written.push_back(out);
  if (samples.labels.defined()) {
    io::write_npy(labels_path, samples.labels);
    written.push_back(labels_path);
  }
  return written;
}

}  // namespace gankit::sample
