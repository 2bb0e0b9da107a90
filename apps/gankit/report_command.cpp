// gankit report RUN            re-renders RUN's plots, progress.gif and report.html
// gankit report RUN... -o FILE  one HTML file comparing the runs
#include <iostream>
#include <optional>

#include "commands.h"
#include "gankit/io/output_path.h"
#include "gankit/config/config.h"
#include "gankit/error.h"
#include "gankit/report/run_report.h"

namespace gankit::cli {

namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::vector<std::string> runs;
  std::string out;
  std::optional<double> smoothing;
};

/// The report settings a run was trained with (its config.toml), defaults where it has none.
report::ReportOptions run_report_options(const fs::path& run_dir) {
  const auto config_path = run_dir / "config.toml";
  if (!fs::is_regular_file(config_path)) return {};
  return config::Config::from_file(config_path).report;
}

void run_report(const ReportArgs& args) {
  auto options = run_report_options(args.runs.front());
  if (args.smoothing) options.smoothing = *args.smoothing;
  if (args.out.empty()) {
    if (args.runs.size() > 1) fail("gankit report: several runs make one comparison; name its file with -o FILE.html");
    std::cout << report::refresh_run_report(args.runs.front(), options).string() << '\n';
    return;
  }
  std::vector<fs::path> runs(args.runs.begin(), args.runs.end());
  std::vector<fs::path> inputs = runs;
  for (const auto& run : runs) {
    for (const char* file : {"metrics.jsonl", "config.toml", "report.html", "progress.gif"}) inputs.push_back(run / file);
  }
  io::check_output_path(args.out, inputs, false, "-o");
  report::write_comparison_report(runs, args.out, options);
  std::cout << args.out << '\n';
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report", "Re-render a run's report.html, plots and progress GIF, or compare runs in one HTML file");
  cmd->add_option("runs", args->runs, "Run directories (runs/NAME)")->required();
  cmd->add_option("-o,--out", args->out, "Write a comparison of the runs to this HTML file");
  cmd->add_option("--smoothing", args->smoothing, "Curve smoothing in [0, 1) (default: the run's report.smoothing)")
      ->check(CLI::Range(0.0, 0.999));
  cmd->callback([args] { run_report(*args); });
}

}  // namespace gankit::cli
