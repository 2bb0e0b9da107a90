// What a training run leaves for people to look at: report.html, PNG plots, the progress GIF and
// TensorBoard events, kept in step with metrics.jsonl, including across a resume.
#include <gtest/gtest.h>

#include "gankit/io/atomic_file.h"
#include "gankit/io/image.h"
#include "gankit/report/metrics_log.h"
#include "gankit/report/run_report.h"
#include "gankit/report/tensorboard.h"
#include "support/gif.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

namespace gankit::report {
namespace {

namespace fs = std::filesystem;

/// The acceptance run in miniature: 60 steps, a grid every 20.
config::Config sixty_step_config() {
  auto config = test::tiny_config(60);
  config.set("train.sample_every=20");
  config.set("train.log_every=10");
  config.set("train.checkpoint_every=20");
  return config;
}

std::vector<fs::path> event_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(RunReport, SixtyStepRunLeavesReportPlotsGifAndEvents) {
  test::TempDir dir;
  const auto result = test::train_quietly(sixty_step_config(), dir / "run");
  const auto run = dir / "run";
  EXPECT_EQ(result.report, run / "report.html");

  const auto html = io::read_file_bytes(run / "report.html", "report");
  for (const char* part : {"finished", "plots/losses.png", "plots/d_outputs.png", "progress.gif",
                           "samples/step_000060.png", "name = &#39;dcgan&#39;", "D loss", "<table>"}) {
    EXPECT_NE(html.find(part), std::string::npos) << "report.html lacks " << part;
  }
  EXPECT_EQ(html.find("http-equiv=\"refresh\""), std::string::npos) << "a finished run's page need not reload";

  for (const char* plot : {"losses", "d_outputs", "throughput", "memory", "learning_rate"}) {
    const auto image = io::read_image(run / "plots" / (std::string(plot) + ".png"));
    EXPECT_EQ(image.size(2), 640) << plot;
    EXPECT_EQ(image.size(1), 400) << plot;
  }
  EXPECT_EQ(test::gif_frame_count(run / "progress.gif"), 3);  // grids at 20, 40, 60

  const auto files = event_files(run);
  ASSERT_EQ(files.size(), 1u);
  const auto events = read_events(files[0]);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  std::vector<std::pair<int64_t, double>> loss_d;
  std::vector<int64_t> image_steps;
  for (const auto& event : events) {
    if (event.tag == "losses/loss_d" && event.scalar) loss_d.emplace_back(event.step, *event.scalar);
    if (event.tag == "samples" && !event.image_png.empty()) {
      image_steps.push_back(event.step);
      EXPECT_EQ(event.image_png, io::read_file_bytes(run / "samples" / fmt::format("step_{:06}.png", event.step), "grid"));
      EXPECT_EQ(event.image_channels, 1);
    }
  }
  EXPECT_EQ(image_steps, (std::vector<int64_t>{20, 40, 60}));
  // Every logged loss_d is in TensorBoard at its step, with its value (as a float).
  const auto records = MetricsLog::read(run / "metrics.jsonl");
  std::vector<std::pair<int64_t, double>> logged;
  for (const auto& record : records) {
    if (record.contains("loss_d")) logged.emplace_back(record["step"].get<int64_t>(), record["loss_d"].get<double>());
  }
  // Every log line carries the process's resident memory, the basis of plots/memory.png.
  for (const auto& record : records) {
    if (record.contains("loss_d")) EXPECT_GT(record.value("rss_mb", 0.0), 10.0);
  }
  ASSERT_EQ(loss_d.size(), logged.size());
  ASSERT_EQ(logged.size(), 6u);
  for (size_t i = 0; i < logged.size(); ++i) {
    EXPECT_EQ(loss_d[i].first, logged[i].first);
    EXPECT_NEAR(loss_d[i].second, logged[i].second, 1e-6 * std::abs(logged[i].second) + 1e-7);
  }
}

TEST(RunReport, ResumedRunTellsTensorBoardWhereItResumed) {
  test::TempDir dir;
  auto first = sixty_step_config();
  first.set("train.steps=40");
  test::train_quietly(first, dir / "run");
  test::train_quietly(sixty_step_config(), dir / "run", /*resume=*/true);

  const auto files = event_files(dir / "run");
  ASSERT_EQ(files.size(), 2u);
  const auto resumed = read_events(files[1]);
  bool started = false;
  for (const auto& event : resumed) {
    if (event.session_start) {
      started = true;
      EXPECT_EQ(event.step, 40);
    }
    if (event.scalar) EXPECT_GT(event.step, 40) << "the resumed file repeats no step";
  }
  EXPECT_TRUE(started);
  EXPECT_EQ(test::gif_frame_count(dir / "run" / "progress.gif"), 3);
}

TEST(RunReport, TensorBoardCanBeTurnedOff) {
  test::TempDir dir;
  auto config = test::tiny_config(4);
  config.set("report.tensorboard=false");
  test::train_quietly(config, dir / "run");
  EXPECT_TRUE(event_files(dir / "run").empty());
  EXPECT_TRUE(fs::exists(dir / "run" / "report.html"));
}

TEST(RunReport, ComparisonShowsRunsSideBySide) {
  test::TempDir dir;
  auto a = test::tiny_config(6), b = test::tiny_config(6);
  b.set("train.lr_g=0.001");
  test::train_quietly(a, dir / "a" / "baseline");
  test::train_quietly(b, dir / "b" / "fast-g");
  write_comparison_report({dir / "a" / "baseline", dir / "b" / "fast-g"}, dir / "compare.html", {});
  const auto html = io::read_file_bytes(dir / "compare.html", "report");
  for (const char* part : {"baseline", "fast-g", "train.lr_g", "0.001", "Final metrics", "data:image/png;base64,"}) {
    EXPECT_NE(html.find(part), std::string::npos) << "compare.html lacks " << part;
  }
  // Keys the runs share are not listed as differences.
  EXPECT_EQ(html.find("<td>train.batch_size</td>"), std::string::npos);

  // Two runs with the same folder name are told apart by path.
  fs::copy(dir / "a" / "baseline", dir / "b" / "baseline", fs::copy_options::recursive);
  write_comparison_report({dir / "a" / "baseline", dir / "b" / "baseline"}, dir / "same.html", {});
  const auto same = io::read_file_bytes(dir / "same.html", "report");
  EXPECT_NE(same.find((dir / "b" / "baseline").string()), std::string::npos);
}

TEST(RunReport, RefusesAFolderThatIsNotARun) {
  test::TempDir dir;
  EXPECT_TRUE(test::fails_with([&] { refresh_run_report(dir.path(), {}); },
                               {dir.path().string(), "not a gankit run", "metrics.jsonl"}));
  EXPECT_TRUE(test::fails_with([&] { write_comparison_report({dir.path()}, dir / "x.html", {}); },
                               {"not a gankit run"}));
  EXPECT_FALSE(fs::exists(dir / "x.html"));
}

TEST(RunReport, ReRendersAnExistingRun) {
  test::TempDir dir;
  test::train_quietly(test::tiny_config(6), dir / "run");
  fs::remove_all(dir / "run" / "plots");
  fs::remove(dir / "run" / "report.html");
  ReportOptions options;
  options.smoothing = 0;
  EXPECT_EQ(refresh_run_report(dir / "run", options), dir / "run" / "report.html");
  EXPECT_TRUE(fs::exists(dir / "run" / "plots" / "losses.png"));
  EXPECT_NE(io::read_file_bytes(dir / "run" / "report.html", "report").find("last logged step 6"), std::string::npos);
}

}  // namespace
}  // namespace gankit::report
