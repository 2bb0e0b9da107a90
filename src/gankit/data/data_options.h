// What a run asks of its data: which set, where, and how images are brought to the model's size.
#pragma once
#include <cstdint>
#include <string>

namespace gankit::data {

/// The `[data]` section of a config. Every field has a default; `name` picks the reader.
struct DataOptions {
  /// mnist | fashion-mnist | cifar10 | image-folder | idx | csv
  std::string name = "fashion-mnist";
  /// File or folder; empty = the set's standard place (see default_data_path()).
  std::string path;
  /// train | test (for sets that ship both).
  std::string split = "train";
  /// Side of the square images the model sees; 0 = the data's own size.
  int64_t image_size = 32;
  /// 1 or 3 converts (gray <-> RGB); 0 = the data's own channel count.
  int64_t channels = 0;
  /// How an image reaches image_size: resize (shorter side, then centre crop) | pad | center-crop | none.
  std::string fit = "resize";
  /// >image_size: fit to load_size, then random-crop image_size each batch (pix2pix jitter). 0 = off.
  int64_t load_size = 0;
  /// Random horizontal flip of each training image.
  bool hflip = false;
  /// Decoded sets larger than this stream from disk with background decoding instead.
  int64_t max_memory_mb = 4096;
  /// Decoding threads; 0 = the available cores.
  int64_t workers = 0;
  /// Batches prepared ahead on the loader's background thread.
  int64_t prefetch = 4;
};

/// Where the data set `name` lives when `path` is empty: Fashion-MNIST from Debian's
/// dataset-fashion-mnist, the rest under $GANKIT_DATA (default ~/.cache/gankit/data).
std::string default_data_path(const DataOptions& options);

}  // namespace gankit::data
