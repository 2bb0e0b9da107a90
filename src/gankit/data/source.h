// The loader's view of a data set once fitted: N images of uint8 [C,S,S], either held in memory
// (decoded once) or, for an image folder too big for data.max_memory_mb, decoded per batch.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "gankit/data/image_folder.h"
#include "gankit/data/loader.h"
#include "gankit/data/transforms.h"

namespace gankit::data {

/// What a reader found, before fitting: decoded images (IDX, CIFAR binary, CSV) or image files.
using RawData = std::variant<ImageSet, ImageFolder>;

/// Converts channels and fits [N,C,H,W] to spec.size (0 = the set's own size, which must be
/// square); `name` is used in errors.
ImageSet fit_image_set(ImageSet set, const FitSpec& spec, const std::string& name);

/// data.holdout: of a set without a split of its own, the last `count` items (files in sorted
/// order) are the test split and the rest the train split. `name` is used in errors.
RawData hold_out(RawData raw, int64_t count, const std::string& split, const std::string& name);

class Source {
 public:
  /// Decoded and fitted images, uint8 [N,C,S,S]; paired when set.targets (B) is defined.
  explicit Source(ImageSet set);
  /// Files decoded and fitted on demand by `workers` threads; `spec` resolved.
  Source(ImageFolder folder, const FitSpec& spec, int64_t workers);

  int64_t size() const { return size_; }
  int64_t channels() const { return spec_.channels; }  ///< of each side when paired
  int64_t image_size() const { return spec_.size; }
  int64_t num_classes() const { return num_classes_; }
  bool paired() const { return paired_; }
  bool streamed() const { return folder_.has_value(); }
  int64_t workers() const { return workers_; }
  const torch::Tensor& labels() const { return labels_; }  ///< int64 [N] or undefined

  /// int64 [B] -> uint8 [B,C,S,S], or [B,2C,S,S] when paired (A's channels, then B's).
  torch::Tensor gather(const torch::Tensor& indices) const;
  /// The whole set in memory (A as images, B as targets when paired).
  ImageSet all() const;

 private:
  torch::Tensor images_;   // [N,C,S,S] uint8 (A when paired); undefined when streamed
  torch::Tensor targets_;  // [N,C,S,S] uint8 B; undefined when unpaired or streamed
  std::optional<ImageFolder> folder_;
  FitSpec spec_;
  bool paired_ = false;
  int64_t workers_ = 1;
  int64_t size_ = 0;
  int64_t num_classes_ = 0;
  torch::Tensor labels_;
};

/// Fits `raw` to `spec`, paired as `pairs` says. An image folder is decoded into memory (by
/// `workers` threads) unless that would take more than `max_bytes`; then it is streamed. `name` is
/// used in errors.
Source make_source(RawData raw, const FitSpec& spec, Pairs pairs, int64_t max_bytes, int64_t workers,
                   const std::string& name);

}  // namespace gankit::data
