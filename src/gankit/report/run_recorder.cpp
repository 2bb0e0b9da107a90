#include "gankit/report/run_recorder.h"

#include "gankit/io/atomic_file.h"
#include "gankit/io/image.h"
#include "gankit/report/metric_charts.h"
#include "gankit/report/tensorboard.h"

namespace gankit::report {

namespace fs = std::filesystem;

RunRecorder::RunRecorder(const fs::path& run_dir, const ReportOptions& options, int64_t resume_step)
    : run_dir_(run_dir), options_(options), metrics_(run_dir / "metrics.jsonl", resume_step) {
  if (options_.tensorboard) {
    events_ = std::make_unique<EventWriter>(run_dir);
    if (resume_step >= 0) events_->add_session_start(resume_step);
  }
}

RunRecorder::~RunRecorder() = default;

void RunRecorder::record(const nlohmann::json& record) {
  metrics_.append(record);
  if (!events_) return;
  const int64_t step = record.value("step", int64_t{0});
  for (const auto& [key, value] : record.items()) {
    if (is_metric(key, value)) {
      events_->add_scalar(tensorboard_tag(key), step, value.get<double>());
    }
  }
  events_->flush();
}

void RunRecorder::image(int64_t step, const fs::path& png) {
  if (!events_) return;
  const auto bytes = io::read_file_bytes(png, "image");
  const auto pixels = io::decode_image(bytes, png.string());  // for the size the Image message states
  events_->add_image("samples", step, bytes, static_cast<int>(pixels.size(1)), static_cast<int>(pixels.size(2)),
                     static_cast<int>(pixels.size(0)));
  events_->flush();
}

fs::path RunRecorder::refresh(const RunStatus& status) { return refresh_run_report(run_dir_, options_, status); }

}  // namespace gankit::report
