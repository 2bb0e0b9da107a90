// Which curves go together: metrics.jsonl records grouped into the charts a report shows.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "gankit/report/plot.h"

namespace gankit::report {

/// One chart: its file stem (plots/<slug>.png), title, y-axis label and curves.
struct Chart {
  std::string slug, title, y_label;
  std::vector<Series> series;
};

/// A metric's name as a legend shows it: loss_d -> "D loss", d_fake -> "D(G(z))"; others as they are.
std::string metric_label(const std::string& name);

/// Whether a metrics.jsonl entry is a metric: a number, and not bookkeeping (step, epoch, the
/// held-out count).
bool is_metric(const std::string& key, const nlohmann::json& value);

/// A metric's TensorBoard tag: its chart group, a slash, its name ("losses/loss_d",
/// "held_out/hole_psnr"), so TensorBoard groups the curves as the report does.
std::string tensorboard_tag(const std::string& name);

/// Every numeric metric in the records, in chart order (losses, D outputs, held-out metrics,
/// loss components, throughput, learning rates); step, epoch and counts are not metrics.
std::vector<std::string> metric_names(const std::vector<nlohmann::json>& records);

/// The values of one metric against step, from the records that have it.
Series metric_series(const std::vector<nlohmann::json>& records, const std::string& name, std::string label);

/// One run's charts: G and D losses; D(x) and D(G(z)); each held-out metric family (psnr, l1,
/// fid, ... with their baselines); the other loss components; throughput; learning rates.
std::vector<Chart> run_charts(const std::vector<nlohmann::json>& records);

/// Several runs compared: one chart per metric, one curve per run (named by the first of each pair).
std::vector<Chart> comparison_charts(const std::vector<std::pair<std::string, std::vector<nlohmann::json>>>& runs);

}  // namespace gankit::report
