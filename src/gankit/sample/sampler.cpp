#include "gankit/sample/sampler.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "gankit/compat.h"
#include "gankit/data/image_folder.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/animation.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "gankit/io/output_path.h"
#include "gankit/models/generation.h"
#include "gankit/models/registry.h"
#include "gankit/sample/latent_path.h"

namespace gankit::sample {

namespace fs = std::filesystem;

Sampler::Sampler(const fs::path& path, compute::Precision precision, const std::string& command) {
  // The weight average when the run kept one (train.ema > 0), else the trained G.
  generator_ = checkpoint::load_generator(
      path, models::ModelKind::NoiseToImage, command, {"generator_ema", "generator"}, header_,
      [](const auto& header) { return models::make_networks(header.config.model, header.shape).generator; });
  conditional_ = models::find_model(header_.config.model.name).conditional;
  const bool cpu = config::device_choices().find(header_.config.train.device) == config::DeviceChoice::Cpu;
  if (compat::cuda_available() && !cpu) device_ = torch::Device(torch::kCUDA);
  generator_->to(device_);
  generator_->eval();
  precision_ = models::resolve_model_precision(precision, device_, header_.config.model.name, "--precision");
}

void Sampler::check_class(int64_t class_label) const {
  if (class_label >= 0 && !conditional_) {
    fail("--class needs a conditional model; {} is unconditional", header_.config.model.name);
  }
  if (conditional_ && class_label >= header_.shape.num_classes) {
    fail("--class {} is out of range: the model knows classes 0..{}", class_label, header_.shape.num_classes - 1);
  }
}

torch::Tensor Sampler::generate(const torch::Tensor& z, const torch::Tensor& labels, int64_t batch_size) {
  if (batch_size < 1) fail("--batch-size must be at least 1, got {}", batch_size);
  compute::AutocastScope autocast(precision_.precision, device_);
  return models::generate_images(*generator_, z, labels, batch_size);
}

namespace {

/// Noise [n, z_dim] from `noise`, each entry redrawn while |z| > truncation (0 = off): a truncated
/// normal. Rejection keeps earlier versions' draws; after kRounds rounds (a tiny truncation accepts
/// almost nothing) the entries still outside come from the inverse CDF, exact and in one step.
torch::Tensor draw_noise(int64_t n, int64_t z_dim, double truncation, at::Generator& noise) {
  constexpr int kRounds = 16;
  auto z = torch::randn({n, z_dim}, noise);
  if (truncation <= 0) return z;
  auto outside = z.abs() > truncation;
  for (int round = 0; round < kRounds && outside.any().item<bool>(); ++round) {
    z = torch::where(outside, torch::randn(z.sizes(), noise), z);
    outside = z.abs() > truncation;
  }
  if (!outside.any().item<bool>()) return z;
  // u uniform on (Phi(-t), Phi(t)); z = sqrt(2) erfinv(2u - 1), in double for tiny t.
  const double half_width = std::erf(truncation / std::sqrt(2.0));  // 2 Phi(t) - 1
  auto u = torch::rand(z.sizes(), noise, torch::kDouble).mul_(2 * half_width).sub_(half_width);
  return torch::where(outside, (u.erfinv() * std::sqrt(2.0)).clamp(-truncation, truncation).to(z.scalar_type()), z);
}

}  // namespace

void Sampler::sample_chunks(const SampleOptions& options, int64_t chunk,
                            const std::function<void(const Samples&)>& consume) {
  const auto& model = header_.config.model;
  if (options.count < 1) fail("-n must be at least 1, got {}", options.count);
  if (!std::isfinite(options.truncation) || options.truncation < 0) {
    fail("--truncation must be a positive number (or 0 for off), got {}", options.truncation);
  }
  check_class(options.class_label);
  // Chunks of whole 16-value blocks of noise: the CPU draws normals 16 at a time, so the noise
  // equals one draw of all `count` rows.
  chunk = std::max<int64_t>(16, chunk / 16 * 16);
  auto noise = at::detail::createCPUGenerator(options.seed);
  for (int64_t first = 0; first < options.count; first += chunk) {
    const int64_t n = std::min(chunk, options.count - first);
    const auto z = draw_noise(n, model.z_dim, options.truncation, noise);
    Samples samples;
    if (conditional_) {
      samples.labels = options.class_label >= 0
                           ? torch::full({n}, options.class_label, torch::kLong)
                           : torch::arange(first, first + n, torch::kLong).remainder(header_.shape.num_classes);
    }
    samples.images = generate(z, samples.labels, options.batch_size);
    consume(samples);
  }
}

Samples Sampler::sample(const SampleOptions& options) {
  std::vector<Samples> parts;
  sample_chunks(options, options.count, [&](const Samples& part) { parts.push_back(part); });
  if (parts.size() == 1) return parts.front();
  Samples all;
  std::vector<torch::Tensor> images, labels;
  for (const auto& part : parts) {
    images.push_back(part.images);
    if (part.labels.defined()) labels.push_back(part.labels);
  }
  all.images = torch::cat(images);
  if (!labels.empty()) all.labels = torch::cat(labels);
  return all;
}

Samples Sampler::interpolate(const InterpolationOptions& options) {
  if (options.steps < 2) fail("--interpolate needs at least 2 steps, got {}", options.steps);
  if (options.paths < 1) fail("-n (paths to interpolate) must be at least 1, got {}", options.paths);
  check_class(options.class_label);
  const int64_t z_dim = header_.config.model.z_dim;
  auto noise = at::detail::createCPUGenerator(options.seed);
  // A conditional model without --class shows each class on the same path, one row each.
  const bool row_per_class = conditional_ && options.class_label < 0;
  const int64_t rows = row_per_class ? header_.shape.num_classes : options.paths;
  auto from = torch::randn({row_per_class ? 1 : rows, z_dim}, noise);
  auto to = torch::randn({row_per_class ? 1 : rows, z_dim}, noise);
  auto z = latent_path(from, to, options.steps, options.spherical).expand({rows, options.steps, z_dim});
  Samples samples;
  if (conditional_) {
    samples.labels = row_per_class ? torch::arange(rows, torch::kLong) : torch::full({rows}, options.class_label, torch::kLong);
    samples.labels = samples.labels.repeat_interleave(options.steps);
  }
  samples.images = generate(z.reshape({rows * options.steps, z_dim}).contiguous(), samples.labels, options.batch_size);
  return samples;
}

namespace {

/// uint8 [N,C,H,W] from an array read from `path`: uint8 or float32 in [0,1]; NHWC, NHW or NCHW.
torch::Tensor images_from_array(torch::Tensor array, const fs::path& path) {
  if (array.scalar_type() == torch::kFloat) {
    const int64_t non_finite = array.numel() - torch::isfinite(array).sum().item<int64_t>();
    if (non_finite > 0) fail("{}: holds {} NaN or infinite values; images must be finite", path.string(), non_finite);
    if (array.numel() > 0 && (array.min().item<float>() < 0 || array.max().item<float>() > 1)) {
      fail("{}: float images must have values in [0,1] (these range over [{}, {}])", path.string(),
           array.min().item<float>(), array.max().item<float>());
    }
    array = array.mul(255).round_().to(torch::kUInt8);
  } else if (array.scalar_type() != torch::kUInt8) {
    fail("{}: images must be uint8 or float32, not {}", path.string(), c10::str(array.scalar_type()));
  }
  if (array.dim() == 3) return array.unsqueeze(1);
  if (array.dim() != 4) fail("{}: expected images (N,H,W,C), (N,H,W) or (N,C,H,W), got shape {}", path.string(), c10::str(array.sizes()));
  const auto last = array.size(3), second = array.size(1);
  if (last == 1 || last == 3) return array.permute({0, 3, 1, 2}).contiguous();
  if (second == 1 || second == 3) return array.contiguous();
  fail("{}: images of shape {} have neither 1 nor 3 channels", path.string(), c10::str(array.sizes()));
}

torch::Tensor read_labels_if_there(const fs::path& path, int64_t count) {
  if (!fs::exists(path)) return {};
  auto labels = io::read_npy(path);
  if (labels.dim() != 1 || labels.size(0) != count) {
    fail("{}: expected {} labels, one per image, got shape {}", path.string(), count, c10::str(labels.sizes()));
  }
  // A cast to long would silently turn 2.7 into 2 and NaN into anything: labels must be whole already.
  if (labels.is_floating_point()) {
    const auto whole = labels.isfinite().logical_and(labels.eq(labels.round()));
    if (!whole.all().item<bool>()) {
      const int64_t row = whole.logical_not().nonzero()[0][0].item<int64_t>();
      fail("{}: label {} (row {}) is not a whole number; class labels are 0, 1, ..., K-1", path.string(),
           labels[row].item<double>(), row);
    }
  }
  labels = labels.to(torch::kLong);
  const int64_t lowest = labels.min().item<int64_t>();
  if (lowest < 0) {
    fail("{}: label {} (row {}) is negative; class labels are 0, 1, ..., K-1", path.string(), lowest,
         labels.argmin().item<int64_t>());
  }
  return labels;
}

}  // namespace

Samples read_samples(const fs::path& path) {
  Samples samples;
  if (fs::is_directory(path)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      if (entry.is_regular_file() && data::is_image_file(entry.path())) files.push_back(entry.path());
    }
    if (files.empty()) fail("{}: no PNG/JPEG/BMP images in this folder", path.string());
    std::sort(files.begin(), files.end());
    std::vector<torch::Tensor> images;
    images.reserve(files.size());
    for (const auto& file : files) {
      images.push_back(io::read_image(file));
      if (images.back().sizes() != images.front().sizes()) {
        fail("{}: image is {}, but {} is {}: samples must all have one size and channel count", file.string(),
             c10::str(images.back().sizes()), files.front().string(), c10::str(images.front().sizes()));
      }
    }
    samples.images = torch::stack(images);
    samples.labels = read_labels_if_there(path / "labels.npy", samples.images.size(0));
    return samples;
  }
  if (path.extension() != ".npy") {
    fail("{}: samples must be a .npy file or a folder of images", path.string());
  }
  samples.images = images_from_array(io::read_npy(path), path);
  if (samples.images.size(0) == 0) fail("{}: holds no images", path.string());
  samples.labels =
      read_labels_if_there(path.parent_path() / (path.stem().string() + ".labels.npy"), samples.images.size(0));
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

std::vector<fs::path> write_samples_streamed(const fs::path& out, Sampler& sampler, const SampleOptions& options,
                                             const fs::path& checkpoint) {
  constexpr int64_t kChunk = 4096;  // images in memory at once
  const auto extension = out.extension().string();
  const bool folder = extension.empty();
  io::check_output_path(out, {checkpoint}, folder, "-o");
  if (extension == ".png") {
    if (options.count > kMaxGridImages) {
      fail("-o {}: a grid shows at most {} images; for {} write OUT.npy or a folder", out.string(), kMaxGridImages,
           options.count);
    }
    return write_samples(out, sampler.sample(options));
  }
  if (!folder && extension != ".npy") return write_samples(out, Samples{});  // its error names the kinds
  const fs::path labels_path = folder ? out / "labels.npy" : out.parent_path() / (out.stem().string() + ".labels.npy");
  if (sampler.conditional()) io::check_output_path(labels_path, {checkpoint}, false, "-o");
  if (folder) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) fail("{}: cannot create folder: {}", out.string(), ec.message());
  }
  std::optional<io::NpyStreamWriter> images, labels;
  int64_t index = 0;
  sampler.sample_chunks(options, kChunk, [&](const Samples& part) {
    const auto nhwc = part.images.permute({0, 2, 3, 1});  // [N,C,H,W] -> [N,H,W,C]
    if (!folder && !images) images.emplace(out, torch::kUInt8, std::vector<int64_t>{options.count, nhwc.size(1), nhwc.size(2), nhwc.size(3)});
    if (part.labels.defined() && !labels) labels.emplace(labels_path, torch::kLong, std::vector<int64_t>{options.count});
    if (images) images->append(nhwc);
    for (int64_t i = 0; folder && i < part.images.size(0); ++i) {
      io::write_png(out / fmt::format("{:06}.png", index + i), part.images[i]);
    }
    if (labels) labels->append(part.labels);
    index += part.images.size(0);
  });
  std::vector<fs::path> written{out};
  if (images) images->finish();
  if (labels) labels->finish(), written.push_back(labels_path);
  return written;
}

}  // namespace gankit::sample

