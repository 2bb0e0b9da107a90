#include "gankit/report/metric_charts.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace gankit::report {

namespace {

using nlohmann::json;

// Chart groups in display order. A metric belongs to the first group that claims it.
enum class Group { Losses, DiscriminatorOutputs, HeldOut, LossComponents, Throughput, Memory, LearningRate };

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

Group group_of(const std::string& name) {
  if (name == "loss_d" || name == "loss_g") return Group::Losses;
  if (name == "d_real" || name == "d_fake") return Group::DiscriminatorOutputs;
  if (starts_with(name, "loss_") || starts_with(name, "class_loss") || name == "gp" || name == "r1") {
    return Group::LossComponents;
  }
  if (name == "images_per_s") return Group::Throughput;
  if (name == "rss_mb") return Group::Memory;
  if (name == "lr_g" || name == "lr_d") return Group::LearningRate;
  return Group::HeldOut;
}

// Held-out metrics are charted by family, so a model's score and its baselines share axes
// (hole_psnr with mean_fill_hole_psnr): the family is a known metric suffix, else the name.
std::string family_of(const std::string& name) {
  static const std::vector<std::string> families{"psnr", "ssim", "l1", "fid", "kid", "is", "precision",
                                                 "recall", "accuracy"};
  for (const auto& family : families) {
    if (name == family) return family;
    const std::string suffix = "_" + family;
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return family;
    }
  }
  return name;
}

std::string family_title(const std::string& family) {
  static const std::map<std::string, std::string> titles{
      {"psnr", "PSNR (dB, held-out)"}, {"ssim", "SSIM (held-out)"}, {"l1", "L1 distance (held-out)"},
      {"fid", "FID"}, {"kid", "KID"}, {"is", "Inception Score"}, {"precision", "Precision"},
      {"recall", "Recall"}, {"accuracy", "Accuracy"}};
  const auto it = titles.find(family);
  return it != titles.end() ? it->second : family;
}

}  // namespace

std::string metric_label(const std::string& name) {
  static const std::map<std::string, std::string> labels{
      {"loss_d", "D loss"},       {"loss_g", "G loss"},     {"d_real", "D(x)"},
      {"d_fake", "D(G(z))"},      {"images_per_s", "images/s"}, {"rss_mb", "resident memory (MiB)"}, {"lr_g", "G learning rate"},
      {"lr_d", "D learning rate"}, {"gp", "gradient penalty"},   {"r1", "R1 penalty"}};
  const auto it = labels.find(name);
  return it != labels.end() ? it->second : name;
}

bool is_metric(const std::string& key, const json& value) {
  return value.is_number() && key != "step" && key != "epoch" && key != "held_out";
}

std::string tensorboard_tag(const std::string& name) {
  switch (group_of(name)) {
    case Group::Losses: return "losses/" + name;
    case Group::DiscriminatorOutputs: return "discriminator/" + name;
    case Group::HeldOut: return "held_out/" + name;
    case Group::LossComponents: return "loss_components/" + name;
    case Group::Throughput: return "speed/" + name;
    case Group::Memory: return "memory/" + name;
    case Group::LearningRate: return "learning_rate/" + name;
  }
  return name;
}

std::vector<std::string> metric_names(const std::vector<json>& records) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& record : records) {
    if (!record.is_object()) continue;
    for (const auto& [key, value] : record.items()) {
      if (is_metric(key, value) && seen.insert(key).second) names.push_back(key);
    }
  }
  // Group order, then the usual order of the well-known curves, then by name (JSON objects
  // come back with sorted keys, so first-seen order carries no meaning).
  static const std::vector<std::string> known{"loss_d", "loss_g", "d_real", "d_fake", "lr_g", "lr_d"};
  const auto rank = [](const std::string& name) {
    const auto it = std::find(known.begin(), known.end(), name);
    return it == known.end() ? known.size() : static_cast<size_t>(it - known.begin());
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return std::make_tuple(group_of(a), rank(a), a) < std::make_tuple(group_of(b), rank(b), b);
  });
  return names;
}

Series metric_series(const std::vector<json>& records, const std::string& name, std::string label) {
  Series series{std::move(label), {}, {}};
  for (const auto& record : records) {
    if (!record.is_object() || !record.contains(name) || !record.contains("step")) continue;
    const auto& value = record[name];
    const auto& step = record["step"];
    if (!value.is_number() || !step.is_number()) continue;
    series.x.push_back(step.get<double>());
    series.y.push_back(value.get<double>());
  }
  return series;
}

std::vector<Chart> run_charts(const std::vector<json>& records) {
  std::vector<Chart> charts;
  std::map<std::string, size_t> family_chart;  // held-out family -> index in charts
  auto chart_for = [&](const std::string& slug, const std::string& title, const std::string& y_label) -> Chart& {
    for (auto& chart : charts) {
      if (chart.slug == slug) return chart;
    }
    charts.push_back({slug, title, y_label, {}});
    return charts.back();
  };
  for (const auto& name : metric_names(records)) {
    auto series = metric_series(records, name, metric_label(name));
    switch (group_of(name)) {
      case Group::Losses:
        chart_for("losses", "G and D losses", "loss").series.push_back(std::move(series));
        break;
      case Group::DiscriminatorOutputs:
        chart_for("d_outputs", "Discriminator on real and generated images", "mean D output")
            .series.push_back(std::move(series));
        break;
      case Group::HeldOut: {
        const auto family = family_of(name);
        chart_for("heldout_" + family, family_title(family), family).series.push_back(std::move(series));
        break;
      }
      case Group::LossComponents:
        chart_for("loss_components", "Loss components", "loss").series.push_back(std::move(series));
        break;
      case Group::Throughput:
        chart_for("throughput", "Training throughput", "images/s").series.push_back(std::move(series));
        break;
      case Group::Memory:
        chart_for("memory", "Resident memory", "MiB").series.push_back(std::move(series));
        break;
      case Group::LearningRate:
        chart_for("learning_rate", "Learning rates", "learning rate").series.push_back(std::move(series));
        break;
    }
  }
  return charts;
}

std::vector<Chart> comparison_charts(const std::vector<std::pair<std::string, std::vector<json>>>& runs) {
  std::vector<json> all;
  for (const auto& run : runs) all.insert(all.end(), run.second.begin(), run.second.end());
  std::vector<Chart> charts;
  for (const auto& name : metric_names(all)) {
    Chart chart{name, metric_label(name), metric_label(name), {}};
    for (const auto& [run_name, records] : runs) chart.series.push_back(metric_series(records, name, run_name));
    charts.push_back(std::move(chart));
  }
  return charts;
}

}  // namespace gankit::report
