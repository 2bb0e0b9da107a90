// Intra-class FID (Miyato & Koyama 2018, used by StudioGAN for conditional GANs): the Fréchet
// distance between the generated and the real images of one class, per class. Plain FID cannot see
// a conditional generator that draws the right images under the wrong labels; this can.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace gankit::metrics {

struct IntraClassFid {
  double mean = 0;      ///< the per-class FIDs averaged over the generated images' classes
  double max = 0;       ///< the worst class's
  int64_t worst = -1;   ///< which class that is
  int64_t classes = 0;  ///< classes averaged
};

/// Throws the error intra_class_fid gives when one side's `labels` are missing (`side` is "real"
/// or "generated"): so that a request that cannot be met fails before any features are computed.
void require_class_labels(const torch::Tensor& labels, const char* side);

/// Per-class FID of `fake` [M,D] (labels `fake_labels` [M]) against `real` [N,D] (`real_labels`
/// [N]), over every class the generated images have. gankit::Error, naming the class, when a
/// class has fewer than 2 images on either side, or when labels are missing or mis-shaped.
IntraClassFid intra_class_fid(const torch::Tensor& real, const torch::Tensor& real_labels,
                              const torch::Tensor& fake, const torch::Tensor& fake_labels);

}  // namespace gankit::metrics
