// Everything a training run writes besides checkpoints: metrics.jsonl, TensorBoard events and
// the report (plots, progress GIF, report.html), kept in step with each other.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>

#include "gankit/report/metrics_log.h"
#include "gankit/report/report_options.h"
#include "gankit/report/run_report.h"

namespace gankit::report {

class EventWriter;

class RunRecorder {
 public:
  /// Starts the run's records, or continues them after resume_step (>= 0): metrics.jsonl drops
  /// the lines past it and a new events file tells TensorBoard to drop its events past it too.
  RunRecorder(const std::filesystem::path& run_dir, const ReportOptions& options, int64_t resume_step = -1);
  ~RunRecorder();

  /// One metrics record ({"step": N, name: value, ...}): appended to metrics.jsonl, and each
  /// number a TensorBoard scalar.
  void record(const nlohmann::json& record);

  /// A progress image just written (PNG) for `step`: a TensorBoard image.
  void image(int64_t step, const std::filesystem::path& png);

  /// Re-renders plots, progress.gif and report.html; returns the report's path.
  std::filesystem::path refresh(const RunStatus& status);

 private:
  std::filesystem::path run_dir_;
  ReportOptions options_;
  MetricsLog metrics_;
  std::unique_ptr<EventWriter> events_;
};

}  // namespace gankit::report
