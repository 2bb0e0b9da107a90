// The progress GIF: a run's fixed-input grids (samples/step_N.png), in step order, as one
// animation, so a glance shows how training went.
#pragma once
#include <filesystem>
#include <vector>

namespace gankit::report {

/// The grids of a run directory, samples/step_*.png, in step order.
std::vector<std::filesystem::path> progress_images(const std::filesystem::path& run_dir);

/// At most `max_frames` of `count` items, evenly spaced, first and last always kept (indices).
std::vector<size_t> evenly_spaced(size_t count, size_t max_frames);

/// Writes run_dir/progress.gif from `grids` (progress_images(run_dir); at most max_frames of
/// them); returns false when there is no grid yet.
bool write_progress_gif(const std::filesystem::path& run_dir, const std::vector<std::filesystem::path>& grids,
                        size_t max_frames);

}  // namespace gankit::report
