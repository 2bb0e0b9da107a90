// A loader over labelled images already in memory (generated samples, a subset of a data set):
// batches made exactly as make_loader makes them, for training on arrays (e.g. the classifier of
// the classification accuracy score).
#pragma once
#include <memory>
#include <string>

#include "gankit/data/loader.h"

namespace gankit::data {

/// Batches of `set` (uint8 [N,C,S,S], labels int64 [N] or undefined, num_classes set) as
/// make_loader gives them: shuffled per epoch with options.seed, last partial batch dropped,
/// random horizontal flips when `hflip`. `description` becomes info().description. Fewer images
/// than one batch, or a set that is not [N,C,S,S] uint8, is a gankit::Error naming `description`.
std::unique_ptr<Loader> make_array_loader(ImageSet set, const LoaderOptions& options, bool hflip,
                                          const std::string& description);

}  // namespace gankit::data
