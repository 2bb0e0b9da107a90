#include "gankit/report/run_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/report/html.h"
#include "gankit/report/metric_charts.h"
#include "gankit/report/metrics_log.h"
#include "gankit/report/plot.h"
#include "gankit/report/progress_gif.h"

namespace gankit::report {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// What a report needs from a run directory, read once.
struct RunFiles {
  fs::path dir;
  std::string name;
  std::vector<json> records;
  std::string config_text;                                // config.toml as written, or ""
  std::map<std::string, std::string> config_values;       // "section.key" -> value as TOML
  std::vector<fs::path> grids;                            // samples/step_*.png in step order
};

std::string toml_value_text(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& value) { out << value; });
  return out.str();
}

RunFiles read_run(const fs::path& dir) {
  if (!fs::is_regular_file(dir / "metrics.jsonl")) {
    fail("{}: not a gankit run (no metrics.jsonl)", dir.string());
  }
  RunFiles run;
  run.dir = dir;
  run.name = fs::absolute(dir).lexically_normal().filename().string();
  if (run.name.empty()) run.name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  run.records = MetricsLog::read(dir / "metrics.jsonl");
  if (fs::is_regular_file(dir / "config.toml")) {
    run.config_text = io::read_file_bytes(dir / "config.toml", "config");
    try {
      const auto table = toml::parse(run.config_text);
      for (const auto& [section, node] : table) {
        if (const auto* keys = node.as_table()) {
          for (const auto& [key, value] : *keys) {
            run.config_values[std::string(section.str()) + "." + std::string(key.str())] = toml_value_text(value);
          }
        }
      }
    } catch (const toml::parse_error&) {
      // A damaged config.toml still shows as text; only the summary fields go missing.
    }
  }
  run.grids = progress_images(dir);
  return run;
}

std::string config_value(const RunFiles& run, const std::string& key) {
  const auto it = run.config_values.find(key);
  if (it == run.config_values.end()) return "?";
  std::string value = it->second;
  const bool quoted = value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front();
  if (quoted) value = value.substr(1, value.size() - 2);
  return value;
}

int64_t last_step(const RunFiles& run) {
  int64_t step = 0;
  for (const auto& record : run.records) step = std::max(step, record.value("step", int64_t{0}));
  return step;
}

std::string number(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : (value > 0 ? "inf" : "-inf");
  return fmt::format("{:.4g}", value);
}

