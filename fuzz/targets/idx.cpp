// IDX files (MNIST, Fashion-MNIST; raw or gzip): data::read_idx_images and read_idx_labels.
// fuzz-instrument: src/gankit/data/idx.cpp
// fuzz-max-len: 16384
#include "../fuzz_target.h"

#include <cstdlib>

#include "gankit/data/idx.h"
#include "gankit/error.h"

GANKIT_FUZZ_TARGET(idx) {
  static gankit::fuzz::ScratchFile file("idx");
  const auto& path = file.write(data, size);
  try {
    const auto images = gankit::data::read_idx_images(path);
    if (images.dim() != 4 || images.size(1) != 1 || images.numel() == 0) std::abort();
  } catch (const gankit::Error&) {
  }
  try {
    const auto labels = gankit::data::read_idx_labels(path);
    if (labels.dim() != 1) std::abort();
  } catch (const gankit::Error&) {
  }
}
