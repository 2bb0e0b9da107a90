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

namespace {

/// Whether a record was logged at or before `step`. A record without a numeric "step" (a file
/// edited by hand) counts as step 0, as one without a step always did; json::value() would throw
/// a type_error on a string.
bool logged_by(const nlohmann::json& record, int64_t step) {
  const auto found = record.find("step");
  if (found == record.end() || !found->is_number()) return true;
  if (found->is_number_unsigned()) return found->get<uint64_t>() <= static_cast<uint64_t>(step);
  if (found->is_number_integer()) return found->get<int64_t>() <= step;
  return found->get<double>() <= static_cast<double>(step);
}

}  // namespace

MetricsLog::MetricsLog(const fs::path& path, int64_t resume_step) : path_(path) {
  std::string kept;
  if (resume_step >= 0) {
    for (const auto& record : read(path)) {
      if (logged_by(record, resume_step)) kept += record.dump() + '\n';
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
