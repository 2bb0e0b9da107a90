#include "gankit/data/pairs.h"

#include <map>
#include <vector>

#include "gankit/data/image_folder.h"
#include "gankit/data/parallel.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/io/image.h"

namespace gankit::data {

namespace fs = std::filesystem;

const EnumTable<Pairs>& pairings() {
  static const EnumTable<Pairs> table{
      {Pairs::none, "", "unpaired"},
      {Pairs::side_by_side, "side-by-side", "each file is A|B"},
      {Pairs::folders, "folders", "path/A/x and path/B/x"},
      {Pairs::edges, "edges", "A = the edges of each image B"},
      {Pairs::gray, "gray", "A = the luminance of each image B"},
  };
  return table;
}

Pairs parse_pairs(const std::string& text) { return pairings().parse_setting(text, "data.pairs"); }

const char* pairs_name(Pairs pairs) { return pairings().name(pairs); }

const EnumTable<Direction>& directions() {
  static const EnumTable<Direction> table{
      {Direction::AtoB, "AtoB", "A is the input, B the target"},
      {Direction::BtoA, "BtoA", "B is the input, A the target"},
  };
  return table;
}

bool parse_b_to_a(const std::string& direction) {
  return directions().parse_setting(direction, "data.direction") == Direction::BtoA;
}

torch::Tensor derive_input(const torch::Tensor& b, Pairs kind, const EdgeOptions& edges) {
  switch (kind) {
    case Pairs::edges:
      return edge_images(b, edges);
    case Pairs::gray:
      return gray_images(b);
    default:
      fail("data.pairs = {}: A is read from files, not derived", pairs_name(kind));
  }
}

std::pair<torch::Tensor, torch::Tensor> split_side_by_side(const torch::Tensor& image,
                                                           const std::string& name) {
  const int64_t height = image.size(-2), width = image.size(-1);
  if (width % 2 != 0) {
    fail("{}: image is {}x{}, an odd width: a side-by-side pair (data.pairs) is two halves A|B", name, width,
         height);
  }
  const int64_t half = width / 2;
  return {image.slice(-1, 0, half), image.slice(-1, half, width)};  // [C,H,W/2] each
}

int64_t write_pairs(const fs::path& from, const fs::path& out, const PairBuildOptions& options) {
  if (!is_derived(options.kind)) {
    fail("pairs: kind '{}' cannot be built from photos (valid: edges, gray)", pairs_name(options.kind));
  }
  if (options.size < 0) fail("pairs: size {} must be 0 (as it is) or positive", options.size);
  const auto folder = scan_image_folder(from);
  std::error_code ignored;
  if (fs::exists(out) && fs::equivalent(from, out, ignored)) {
    fail("{}: the output folder is the input folder; choose another", out.string());
  }
  // Every target checked before the first write, so a refusal leaves the folder as it was.
  std::vector<fs::path> targets;
  std::map<fs::path, fs::path> source_of;
  for (const auto& file : folder.files) {
    const fs::path target = out / (file.stem().string() + ".png");
    if (auto [at, added] = source_of.emplace(target, file); !added) {
      fail("{}: both {} and {} would be written there; rename one", target.string(), at->second.string(),
           file.string());
    }
    if (fs::exists(target)) fail("{}: already exists; gankit pairs never replaces a file", target.string());
    targets.push_back(target);
  }
  fs::create_directories(out);
  std::vector<char> written(targets.size(), 0);  // char, not bool: set from several threads
  try {
    parallel_for(static_cast<int64_t>(targets.size()), options.workers, [&](int64_t i) {
      const auto& file = folder.files[i];
      auto b = io::read_image(file);                                                       // [C,H,W]
      if (options.size > 0) b = fit_to_size(b, options.size, Fit::resize, file.string());  // [C,S,S]
      auto a = derive_input(b, options.kind, options.edges);                               // [C,H,W]
      io::write_new_file(targets[i], io::encode_png(torch::cat({a, b}, 2)));               // [C,H,2W]
      written[i] = 1;
    });
  } catch (...) {
    // A bad input midway: take back what this call wrote (it created those files), so that the
    // fixed input can be run again into the same folder.
    for (size_t i = 0; i < targets.size(); ++i) {
      if (written[i]) fs::remove(targets[i], ignored);
    }
    throw;
  }
  return static_cast<int64_t>(targets.size());
}

}  // namespace gankit::data
