// The classification accuracy score (CAS; Ravuri & Vinyals 2019): train a classifier on a
// conditional generator's labelled samples alone, then test it on real held-out images. A
// generator that draws convincing images of the wrong class, or too few kinds of each class,
// scores low even where FID looks good. Reported beside the same classifier trained on as many
// real images, the ceiling the score is read against.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "gankit/data/data_options.h"

namespace gankit::train {

struct CasOptions {
  /// Passes over the training images (generated, and real for the baseline).
  int64_t epochs = 5;
  int64_t batch_size = 128;
  /// Seeds the classifiers and the real baseline's subset.
  int64_t seed = 0;
  /// Intra-op threads; 0 = the cores available to this process.
  int64_t threads = 0;
  /// Also train on as many real training images (doubles the cost).
  bool real_baseline = true;
  /// Progress lines; nullptr = none.
  std::ostream* log = nullptr;
};

struct CasResult {
  double cas = 0;                       ///< test accuracy of the classifier trained on generated images
  std::optional<double> real_accuracy;  ///< of the same classifier trained on real images
  int64_t train_images = 0;             ///< generated images trained on
  int64_t test_images = 0;              ///< real held-out images tested on
  int64_t image_size = 0;               ///< side both were brought to (a multiple of 8)
};

/// Throws the error classification_accuracy_score gives for unlabelled or mis-shaped generated
/// images, so that a request that cannot be met fails before anything else is computed.
void check_cas_images(const torch::Tensor& images, const torch::Tensor& labels, const std::string& what);

/// CAS of generated `images` (uint8 [N,C,H,W], H = W) with class `labels` (int64 [N]) against the
/// held-out (test) split of the real data set `real`, both brought to the image size rounded up
/// to a multiple of 8. Unlabelled images, a real set without a test split or labels, and labels
/// beyond the real classes are gankit::Errors naming `what` or the data set.
CasResult classification_accuracy_score(const torch::Tensor& images, const torch::Tensor& labels,
                                        const std::string& what, data::DataOptions real,
                                        const CasOptions& options = {});

}  // namespace gankit::train
