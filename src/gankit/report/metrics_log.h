// metrics.jsonl: one JSON object per logged step, appended as training runs.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

namespace gankit::report {

class MetricsLog {
 public:
  /// Starts a fresh log, or (resume_step >= 0) keeps the lines up to resume_step and drops later
  /// ones: those came from a run killed after its last checkpoint and will be logged again.
  MetricsLog(const std::filesystem::path& path, int64_t resume_step = -1);

  /// Appends one record and flushes, so a crash loses at most the line being written.
  void append(const nlohmann::json& record);

  /// Every complete record in a metrics.jsonl file (a torn last line is skipped).
  static std::vector<nlohmann::json> read(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace gankit::report