const char* const kStyle = R"(
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{margin:0 0 4px;font-size:26px}h2{font-size:19px;margin:28px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
.status{color:#555;margin-bottom:12px}.status b{color:#222}
.cards{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px}
figcaption{font-size:13px;color:#555;margin-top:4px}
figure img{display:block;max-width:100%;image-rendering:pixelated}
figure img.plot{image-rendering:auto;width:560px}
table{border-collapse:collapse;background:#fff;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}th{background:#f0f0f0}
td:first-child,th:first-child{text-align:left}
pre{background:#fff;border:1px solid #ddd;padding:10px;font-size:13px;overflow:auto;max-height:480px}
a{color:#1f5fa8}.muted{color:#777;font-size:13px}
)";

std::string page_start(const std::string& title, bool refresh) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{}"
      "<title>{}</title>\n<style>{}</style></head>\n<body>\n",
      refresh ? "<meta http-equiv=\"refresh\" content=\"30\">\n" : "", html_escape(title), kStyle);
}

std::string page_end() {
  const std::time_t now = std::time(nullptr);
  return fmt::format("<p class=\"muted\">Written by gankit {} on {:%Y-%m-%d %H:%M:%S}.</p>\n</body></html>\n",
                     GANKIT_VERSION, fmt::localtime(now));
}

std::string status_line(const RunFiles& run, const RunStatus& status) {
  const int64_t step = status.step >= 0 ? status.step : last_step(run);
  std::string where;
  if (status.state == "running" && status.total_steps > 0) {
    where = fmt::format("<b>training</b>: step {} of {} ({:.0f}%); this page reloads every 30 s", step,
                        status.total_steps, 100.0 * step / status.total_steps);
  } else if (status.state == "finished") {
    where = fmt::format("<b>finished</b>: {} steps", step);
  } else if (status.state == "interrupted") {
    where = fmt::format("<b>interrupted</b> at step {} (continue with <code>gankit train --resume</code>)", step);
  } else {
    where = fmt::format("last logged step {}", step);
  }
  return fmt::format("<div class=\"status\">{} &middot; model <b>{}</b> &middot; data <b>{}</b></div>\n", where,
                     html_escape(config_value(run, "model.name")), html_escape(config_value(run, "data.name")));
}

/// Rows of metric, last value, min, max over the run.
std::string metrics_table(const std::vector<json>& records) {
  std::string html = "<table><tr><th>metric</th><th>last</th><th>at step</th><th>min</th><th>max</th></tr>\n";
  for (const auto& name : metric_names(records)) {
    const auto series = metric_series(records, name, name);
    if (series.y.empty()) continue;
    const auto [lo, hi] = std::minmax_element(series.y.begin(), series.y.end());
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        html_escape(metric_label(name) == name ? name : metric_label(name) + " (" + name + ")"),
                        number(series.y.back()), static_cast<int64_t>(series.x.back()), number(*lo), number(*hi));
  }
  return html + "</table>\n";
}

PlotOptions chart_options(const Chart& chart, const ReportOptions& options) {
  PlotOptions plot;
  plot.title = chart.title;
  plot.y_label = chart.y_label;
  plot.smoothing = options.smoothing;
  return plot;
}

/// The runs in `run_dirs`; two of the same folder name (a/run, b/run) are told apart by their full path.
std::vector<RunFiles> read_runs(const std::vector<fs::path>& run_dirs) {
  std::vector<RunFiles> runs;
  std::set<std::string> names;
  for (const auto& dir : run_dirs) {
    runs.push_back(read_run(dir));
    if (!names.insert(runs.back().name).second) runs.back().name = dir.string();
  }
  return runs;
}

/// Final metrics: the last logged value of each metric, one row per run.
std::string final_metrics_table(const std::vector<RunFiles>& runs) {
  std::vector<json> all;
  for (const auto& run : runs) all.insert(all.end(), run.records.begin(), run.records.end());
  const auto names_all = metric_names(all);
  std::string html =
      "<h2>Final metrics</h2>\n<table><tr><th>run</th><th>model</th><th>data</th><th>steps</th>";
  for (const auto& name : names_all) html += "<th>" + html_escape(metric_label(name)) + "</th>";
  html += "</tr>\n";
  for (const auto& run : runs) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>", html_escape(run.name),
                        html_escape(config_value(run, "model.name")),
                        html_escape(config_value(run, "data.name")), last_step(run));
    for (const auto& name : names_all) {
      const auto series = metric_series(run.records, name, name);
      html += "<td>" + (series.y.empty() ? std::string("&ndash;") : number(series.y.back())) + "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

/// Every run's curves drawn together, as inline PNGs.
std::string comparison_curves(const std::vector<RunFiles>& runs, const ReportOptions& options) {
  std::vector<std::pair<std::string, std::vector<json>>> named;
  for (const auto& run : runs) named.emplace_back(run.name, run.records);
  std::string html = "<h2>Curves</h2>\n<div class=\"cards\">\n";
  for (const auto& chart : comparison_charts(named)) {
    html += fmt::format("<figure><img class=\"plot\" src=\"{}\" alt=\"{}\"></figure>\n",
                        data_uri(render_plot_png(chart.series, chart_options(chart, options)), "image/png"),
                        html_escape(chart.title));
  }
  return html + "</div>\n";
}

/// The config value of `key` in `run`, or nothing.
std::optional<std::string> config_entry(const RunFiles& run, const std::string& key) {
  const auto it = run.config_values.find(key);
  if (it == run.config_values.end()) return std::nullopt;
  return it->second;
}

/// The settings that make the runs different; the keys they share would only hide those.
std::string differing_settings(const std::vector<RunFiles>& runs) {
  std::set<std::string> keys;
  for (const auto& run : runs) {
    for (const auto& entry : run.config_values) keys.insert(entry.first);
  }
  std::string rows;
  for (const auto& key : keys) {
    std::set<std::string> values;
    for (const auto& run : runs) values.insert(config_entry(run, key).value_or(""));
    if (values.size() < 2) continue;
    rows += "<tr><td>" + html_escape(key) + "</td>";
    for (const auto& run : runs) {
      const auto value = config_entry(run, key);
      rows += "<td>" + (value ? html_escape(*value) : std::string("&ndash;")) + "</td>";
    }
    rows += "</tr>\n";
  }
  std::string html = "<h2>Settings that differ</h2>\n";
  if (rows.empty()) return html + "<p class=\"muted\">None: the runs share every config key.</p>\n";
  html += "<table><tr><th>key</th>";
  for (const auto& run : runs) html += "<th>" + html_escape(run.name) + "</th>";
  return html + "</tr>\n" + rows + "</table>\n";
}

/// Each run's last grid, inline.
std::string latest_grids(const std::vector<RunFiles>& runs) {
  std::string html = "<h2>Latest grids</h2>\n<div class=\"cards\">\n";
  for (const auto& run : runs) {
    if (run.grids.empty()) continue;
    html += fmt::format("<figure><img src=\"{}\" alt=\"{}\"><figcaption>{} ({})</figcaption></figure>\n",
                        data_uri(io::read_file_bytes(run.grids.back(), "image"), "image/png"),
                        html_escape(run.name), html_escape(run.name),
                        html_escape(run.grids.back().stem().string()));
  }
  return html + "</div>\n";
}

}  // namespace

fs::path refresh_run_report(const fs::path& run_dir, const ReportOptions& options, const RunStatus& status) {
  const auto run = read_run(run_dir);
  const int64_t step = status.step >= 0 ? status.step : last_step(run);
  const std::string version = fmt::format("?v={}", step);  // a reloading page fetches the new images

  std::string html = page_start("gankit · " + run.name, status.state == "running");
  html += fmt::format("<h1>{}</h1>\n", html_escape(run.name)) + status_line(run, status);

  html += "<h2>Samples</h2>\n<div class=\"cards\">\n";
  if (run.grids.empty()) {
    html += "<p class=\"muted\">No grid yet: the first comes at train.sample_every steps.</p>\n";
  } else {
    const auto& latest = run.grids.back();
    html += fmt::format("<figure><img src=\"{}{}\" alt=\"latest grid\"><figcaption>Latest grid ({})</figcaption></figure>\n",
                        url_path("samples/" + latest.filename().string()), version,
                        html_escape(latest.stem().string()));
    if (write_progress_gif(run_dir, run.grids, static_cast<size_t>(options.gif_frames))) {
      html += fmt::format("<figure><img src=\"progress.gif{}\" alt=\"training progress\">"
                          "<figcaption>Training progress: the same noise, {} grids</figcaption></figure>\n",
                          version, std::min<size_t>(run.grids.size(), static_cast<size_t>(options.gif_frames)));
    }
  }
  html += "</div>\n<h2>Curves</h2>\n<div class=\"cards\">\n";
  const auto charts = run_charts(run.records);
  if (charts.empty()) html += "<p class=\"muted\">Nothing logged yet: the first line comes at train.log_every steps.</p>\n";
  fs::create_directories(run_dir / "plots");
  for (const auto& chart : charts) {
    const auto file = "plots/" + chart.slug + ".png";
    write_plot(run_dir / file, chart.series, chart_options(chart, options));
    html += fmt::format("<figure><img class=\"plot\" src=\"{}{}\" alt=\"{}\"></figure>\n", url_path(file), version,
                        html_escape(chart.title));
  }
  html += "</div>\n<h2>Metrics</h2>\n" + metrics_table(run.records);

  html += "<h2>Files</h2>\n<ul>\n";
  for (const char* file : {"checkpoints/latest.pt", "metrics.jsonl", "config.toml", "progress.gif"}) {
    if (fs::exists(run_dir / file)) html += fmt::format("<li><a href=\"{}\">{}</a></li>\n", url_path(file), file);
  }
  html += "<li>TensorBoard: <code>tensorboard --logdir " + html_escape(run_dir.string()) + "</code></li>\n</ul>\n";
  html += "<h2>Configuration</h2>\n<pre>" + html_escape(run.config_text) + "</pre>\n" + page_end();
  const auto report = run_dir / "report.html";
  io::write_file_atomically(report, html);
  return report;
}

void write_comparison_report(const std::vector<fs::path>& run_dirs, const fs::path& out, const ReportOptions& options) {
  if (run_dirs.empty()) fail("gankit report: name at least one run directory");
  const auto runs = read_runs(run_dirs);
  std::string title = "gankit · ";
  for (size_t i = 0; i < runs.size(); ++i) title += (i ? " vs " : "") + runs[i].name;
  std::string html = page_start(title, false) + "<h1>Runs compared</h1>\n";
  html += final_metrics_table(runs);
  html += comparison_curves(runs, options);
  html += differing_settings(runs);
  html += latest_grids(runs) + page_end();
  io::write_file_atomically(out, html);
}

}  // namespace gankit::report