namespace gankit::sample {

std::vector<fs::path> write_interpolation(const fs::path& out, const Samples& samples, int64_t steps) {
  const auto extension = out.extension().string();
  if (extension != ".png" && extension != ".gif") {
    fail("{}: an interpolation is written as OUT.png and OUT.gif; name one of them", out.string());
  }
  const auto grid_path = fs::path(out).replace_extension(".png");
  const auto gif_path = fs::path(out).replace_extension(".gif");
  const int64_t rows = samples.images.size(0) / steps;
  io::write_png(grid_path, io::make_grid(samples.images, steps));

  // Frame t shows every row's t-th image, rows tiled in a square; the walk goes there and back,
  // pausing at both ends.
  const auto by_row = samples.images.view({rows, steps, samples.images.size(1), samples.images.size(2),
                                           samples.images.size(3)});
  const auto columns = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(rows))));
  std::vector<io::GifFrame> frames;
  auto add_frame = [&](int64_t t) {
    const bool end = t == 0 || t == steps - 1;
    frames.push_back(io::to_gif_frame(io::make_grid(by_row.select(1, t), columns), end ? 80 : 12));
  };
  for (int64_t t = 0; t < steps; ++t) add_frame(t);
  for (int64_t t = steps - 2; t > 0; --t) add_frame(t);
  io::write_gif(gif_path, frames);
  return {grid_path, gif_path};
}

}  // namespace gankit::sample
