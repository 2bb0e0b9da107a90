// A folder of PNG/JPEG/BMP files: flat (unlabelled) or one sub-folder per class (torchvision's
// ImageFolder layout), optionally inside split sub-folders (train/, test/ or val/), optionally
// paired (pairs.h). Scanning lists files only; decoding happens here too so that in-memory and
// streamed loading share one decode path and give identical pixels.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gankit/data/loader.h"
#include "gankit/data/pairs.h"
#include "gankit/data/transforms.h"

namespace gankit::data {

struct ImageFolder {
  std::filesystem::path root;
  std::vector<std::filesystem::path> files;  ///< sorted; class after class when labelled
  std::vector<int64_t> labels;               ///< one per file; empty for a flat folder
  std::vector<std::string> class_names;      ///< sorted sub-folder names; empty for a flat folder
  /// How each file gives an (A, B) pair; decoded items are then [2C,S,S], A's channels first.
  Pairs pairs = Pairs::none;
  /// Pairs::folders: the B file matched to each of `files` (which are under A/).
  std::vector<std::filesystem::path> partners;
  /// The split sub-folder (train, test or val) `root` is; empty when the folder has none.
  std::string split;
};

/// Whether the extension is .png .jpg .jpeg or .bmp, in any case.
bool is_image_file(const std::filesystem::path& path);

/// Lists the images under `root`. Images at the top level make a flat, unlabelled folder;
/// otherwise each non-hidden sub-folder is a class (searched recursively).
ImageFolder scan_image_folder(const std::filesystem::path& root);

/// For a folder with split sub-folders (train/, test/ or val/ beside no images of its own): the
/// one for `split`, where test may also be val/; `picked` gets its name. Otherwise `root` itself
/// and `picked` empty. A missing split is a gankit::Error.
std::filesystem::path split_folder(const std::filesystem::path& root, const std::string& split,
                                   std::string& picked);

/// The data.pairs = folders layout: images under root/A and root/B (searched recursively), matched
/// by their path below A/ and B/. A file without a partner is a gankit::Error naming it.
ImageFolder scan_paired_folders(const std::filesystem::path& root);

/// Fills in what `requested` leaves open (size 0, channels 0) from the first image, and checks
/// that image against it.
FitSpec resolve_fit_spec(const ImageFolder& folder, FitSpec requested);

/// Decodes and fits the files at `indices` (int64 [B]) with `workers` threads: uint8 [B,C,S,S],
/// or [B,2C,S,S] (A then B, each side fitted alone) for a paired folder. `spec` must be resolved
/// (size and channels set).
torch::Tensor decode_images(const ImageFolder& folder, const torch::Tensor& indices,
                            const FitSpec& spec, int64_t workers);

/// The labels as int64 [N], undefined for a flat folder.
torch::Tensor folder_labels(const ImageFolder& folder);

/// Every image decoded and fitted: images uint8 [N,C,S,S], labels, num_classes; for a paired
/// folder images = A and targets = B (views of one [N,2C,S,S] tensor).
ImageSet decode_image_folder(const ImageFolder& folder, const FitSpec& spec, int64_t workers);

}  // namespace gankit::data
