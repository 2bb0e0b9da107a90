#include "gankit/report/metrics_log.h"

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"

namespace gankit::report {

namespace fs = std::filesystem;

std::vector<nlohmann::json> MetricsLog::read(const fs::path& path) {
  std::vector<nlohmann::json> records;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_object()) records.push_back(std::move(record));
  }
  return records;
}

MetricsLog::MetricsLog(const fs::path& path, int64_t resume_step) : path_(path) {
  std::string kept;
  if (resume_step >= 0) {
    for (const auto& record : read(path)) {
      if (record.value("step", int64_t{0}) <= resume_step) kept += record.dump() + '\n';
    }
  }
  io::write_file_atomically(path, kept);
  out_.open(path, std::ios::app);
  if (!out_) fail("{}: cannot open for appending", path.string());
}

void MetricsLog::append(const nlohmann::json& record) {
  out_ << record.dump() << '\n';
  out_.flush();
  if (!out_) fail("{}: write failed (disk full?)", path_.string());
}

}  // namespace gankit::report
