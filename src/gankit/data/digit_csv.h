// Kaggle's digit-recognizer CSV: a header line, then one 28x28 image a line as 784 pixel columns,
// preceded by a label column when the header's first column is "label" (train.csv; test.csv has
// none).
#pragma once
#include <filesystem>

#include "gankit/data/loader.h"

namespace gankit::data {

/// images uint8 [N,1,28,28]; labels int64 [N] (undefined without a label column);
/// num_classes = largest label + 1.
ImageSet read_digit_csv(const std::filesystem::path& path);

}  // namespace gankit::data
