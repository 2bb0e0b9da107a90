// Drawing images from a trained generator: deterministic for a seed, in eval mode, in batches.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "gankit/compute/precision.h"
#include "gankit/checkpoint/checkpoint.h"
#include "gankit/models/networks.h"

namespace gankit::sample {

struct SampleOptions {
  int64_t count = 100;
  uint64_t seed = 0;
  /// Class of every sample (conditional models); -1 = cycle through the classes.
  int64_t class_label = -1;
  /// Redraw noise entries with |z| > truncation (the truncation trick); 0 = off.
  double truncation = 0;
  int64_t batch_size = 500;
};

/// Latent interpolation: images along paths between random noise vectors.
struct InterpolationOptions {
  /// Images along each path, both ends included.
  int64_t steps = 10;
  /// Paths (rows) for unconditional models, or with class_label; a conditional model without a
  /// class gets one row per class instead, all rows on the same path.
  int64_t paths = 10;
  uint64_t seed = 0;
  int64_t class_label = -1;
  /// Along great circles (slerp; the default) or straight lines.
  bool spherical = true;
  int64_t batch_size = 500;
};

struct Samples {
  torch::Tensor images;  ///< uint8 [N,C,H,W]
  torch::Tensor labels;  ///< int64 [N]; undefined for unconditional models
};

class Sampler {
 public:
  /// Loads the generator of a GAN checkpoint (throws gankit::Error on a bad or foreign file). G runs
  /// at `precision` as resolved for its device (`--precision`; auto as `train.precision`).
  /// `command` names who needs the generator in errors (e.g. a pix2pix checkpoint given to it).
  explicit Sampler(const std::filesystem::path& checkpoint,
                   compute::Precision precision = compute::Precision::Fp32,
                   const std::string& command = "`gankit sample`");

  const checkpoint::CheckpointHeader& header() const { return header_; }
  bool conditional() const { return conditional_; }
  /// The precision G runs at (resolved: never auto) and why.
  const compute::PrecisionChoice& precision() const { return precision_; }

  /// Checks the options against the model (class range, counts) and draws the samples.
  Samples sample(const SampleOptions& options);

  /// sample() in pieces of about `chunk` images (a multiple of 16), each handed to `consume` in
  /// order: the same images in bounded memory, for any count.
  void sample_chunks(const SampleOptions& options, int64_t chunk, const std::function<void(const Samples&)>& consume);

  /// Images along latent paths: images uint8 [rows*steps, C,H,W], row after row; labels [rows*steps]
  /// for conditional models.
  Samples interpolate(const InterpolationOptions& options);

 private:
  void check_class(int64_t class_label) const;
  /// G's images for noise z [N,Z] (and labels [N]), uint8, in batches.
  torch::Tensor generate(const torch::Tensor& z, const torch::Tensor& labels, int64_t batch_size);

  checkpoint::CheckpointHeader header_;
  std::shared_ptr<models::Generator> generator_;
  bool conditional_ = false;
  torch::Device device_{torch::kCPU};
  compute::PrecisionChoice precision_;
};

/// Writes samples by the output's name: *.npy -> uint8 (N,H,W,C); *.png -> one grid; anything
/// else -> a folder of N numbered PNGs. Labels, when present, go to <stem>.labels.npy beside a
/// file, or labels.npy inside a folder. Returns the paths written.
std::vector<std::filesystem::path> write_samples(const std::filesystem::path& out, const Samples& samples);

/// write_samples for `options.count` images drawn by `sampler` chunk by chunk, so memory stays
/// bounded for any count: a .npy or a folder streams to disk; a .png grid holds at most
/// kMaxGridImages. Refuses an output that would replace the checkpoint or another model file.
constexpr int64_t kMaxGridImages = 10000;
std::vector<std::filesystem::path> write_samples_streamed(const std::filesystem::path& out, Sampler& sampler,
                                                          const SampleOptions& options,
                                                          const std::filesystem::path& checkpoint);

/// Reads samples back, from gankit or any other tool: a .npy of uint8 images (N,H,W,C), (N,H,W)
/// or (N,C,H,W) with C = 1 or 3, or float32 ones with values in [0,1]; or a folder of PNG/JPEG/BMP
/// files (sorted by name, searched recursively), all of one size. Labels come from where
/// write_samples puts them (<stem>.labels.npy, or labels.npy in the folder) when present. Anything
/// else, or images of mixed sizes, is a gankit::Error naming the file.
Samples read_samples(const std::filesystem::path& path);

/// Writes an interpolation of `steps` images a row as OUT.png (the rows as a grid) and OUT.gif
/// (every row at once, walking the paths there and back); `out` ends in .png or .gif and names
/// both. Returns the paths written.
std::vector<std::filesystem::path> write_interpolation(const std::filesystem::path& out, const Samples& samples,
                                                       int64_t steps);

}  // namespace gankit::sample
