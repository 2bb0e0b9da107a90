#include "gankit/metrics/feature_extractor.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "gankit/error.h"
#include "gankit/metrics/classifier_features.h"
#include "gankit/metrics/inception_features.h"
#include "gankit/report/crc32c.h"

namespace gankit::metrics {

ImageFeatures extract_features(FeatureExtractor& extractor, const torch::Tensor& images, const std::string& what,
                               int64_t batch_size, const FeatureProgress& progress) {
  if (images.dim() != 4 || images.scalar_type() != torch::kUInt8) {
    fail("{}: expected uint8 images [N,C,H,W], got {} {}", what, c10::str(images.sizes()), c10::str(images.scalar_type()));
  }
  extractor.check_images(images.size(1), images.size(2), images.size(3), what);
  const int64_t n = images.size(0);
  std::vector<torch::Tensor> features, logits;
  torch::InferenceMode inference;
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    auto batch = extractor.extract_batch(images.slice(0, start, end).contiguous());
    features.push_back(batch.features.to(torch::kCPU, torch::kFloat));
    logits.push_back(batch.logits.to(torch::kCPU, torch::kFloat));
    if (progress) progress(end, n);
  }
  if (features.empty()) fail("{}: no images to score", what);
  return {torch::cat(features), torch::cat(logits)};
}

std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& spec, torch::Device device) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string file = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if ((kind != "inception" && kind != "classifier") || file.empty()) {
    fail("features '{}': expected inception:FILE (pytorch-fid's pt_inception-2015-12-05-6726825d.pth) or "
         "classifier:FILE (from `gankit classifier train`)",
         spec);
  }
  if (!std::filesystem::exists(file)) fail("{}: no such file ({} weights for --features)", file, kind);
  return kind == "inception" ? make_inception_features(file, device) : make_classifier_features(file, device);
}

std::string file_fingerprint(const std::string& bytes) {
  return fmt::format("{}-{:08x}", bytes.size(), report::crc32c(bytes));
}

}  // namespace gankit::metrics
