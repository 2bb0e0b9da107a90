// CIFAR-10 binary batches (data_batch_N.bin): data::read_cifar10_batch.
// fuzz-instrument: src/gankit/data/cifar10.cpp
// fuzz-max-len: 16384
#include "../fuzz_target.h"

#include <cstdlib>

#include "gankit/data/cifar10.h"
#include "gankit/error.h"

GANKIT_FUZZ_TARGET(cifar10) {
  static gankit::fuzz::ScratchFile file("batch.bin");
  try {
    const auto set = gankit::data::read_cifar10_batch(file.write(data, size));
    if (set.images.size(0) != set.labels.size(0) || set.num_classes != 10) std::abort();
  } catch (const gankit::Error&) {
  }
}
