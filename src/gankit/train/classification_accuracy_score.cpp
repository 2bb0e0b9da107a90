#include "gankit/train/classification_accuracy_score.h"

#include <ostream>

#include "gankit/data/loader.h"
#include "gankit/data/source.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/train/classifier_training.h"

namespace gankit::train {

namespace {

/// The domain classifier halves its input three times.
constexpr int64_t kSizeMultiple = 8;

/// The real held-out split of `real` (already at the scored size), labelled, or a gankit::Error
/// naming the data set.
data::ImageSet real_test_images(const data::DataOptions& real) {
  const std::string where = real.path.empty() ? real.name : fmt::format("{} at {}", real.name, real.path);
  auto test = data::load_held_out(real);
  if (!test.images.defined()) {
    fail("cas: data {} has no held-out (test) split to score against (data.holdout makes one)", where);
  }
  if (!test.labels.defined()) fail("cas: data {} has no labels to score against", where);
  return test;
}

/// `count` real training images of `real` (already at the scored size), a subset drawn with `seed`.
data::ImageSet real_train_images(data::DataOptions real, int64_t count, int64_t seed) {
  real.split = "train";
  auto set = data::load_images(real);
  if (set.images.size(0) > count) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
    const auto picked = torch::randperm(set.images.size(0), generator, torch::kLong).slice(0, 0, count);
    set.images = set.images.index_select(0, picked);
    set.labels = set.labels.index_select(0, picked);
  }
  return set;
}

ClassifierTrainingOptions training_options(const CasOptions& options, const data::DataOptions& real) {
  ClassifierTrainingOptions o;
  o.data = real;
  o.epochs = options.epochs;
  o.batch_size = options.batch_size;
  o.seed = options.seed;
  o.threads = options.threads;
  o.hflip = false;  // the generated images are scored as drawn
  o.log = options.log;
  o.log_every = 0;
  return o;
}

}  // namespace

void check_cas_images(const torch::Tensor& images, const torch::Tensor& labels, const std::string& what) {
  if (!labels.defined()) {
    fail("cas: {} have no class labels; the classification accuracy score is for conditional models "
         "(labels in S.labels.npy)",
         what);
  }
  if (images.dim() != 4 || images.size(2) != images.size(3) || labels.numel() != images.size(0)) {
    fail("cas: {}: expected square images [N,C,S,S] with one label each", what);
  }
}

CasResult classification_accuracy_score(const torch::Tensor& images, const torch::Tensor& labels,
                                        const std::string& what, data::DataOptions real, const CasOptions& options) {
  check_cas_images(images, labels, what);
  const int64_t size = (images.size(2) + kSizeMultiple - 1) / kSizeMultiple * kSizeMultiple;
  const int64_t channels = images.size(1);
  real.image_size = size;  // both real splits are brought to the size and channels scored
  real.channels = channels;
  real.pairs.clear();
  const auto test = real_test_images(real);
  const int64_t classes = test.num_classes;
  const int64_t top = labels.max().item<int64_t>(), bottom = labels.min().item<int64_t>();
  if (bottom < 0 || top >= classes) {
    fail("cas: {} have labels {}..{}, but data {} has {} classes", what, bottom, top, real.name, classes);
  }
  data::ImageSet generated{images, labels.to(torch::kLong), classes};
  if (size != images.size(2)) generated = data::fit_image_set(generated, {size, data::Fit::resize, channels}, what);

  CasResult result;
  result.image_size = size;
  result.test_images = test.images.size(0);
  result.train_images = images.size(0);
  const auto o = training_options(options, real);
  if (options.log != nullptr) *options.log << "cas: training on " << what << '\n';
  result.cas = train_classifier_on_images(generated, test, o, what).info.test_accuracy;
  if (options.real_baseline) {
    auto train = real_train_images(real, images.size(0), options.seed);
    train.num_classes = classes;
    const std::string name = fmt::format("{} real training images", train.images.size(0));
    if (options.log != nullptr) *options.log << "cas: training on " << name << " (the baseline)\n";
    result.real_accuracy = train_classifier_on_images(train, test, o, name).info.test_accuracy;
  }
  return result;
}

}  // namespace gankit::train
