// Which metrics share a chart, and how a chart's curves come out of metrics.jsonl records.
#include <gtest/gtest.h>

#include "gankit/report/metric_charts.h"

namespace gankit::report {
namespace {

using nlohmann::json;

std::vector<json> adversarial_records() {
  return {json{{"step", 10}, {"epoch", 0.1}, {"loss_d", 1.2}, {"loss_g", 0.8}, {"d_real", 0.6}, {"d_fake", 0.4},
               {"gp", 0.05}, {"lr_g", 2e-4}, {"lr_d", 2e-4}, {"images_per_s", 200.0}},
          json{{"step", 20}, {"epoch", 0.2}, {"loss_d", 1.0}, {"loss_g", 0.9}, {"d_real", 0.7}, {"d_fake", 0.3},
               {"gp", 0.04}, {"lr_g", 2e-4}, {"lr_d", 2e-4}, {"images_per_s", 210.0}},
          // a held-out evaluation line, as the inpainting recipe writes it
          json{{"step", 20}, {"hole_psnr", 18.5}, {"mean_fill_hole_psnr", 12.0}, {"ssim", 0.7}, {"held_out", 64}}};
}

const Chart& find_chart(const std::vector<Chart>& charts, const std::string& slug) {
  for (const auto& chart : charts) {
    if (chart.slug == slug) return chart;
  }
  throw std::runtime_error("no chart " + slug);
}

std::vector<std::string> labels(const Chart& chart) {
  std::vector<std::string> out;
  for (const auto& series : chart.series) out.push_back(series.label);
  return out;
}

TEST(MetricCharts, GroupsCurvesAsAReaderExpects) {
  const auto charts = run_charts(adversarial_records());
  std::vector<std::string> slugs;
  for (const auto& chart : charts) slugs.push_back(chart.slug);
  EXPECT_EQ(slugs, (std::vector<std::string>{"losses", "d_outputs", "heldout_psnr", "heldout_ssim",
                                             "loss_components", "throughput", "learning_rate"}));
  EXPECT_EQ(labels(find_chart(charts, "losses")), (std::vector<std::string>{"D loss", "G loss"}));
  EXPECT_EQ(labels(find_chart(charts, "d_outputs")), (std::vector<std::string>{"D(x)", "D(G(z))"}));
  // A model's score and its baseline share the axes; the held-out count is not a metric.
  EXPECT_EQ(labels(find_chart(charts, "heldout_psnr")), (std::vector<std::string>{"hole_psnr", "mean_fill_hole_psnr"}));
  EXPECT_EQ(labels(find_chart(charts, "loss_components")), (std::vector<std::string>{"gradient penalty"}));
}

TEST(MetricCharts, SeriesFollowTheSteps) {
  const auto records = adversarial_records();
  const auto loss_d = metric_series(records, "loss_d", "D");
  EXPECT_EQ(loss_d.x, (std::vector<double>{10, 20}));
  EXPECT_EQ(loss_d.y, (std::vector<double>{1.2, 1.0}));
  const auto psnr = metric_series(records, "hole_psnr", "psnr");
  EXPECT_EQ(psnr.x, (std::vector<double>{20}));
  EXPECT_EQ(metric_series(records, "nothing", "n").x.size(), 0u);
}

TEST(MetricCharts, ComparisonHasOneCurvePerRun) {
  auto other = adversarial_records();
  other.pop_back();
  const auto charts = comparison_charts({{"run-a", adversarial_records()}, {"run-b", other}});
  const auto& loss_g = find_chart(charts, "loss_g");
  EXPECT_EQ(loss_g.title, "G loss");
  EXPECT_EQ(labels(loss_g), (std::vector<std::string>{"run-a", "run-b"}));
  // run-b never evaluated: its curve is empty, not missing, so colours stay with their runs.
  const auto& psnr = find_chart(charts, "hole_psnr");
  EXPECT_EQ(psnr.series.at(1).x.size(), 0u);
}

TEST(MetricCharts, TensorBoardTagsFollowTheCharts) {
  EXPECT_EQ(tensorboard_tag("loss_d"), "losses/loss_d");
  EXPECT_EQ(tensorboard_tag("d_fake"), "discriminator/d_fake");
  EXPECT_EQ(tensorboard_tag("hole_psnr"), "held_out/hole_psnr");
  EXPECT_EQ(tensorboard_tag("loss_g_l1"), "loss_components/loss_g_l1");
  EXPECT_EQ(tensorboard_tag("images_per_s"), "speed/images_per_s");
  EXPECT_EQ(tensorboard_tag("lr_d"), "learning_rate/lr_d");
}

TEST(MetricCharts, IgnoresBookkeepingAndNonNumbers) {
  const std::vector<json> records{json{{"step", 1}, {"epoch", 0.5}, {"note", "text"}, {"held_out", 3}},
                                  json::array(), json{{"step", 2}, {"loss_d", nullptr}}};
  EXPECT_TRUE(metric_names(records).empty());
  EXPECT_TRUE(run_charts(records).empty());
}

}  // namespace
}  // namespace gankit::report
