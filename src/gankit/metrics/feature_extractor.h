// What FID, KID, IS and precision/recall are computed on: a network that maps images to feature
// vectors (and class logits). Two kinds sit behind one interface: pytorch-fid's Inception-v3
// (`inception:FILE`) and gankit's own domain classifiers (`classifier:FILE`, `gankit classifier
// train`), whose penultimate layer gives a domain FID and whose logits the class accuracy.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace gankit::metrics {

struct ImageFeatures {
  torch::Tensor features;  ///< float32 [N,D]
  torch::Tensor logits;    ///< float32 [N,K]
  torch::Tensor labels{};  ///< int64 [N], the images' classes where known (intra-class FID); else undefined
};

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;
  /// The spec it was made from, e.g. "inception:/w/pt_inception.pth": reported with the results.
  virtual const std::string& name() const = 0;
  /// Identifies the weights (kind, file size and CRC-32C of the file): part of cache keys, so a
  /// replaced weights file never reuses stale statistics.
  virtual const std::string& fingerprint() const = 0;
  /// Throws gankit::Error when images of this shape cannot be scored (e.g. RGB images for a
  /// classifier trained on grey digits). `what` names the images in the message.
  virtual void check_images(int64_t channels, int64_t height, int64_t width, const std::string& what) const = 0;
  /// Features of one batch of images, uint8 [B,C,H,W] (0..255), on the CPU.
  virtual ImageFeatures extract_batch(const torch::Tensor& images) = 0;
  /// How many classes of the data set its logits predict (a domain classifier); 0 when its logits
  /// are not the data's classes (Inception's are ImageNet's).
  virtual int64_t data_classes() const { return 0; }
};

/// Called after each batch with (images done, total).
using FeatureProgress = std::function<void(int64_t, int64_t)>;

/// Features of all `images` (uint8 [N,C,H,W]), `batch_size` at a time; checks their shape first.
ImageFeatures extract_features(FeatureExtractor& extractor, const torch::Tensor& images, const std::string& what,
                               int64_t batch_size = 50, const FeatureProgress& progress = {});

/// Opens the extractor a spec names: "inception:FILE" (pytorch-fid's weights file,
/// pt_inception-2015-12-05-6726825d.pth) or "classifier:FILE" (a `gankit classifier train`
/// file). A malformed spec, a missing file or weights of the wrong layout throw gankit::Error.
std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& spec,
                                                         torch::Device device = torch::kCPU);

/// "size-crc32c" of a file's bytes, for FeatureExtractor::fingerprint.
std::string file_fingerprint(const std::string& bytes);

}  // namespace gankit::metrics
