// Kaggle digit-recognizer CSV (train.csv, test.csv): data::read_digit_csv.
// fuzz-instrument: src/gankit/data/digit_csv.cpp
// fuzz-max-len: 16384
#include "../fuzz_target.h"

#include <cstdlib>

#include "gankit/data/digit_csv.h"
#include "gankit/error.h"

GANKIT_FUZZ_TARGET(digit_csv) {
  static gankit::fuzz::ScratchFile file("digits.csv");
  try {
    const auto set = gankit::data::read_digit_csv(file.write(data, size));
    if (set.images.dim() != 4 || set.images.size(0) == 0) std::abort();
    if (set.labels.defined() && set.labels.size(0) != set.images.size(0)) std::abort();
  } catch (const gankit::Error&) {
  }
}
