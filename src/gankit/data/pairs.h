// Paired data for image-to-image models (pix2pix): where each (A, B) pair comes from, which side
// is the model's input, and the pair builder behind `gankit pairs`. A pair travels through the
// loader as one uint8 [2C,H,W] image (A's channels, then B's), so every fit, crop and flip hits
// both sides alike; the loader splits it into Batch::images and Batch::targets at the end.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "gankit/data/edges.h"
#include "gankit/enum_table.h"

namespace gankit::data {

/// data.pairs: how each item of a data set gives an (A, B) pair.
enum class Pairs {
  none,          ///< unpaired
  side_by_side,  ///< each file is A|B: left half A, right half B
  folders,       ///< path/A/x and path/B/x
  edges,         ///< each file is B; A = its edges (edge_images)
  gray,          ///< each file is B; A = its luminance (gray_images)
};

/// Every kind of pairing with its name (data.pairs).
const EnumTable<Pairs>& pairings();
/// Parses a name of pairings(); anything else is a gankit::Error listing them.
Pairs parse_pairs(const std::string& text);
const char* pairs_name(Pairs pairs);
/// Whether A is computed from B (edges, gray) rather than read from files.
inline bool is_derived(Pairs pairs) { return pairs == Pairs::edges || pairs == Pairs::gray; }

/// data.direction: which side of a pair is the model's input.
enum class Direction { AtoB, BtoA };
const EnumTable<Direction>& directions();
/// data.direction: true for "BtoA" (B is the model's input), false for "AtoB"; else a gankit::Error.
bool parse_b_to_a(const std::string& direction);

/// uint8 [..,C,H,W] B -> uint8 [..,C,H,W] A for a derived kind (edges or gray).
torch::Tensor derive_input(const torch::Tensor& b, Pairs kind, const EdgeOptions& edges = {});

/// uint8 [C,H,2W] -> {A [C,H,W], B [C,H,W]}; an odd width is a gankit::Error naming `name`.
std::pair<torch::Tensor, torch::Tensor> split_side_by_side(const torch::Tensor& image,
                                                           const std::string& name);

/// What `gankit pairs` makes.
struct PairBuildOptions {
  /// edges or gray.
  Pairs kind = Pairs::edges;
  /// > 0: B is first resized to size x size (shorter side, then centre crop); 0 = as it is.
  int64_t size = 0;
  /// Threads; 0 = the available cores.
  int64_t workers = 0;
  EdgeOptions edges;
};

/// For every image of the folder `from` (flat or class sub-folders), writes out/<stem>.png =
/// A|B side by side (A derived, B the photo), ready for data.pairs = "side-by-side". Never
/// replaces a file: an existing target, or two inputs with one stem, is an error naming it, raised
/// before anything is written. Returns the number of files written.
int64_t write_pairs(const std::filesystem::path& from, const std::filesystem::path& out,
                    const PairBuildOptions& options);

}  // namespace gankit::data
