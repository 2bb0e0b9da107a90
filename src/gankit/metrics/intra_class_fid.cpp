#include "gankit/metrics/intra_class_fid.h"

#include "gankit/error.h"
#include "gankit/metrics/feature_statistics.h"
#include "gankit/metrics/frechet_distance.h"

namespace gankit::metrics {

namespace {

void check_labels(const torch::Tensor& features, const torch::Tensor& labels, const char* side) {
  require_class_labels(labels, side);
  if (labels.dim() != 1 || labels.size(0) != features.size(0)) {
    fail("intra-class FID: {} labels have shape {} for {} images", side, c10::str(labels.sizes()), features.size(0));
  }
}

/// The rows of `features` whose label is `label`.
torch::Tensor rows_of(const torch::Tensor& features, const torch::Tensor& labels, int64_t label) {
  return features.index_select(0, labels.eq(label).nonzero().squeeze(1));
}

}  // namespace

void require_class_labels(const torch::Tensor& labels, const char* side) {
  if (!labels.defined()) {
    fail("intra-class FID needs the {} images' class labels (S.labels.npy beside generated images; a "
         "labelled data set or R.labels.npy for real ones)",
         side);
  }
}

IntraClassFid intra_class_fid(const torch::Tensor& real, const torch::Tensor& real_labels,
                              const torch::Tensor& fake, const torch::Tensor& fake_labels) {
  check_labels(real, real_labels, "real");
  check_labels(fake, fake_labels, "generated");
  if (real.dim() != 2 || fake.dim() != 2 || real.size(1) != fake.size(1)) {
    fail("intra-class FID: feature sets of shapes {} and {} do not match", c10::str(real.sizes()), c10::str(fake.sizes()));
  }
  const auto real_classes = real_labels.to(torch::kLong), fake_classes = fake_labels.to(torch::kLong);
  const auto classes = std::get<0>(torch::unique_consecutive(std::get<0>(fake_classes.sort())));
  IntraClassFid result;
  double sum = 0;
  for (int64_t i = 0; i < classes.size(0); ++i) {
    const int64_t label = classes[i].item<int64_t>();
    const auto fake_rows = rows_of(fake, fake_classes, label), real_rows = rows_of(real, real_classes, label);
    if (fake_rows.size(0) < 2 || real_rows.size(0) < 2) {
      fail("intra-class FID: class {} has {} generated and {} real images; it needs at least 2 of each", label,
           fake_rows.size(0), real_rows.size(0));
    }
    const double fid = frechet_distance(feature_statistics(real_rows), feature_statistics(fake_rows));
    sum += fid;
    if (result.worst < 0 || fid > result.max) result.max = fid, result.worst = label;
  }
  result.classes = classes.size(0);
  result.mean = result.classes > 0 ? sum / static_cast<double>(result.classes) : 0.0;
  return result;
}

}  // namespace gankit::metrics
