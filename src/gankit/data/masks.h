// Inpainting masks: float [N,1,S,S] with 1 = hole (to be filled) and 0 = known pixel.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "gankit/enum_table.h"

namespace gankit::data {

/// Which holes an inpainting model trains or is evaluated on.
enum class MaskKind {
  Center,      ///< the centred square of side size/2 (rows/cols 16..47 of 64)
  Rectangles,  ///< 1-3 random axis-aligned rectangles, each side in [size/8, size/2]
  FreeForm,    ///< 1-3 brush strokes as DeepFill v2's free-form masks (Yu et al. 2019)
  Mixed,       ///< one of the three per image, drawn uniformly (train.mask's default)
};

/// Every mask kind with its name (train.mask).
const EnumTable<MaskKind>& mask_kinds();
/// Parses a name of mask_kinds(); anything else is a gankit::Error listing them.
MaskKind parse_mask_kind(const std::string& name);
const char* mask_kind_name(MaskKind kind);

/// n masks of size x size, float [n,1,size,size] with values 0 or 1. Random kinds draw only from
/// `generator` (a CPU generator, e.g. make_generator(seed)), so a seed gives the same masks.
///
/// FreeForm follows DeepFill v2's brush strokes (generative_inpainting, brush_stroke_mask), whose
/// constants are for 256x256 and are scaled here by size/256 where they are lengths:
///   - 1-3 strokes; a stroke is a polyline of 4-11 segments from a uniform random start pixel;
///   - segment angles uniform in [2pi/5 - a, 2pi/5 + b] with a, b ~ U(0, 2pi/15) per stroke,
///     every other one mirrored (2pi - angle), which makes the strokes zig-zag;
///   - segment lengths ~ N(r, r/2) clipped to [0, 2r], with r = sqrt(2) * size / 8;
///     vertices are clipped to the image (to [0, size-1]; the original clips to [0, size]);
///   - brush width trunc(U(12, 40) * size / 256) pixels (3-9 at 64), at least 1;
///   - drawn with round joints and caps: a pixel is a hole when its centre lies within width/2 of
///     a segment (PIL's line plus a disc at each vertex, as in the original).
/// Then, as the original intends, the mask is flipped left-right and top-bottom, each with
/// probability 1/2 (the original discards PIL's flipped copy, so its strokes always drift right).
/// A mask that would leave no known pixel is drawn again. Mixed draws each image's kind first
/// (one draw for all n), then n masks of each kind, and keeps each image's own.
torch::Tensor make_masks(MaskKind kind, int64_t n, int64_t size, torch::Generator& generator);

/// Reads a user's mask image as float [1,1,height,width]: after conversion to gray (ITU-R 601
/// luma), pixels > 127 (white) are holes. Throws gankit::Error, one line naming the file, when the
/// file cannot be read or is not height x width ("mask m.png is 32x32, the image is 64x64").
torch::Tensor read_mask(const std::filesystem::path& path, int64_t height, int64_t width);

}  // namespace gankit::data
