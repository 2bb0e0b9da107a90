#include "gankit/report/progress_gif.h"

#include <algorithm>
#include <regex>

#include "gankit/io/animation.h"
#include "gankit/io/image.h"

namespace gankit::report {

namespace fs = std::filesystem;

std::vector<fs::path> progress_images(const fs::path& run_dir) {
  static const std::regex grid_name(R"(step_(\d+)\.png)");
  std::vector<std::pair<long long, fs::path>> grids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir / "samples", ec)) {
    std::smatch match;
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && std::regex_match(name, match, grid_name)) {
      grids.emplace_back(std::stoll(match[1].str()), entry.path());
    }
  }
  std::sort(grids.begin(), grids.end());
  std::vector<fs::path> paths;
  for (auto& grid : grids) paths.push_back(std::move(grid.second));
  return paths;
}

std::vector<size_t> evenly_spaced(size_t count, size_t max_frames) {
  std::vector<size_t> picked;
  if (count == 0 || max_frames == 0) return picked;
  if (count <= max_frames) {
    for (size_t i = 0; i < count; ++i) picked.push_back(i);
    return picked;
  }
  if (max_frames == 1) return {count - 1};
  for (size_t k = 0; k < max_frames; ++k) {
    // Rounded positions of k/(m-1) along [0, count-1]: distinct because count > max_frames.
    picked.push_back((k * (count - 1) + (max_frames - 1) / 2) / (max_frames - 1));
  }
  return picked;
}

bool write_progress_gif(const fs::path& run_dir, const std::vector<fs::path>& grids, size_t max_frames) {
  if (grids.empty()) return false;
  std::vector<torch::Tensor> frames;
  for (size_t i : evenly_spaced(grids.size(), max_frames)) {
    auto image = io::read_image(grids[i]);
    // A grid of another size (e.g. a resumed run with other settings) cannot join the animation.
    if (!frames.empty() && image.sizes() != frames.front().sizes()) continue;
    frames.push_back(std::move(image));
  }
  io::write_animation(run_dir / "progress.gif", frames, /*delay_cs=*/25, /*last_delay_cs=*/200);
  return true;
}

}  // namespace gankit::report
