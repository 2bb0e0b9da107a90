// IDX files (MNIST, Fashion-MNIST): a big-endian header (magic, dimensions), then uint8 data.
// Raw or gzip-compressed; zlib reads both, so callers never care which.
#pragma once
#include <torch/torch.h>

#include <filesystem>

#include "gankit/data/loader.h"

namespace gankit::data {

/// `path` itself, or PATH.gz when `path` is missing, has no .gz suffix and PATH.gz exists.
std::filesystem::path resolve_gz(const std::filesystem::path& path);

/// An IDX image file (magic 0x00000803, N x H x W ubyte) as uint8 [N,1,H,W].
torch::Tensor read_idx_images(const std::filesystem::path& path);

/// An IDX label file (magic 0x00000801, N ubyte) as int64 [N].
torch::Tensor read_idx_labels(const std::filesystem::path& path);

/// Images [N,1,H,W] plus, when `labels` is non-empty, their labels (counts must agree);
/// num_classes = largest label + 1.
ImageSet read_idx(const std::filesystem::path& images, const std::filesystem::path& labels);

}  // namespace gankit::data
