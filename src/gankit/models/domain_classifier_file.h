// Classifier files: a trained DomainClassifier with everything needed to rebuild and use it (its
// options, the data set and the input it expects, its test accuracy), written atomically as a
// checksummed tensor file (io/archive_file.h); files of earlier versions (LibTorch zips) still load.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>

#include "gankit/data/data_options.h"
#include "gankit/models/domain_classifier.h"
#include "gankit/models/model_options.h"

namespace gankit::models {

/// What a classifier file says about itself, readable without the weights.
struct DomainClassifierInfo {
  /// Rebuilds the network.
  DomainClassifierOptions options{1, 32, 10};
  /// The data set it was trained on, and how its images were brought to the network's input
  /// (data.name, data.path, data.image_size, data.channels, data.fit, data.holdout; the rest are
  /// defaults). The network expects float [N, shape.channels, shape.image_size, shape.image_size]
  /// in [-1,1] (pixel / 127.5 - 1), images fitted to that size the `data.fit` way.
  data::DataOptions data;
  /// channels, image_size, num_classes of the network's input and output.
  DataShape shape;
  /// Accuracy on the held-out (test) split after training, in [0,1]; NaN when the set has none.
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();
  /// Images the accuracy was measured on (0 = not measured).
  int64_t test_images = 0;
  /// Optimiser steps trained, and the seed.
  int64_t steps = 0;
  int64_t seed = 0;
  /// The gankit version that wrote the file (GANKIT_VERSION).
  std::string gankit_version;
};

/// Saves `net` and `info` to `path` atomically (a temp file beside it, then a rename; parent
/// folders are created). info.gankit_version is filled in. Weights holding NaN or infinities are
/// refused (gankit::Error "PATH: not saved: ...") and nothing is written.
void save_domain_classifier(const std::filesystem::path& path, const DomainClassifier& net,
                            const DomainClassifierInfo& info);

/// A classifier read back: the network (CPU, eval mode) and what the file says about it.
struct LoadedDomainClassifier {
  DomainClassifier net{nullptr};
  DomainClassifierInfo info;
};

/// Reads a file written by save_domain_classifier. A missing or foreign file, or a GAN checkpoint,
/// throws a one-line gankit::Error "PATH: what it is instead"; a file that fails its checksum or is
/// truncated "PATH: damaged classifier file (...)"; options that need more weights than the file
/// holds are refused before the network is built.
LoadedDomainClassifier load_domain_classifier(const std::filesystem::path& path);

/// Brings images (float [N,C,H,W] in [-1,1], e.g. a generator's samples at its own size) to the
/// input the classifier was trained on, the way its training images were brought there: to uint8,
/// fitted to shape.image_size the data.fit way, converted to shape.channels, back to [-1,1].
/// A size data.fit cannot bring (e.g. fit "none" and another size) is a gankit::Error.
torch::Tensor fit_to_classifier(const torch::Tensor& images, const DomainClassifierInfo& info);

}  // namespace gankit::models
