// report.html: what a run directory shows a person. A run's own report links the run's files
// (plots/*.png, samples/, progress.gif) and is refreshed while it trains; a comparison of
// several runs is one self-contained file with the images embedded.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gankit/report/report_options.h"

namespace gankit::report {

/// Where the run stands, as the trainer knows it. state: "running", "finished", "interrupted",
/// or "" (re-rendered later, state unknown).
struct RunStatus {
  std::string state;
  int64_t step = -1;
  int64_t total_steps = -1;
};

/// Renders the run's plots (plots/<chart>.png) from metrics.jsonl, its progress.gif from the
/// grids, and report.html; every file written atomically. Returns the report's path. A folder
/// without metrics.jsonl is a gankit::Error "DIR: not a gankit run (no metrics.jsonl)".
std::filesystem::path refresh_run_report(const std::filesystem::path& run_dir, const ReportOptions& options,
                                         const RunStatus& status = {});

/// Writes one HTML file comparing runs: curves overlaid (one chart per metric), a table of each
/// run's final metrics, the config keys that differ, and each run's latest grid.
void write_comparison_report(const std::vector<std::filesystem::path>& run_dirs, const std::filesystem::path& out,
                             const ReportOptions& options);

}  // namespace gankit::report
