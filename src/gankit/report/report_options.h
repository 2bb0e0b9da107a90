// The `[report]` section of a config: what a run shows besides its checkpoints.
#pragma once
#include <cstdint>

namespace gankit::report {

struct ReportOptions {
  /// Curves in the plots are smoothed as TensorBoard does (a debiased moving average of this
  /// weight, raw values drawn faint behind); 0 = raw only.
  double smoothing = 0.6;
  /// Write TensorBoard event files (scalars and the progress images) into the run directory.
  bool tensorboard = true;
  /// The progress GIF shows at most this many of the run's grids, evenly spaced, the last always.
  int64_t gif_frames = 100;
};

}  // namespace gankit::report
