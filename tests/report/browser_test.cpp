// report.html as a person sees it: rendered by headless Chromium (Debian's `chromium`, which
// scripts/test.sh installs), every image loaded, the curves and grids on screen.
#include <gtest/gtest.h>

#include <regex>

#include "gankit/io/atomic_file.h"
#include "gankit/io/image.h"
#include "gankit/report/run_report.h"
#include "support/cli.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

namespace gankit::report {
namespace {

namespace fs = std::filesystem;

std::string chromium_path() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    const std::string command = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(command.c_str()) == 0) return name;
  }
  return "";
}

/// Runs headless Chromium on a page with the flags a container needs; returns its stdout.
std::string chromium(const std::string& args, const fs::path& page, const test::TempDir& scratch) {
  const auto out = scratch / "chromium.out";
  const std::string command = chromium_path() +
                              " --headless --no-sandbox --disable-gpu --disable-background-networking"
                              " --no-first-run --hide-scrollbars --user-data-dir='" + (scratch / "profile").string() +
                              "' " + args + " 'file://" + fs::absolute(page).string() + "' >'" + out.string() +
                              "' 2>/dev/null";
  EXPECT_EQ(std::system(("timeout 120 " + command).c_str()), 0) << command;
  return test::slurp(out);
}

/// A copy of the page beside it (same relative links) that reports in its title, once loaded,
/// how many of its images decoded.
fs::path with_image_probe(const fs::path& page) {
  auto html = io::read_file_bytes(page, "report");
  const std::string probe =
      "<script>window.addEventListener('load',()=>{const all=[...document.images];"
      "const ok=all.filter(i=>i.complete&&i.naturalWidth>0);"
      "document.title='images '+ok.length+' of '+all.length;});</script>";
  html.insert(html.rfind("</body>"), probe);
  const auto probed = page.parent_path() / ("probe-" + page.filename().string());
  io::write_file_atomically(probed, html);
  return probed;
}

/// (loaded, total) from the probe's title in a dumped DOM.
std::pair<int, int> loaded_images(const std::string& dom) {
  std::smatch match;
  if (!std::regex_search(dom, match, std::regex(R"(<title>images (\d+) of (\d+)</title>)"))) return {-1, -1};
  return {std::stoi(match[1]), std::stoi(match[2])};
}

/// Pixels within `tolerance` of an RGB colour in a uint8 [3,H,W] screenshot.
int64_t pixels_near(const torch::Tensor& image, int r, int g, int b, int tolerance = 12) {
  const auto rgb = image.to(torch::kInt);
  const auto near = (rgb[0] - r).abs().le(tolerance) & (rgb[1] - g).abs().le(tolerance) &
                    (rgb[2] - b).abs().le(tolerance);
  return near.sum().item<int64_t>();
}

class ReportInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(chromium_path().empty()) << "chromium is not installed: scripts/test.sh installs it "
                                             "(apt-get install chromium)";
  }
};

TEST_F(ReportInBrowser, RunReportRendersWithEveryImage) {
  test::TempDir dir;
  auto config = test::tiny_config(60);
  config.set("train.sample_every=20");
  config.set("train.log_every=10");
  const auto run = dir / "run";
  test::train_quietly(config, run);

  const auto [loaded, total] = loaded_images(chromium("--dump-dom --virtual-time-budget=5000", with_image_probe(run / "report.html"), dir));
  EXPECT_GE(total, 6) << "latest grid, progress GIF and at least four plots";
  EXPECT_EQ(loaded, total) << "an image of report.html did not load";

  chromium("--screenshot='" + (dir / "shot.png").string() + "' --window-size=1300,1800", run / "report.html", dir);
  const auto shot = io::read_image(dir / "shot.png");
  ASSERT_EQ(shot.size(0), 3);
  // The curves: the plots draw the first series in blue (#1f77b4) and the second in orange (#ff7f0e).
  EXPECT_GT(pixels_near(shot, 0x1f, 0x77, 0xb4), 300);
  EXPECT_GT(pixels_near(shot, 0xff, 0x7f, 0x0e), 300);
  // The grid: Fashion-MNIST samples, grey pixels that are neither page white nor black padding.
  const auto grey = shot.to(torch::kInt);
  const auto is_grey = (grey[0] - grey[1]).abs().le(2) & (grey[1] - grey[2]).abs().le(2) & grey[0].gt(40) &
                       grey[0].lt(215);
  EXPECT_GT(is_grey.sum().item<int64_t>(), 2000);
}

TEST_F(ReportInBrowser, ComparisonCarriesItsImages) {
  test::TempDir dir;
  test::train_quietly(test::tiny_config(6), dir / "a");
  test::train_quietly(test::tiny_config(6), dir / "b");
  write_comparison_report({dir / "a", dir / "b"}, dir / "shared" / "compare.html", {});
  // Moved away from the runs, the page still shows everything: its images travel inside it.
  fs::create_directories(dir / "elsewhere");
  fs::rename(dir / "shared" / "compare.html", dir / "elsewhere" / "compare.html");
  const auto [loaded, total] =
      loaded_images(chromium("--dump-dom --virtual-time-budget=5000", with_image_probe(dir / "elsewhere" / "compare.html"), dir));
  EXPECT_GE(total, 6);
  EXPECT_EQ(loaded, total);
}

}  // namespace
}  // namespace gankit::report
