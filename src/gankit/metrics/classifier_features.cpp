#include "gankit/metrics/classifier_features.h"

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/models/domain_classifier_file.h"

namespace gankit::metrics {

namespace {

class ClassifierExtractor : public FeatureExtractor {
 public:
  ClassifierExtractor(const std::filesystem::path& path, torch::Device device)
      : path_(path), name_("classifier:" + path.string()), device_(device) {
    fingerprint_ = "classifier-" + file_fingerprint(io::read_file_bytes(path, "classifier file"));
    auto loaded = models::load_domain_classifier(path);
    net_ = loaded.net;
    info_ = loaded.info;
    net_->to(device_);
    net_->eval();
  }

  const std::string& name() const override { return name_; }
  const std::string& fingerprint() const override { return fingerprint_; }
  int64_t data_classes() const override { return info_.shape.num_classes; }

  void check_images(int64_t channels, int64_t, int64_t, const std::string& what) const override {
    if (channels != info_.shape.channels) {
      fail("{}: images have {} channel{}, but the classifier {} was trained on {}-channel {} images", what,
           channels, channels == 1 ? "" : "s", path_.string(), info_.shape.channels, info_.data.name);
    }
  }

  ImageFeatures extract_batch(const torch::Tensor& images) override {
    // Other sizes are brought to the classifier's input the way its training data was.
    auto x = models::fit_to_classifier(images.to(torch::kFloat).div(127.5).sub(1), info_).to(device_);
    torch::NoGradGuard no_grad;
    auto features = net_->features(x);
    auto logits = net_->classify(features);
    return {features, logits};
  }

 private:
  std::filesystem::path path_;
  std::string name_, fingerprint_;
  torch::Device device_;
  models::DomainClassifier net_{nullptr};
  models::DomainClassifierInfo info_;
};

}  // namespace

std::unique_ptr<FeatureExtractor> make_classifier_features(const std::filesystem::path& path, torch::Device device) {
  return std::make_unique<ClassifierExtractor>(path, device);
}

}  // namespace gankit::metrics
