// metrics.jsonl (gankit report, --resume keeps its lines): report::MetricsLog::read (nlohmann's
// JSON parser, header-only, so instrumented with it), and a resume over the file.
// fuzz-instrument: src/gankit/report/metrics_log.cpp
// fuzz-max-len: 8192
#include "../fuzz_target.h"

#include <cstdlib>

#include "gankit/error.h"
#include "gankit/report/metrics_log.h"

GANKIT_FUZZ_TARGET(metrics_log) {
  static gankit::fuzz::ScratchFile file("metrics.jsonl");
  try {
    const auto& path = file.write(data, size);
    for (const auto& record : gankit::report::MetricsLog::read(path)) {
      if (!record.is_object()) std::abort();
    }
    // --resume: keeps the lines up to a step, rewriting the file (the `step` of a line may be
    // anything: a string, a float, an object).
    gankit::report::MetricsLog log(path, 5);
  } catch (const gankit::Error&) {
  }
}
