// What a run asks of its data: which set, where, and how images are brought to the model's size.
#pragma once
#include <cstdint>
#include <string>

#include "gankit/enum_table.h"

namespace gankit::data {

/// The most classes a labelled set may have: a label beyond it is a broken file, not a class
/// (a conditional GAN's embedding grows with the square of the count).
constexpr int64_t kMaxClasses = 1000;

/// data.split: which part of a set a run reads.
enum class Split { Train, Test };
inline const EnumTable<Split>& splits() {
  static const EnumTable<Split> table{
      {Split::Train, "train", "the training part"},
      {Split::Test, "test", "the held-out part (test/ or val/, or data.holdout's files)"},
  };
  return table;
}

/// The `[data]` section of a config. Every field has a default; `name` picks the reader.
struct DataOptions {
  /// mnist | fashion-mnist | cifar10 | image-folder | idx | csv | celeba | sketch-pairs
  std::string name = "fashion-mnist";
  /// File or folder; empty = the set's standard place (see default_data_path()).
  std::string path;
  /// train | test: the part of a set that ships both, or of an image folder with train/ and test/
  /// (or val/) sub-folders, or the side of data.holdout.
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
  /// Paired (image-to-image) data; each batch then carries targets. "" = unpaired | side-by-side
  /// (each file is A|B: left half A, right half B) | folders (path holds A/ and B/, files matched
  /// by name) | edges (A = Canny edges of each image B) | gray (A = B's luminance).
  std::string pairs;
  /// AtoB | BtoA: which side of a pair is the model's input (Batch::images); the other is
  /// Batch::targets.
  std::string direction = "AtoB";
  /// For sets without a split of their own: the last N files (sorted) are held out; split = train
  /// leaves them out, split = test is exactly them. 0 = off.
  int64_t holdout = 0;
  /// Decoded sets larger than this stream from disk with background decoding instead.
  int64_t max_memory_mb = 4096;
  /// Image files declaring more pixels than this are refused before decoding (named in the error);
  /// the default is io::kDefaultMaxImagePixels, 64 megapixels.
  int64_t max_image_pixels = int64_t{1} << 26;
  /// Decoding threads; 0 = the available cores.
  int64_t workers = 0;
  /// Batches prepared ahead on the loader's background thread.
  int64_t prefetch = 4;
};

/// Where the data set `name` lives when `path` is empty: Fashion-MNIST from Debian's
/// dataset-fashion-mnist, the rest under $GANKIT_DATA (default ~/.cache/gankit/data).
std::string default_data_path(const DataOptions& options);

}  // namespace gankit::data
