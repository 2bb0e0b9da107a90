// `gankit sample --interpolate` and `gankit report` as a user runs them.
#include <gtest/gtest.h>

#include "gankit/io/atomic_file.h"
#include "gankit/io/image.h"
#include "support/cli.h"
#include "support/gif.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::count_lines;
using gankit::test::expect_one_line_error;
using gankit::test::run_cli;

class CliInterpolateAndReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new gankit::test::TempDir();
    auto r = run_cli("train dcgan-fashion-mnist --out run" + gankit::test::tiny_set_args(4), dir_->path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_cli("train dcgan-fashion-mnist --out cgan --set model.name=cgan" + gankit::test::tiny_set_args(2),
                dir_->path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static gankit::test::CliResult cli(const std::string& args) { return run_cli(args, dir_->path()); }
  static fs::path path(const std::string& name) { return dir_->path() / name; }
  static gankit::test::TempDir* dir_;
};
gankit::test::TempDir* CliInterpolateAndReport::dir_ = nullptr;


TEST_F(CliInterpolateAndReport, InterpolationWritesGridAndGif) {
  const auto r = cli("sample run/checkpoints/latest.pt --interpolate 5 -n 3 -o walk.png");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "walk.png\nwalk.gif\n");
  // 3 paths of 5 images of 16x16, 2 px apart: a 3x5 grid.
  const auto grid = gankit::io::read_image(path("walk.png"));
  EXPECT_EQ(grid.sizes(), (std::vector<int64_t>{1, 3 * 18 + 2, 5 * 18 + 2}));
  EXPECT_EQ(gankit::test::gif_frame_count(path("walk.gif")), 8);  // there (5) and back (3)
  // Each row starts and ends on different noise: its first and last images differ.
  const auto first = grid.narrow(1, 2, 16).narrow(2, 2, 16), last = grid.narrow(1, 2, 16).narrow(2, 2 + 4 * 18, 16);
  EXPECT_FALSE(torch::equal(first, last));

  ASSERT_EQ(cli("sample run/checkpoints/latest.pt --interpolate 5 -n 3 -o line.gif --lerp").exit_code, 0);
  EXPECT_TRUE(fs::exists(path("line.png")));
  // Same ends, another path between them.
  const auto line = gankit::io::read_image(path("line.png"));
  EXPECT_TRUE(torch::equal(line.narrow(2, 0, 20), grid.narrow(2, 0, 20)));
  EXPECT_FALSE(torch::equal(line, grid));
}

TEST_F(CliInterpolateAndReport, ConditionalInterpolationHasARowPerClass) {
  ASSERT_EQ(cli("sample cgan/checkpoints/latest.pt --interpolate 4 -o classes.png").exit_code, 0);
  EXPECT_EQ(gankit::io::read_image(path("classes.png")).size(1), 10 * 18 + 2);
  ASSERT_EQ(cli("sample cgan/checkpoints/latest.pt --interpolate 4 -n 2 --class 7 -o seven.png").exit_code, 0);
  EXPECT_EQ(gankit::io::read_image(path("seven.png")).size(1), 2 * 18 + 2);
}

TEST_F(CliInterpolateAndReport, InterpolationErrors) {
  expect_one_line_error(cli("sample run/checkpoints/latest.pt --interpolate 5 -o walk.npy"), "OUT.png and OUT.gif");
  expect_one_line_error(cli("sample run/checkpoints/latest.pt --interpolate 1 -o walk.png"), "--interpolate");
  expect_one_line_error(cli("sample run/checkpoints/latest.pt --interpolate 5 --truncation 1 -o w.png"),
                        "--truncation does not apply");
  expect_one_line_error(cli("sample run/checkpoints/latest.pt --interpolate 5 --class 3 -o w.png"),
                        "needs a conditional model");
  expect_one_line_error(cli("sample run/checkpoints/latest.pt -o w.png"), "give -n N");
  EXPECT_FALSE(fs::exists(path("w.png")));
}

TEST_F(CliInterpolateAndReport, ReportReRendersARun) {
  fs::remove(path("run/report.html"));
  const auto r = cli("report run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "run/report.html\n");
  EXPECT_TRUE(fs::exists(path("run/report.html")));
  EXPECT_TRUE(fs::exists(path("run/plots/losses.png")));
}

TEST_F(CliInterpolateAndReport, ReportComparesRuns) {
  const auto r = cli("report run cgan -o out/compare.html --smoothing 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto html = gankit::io::read_file_bytes(path("out/compare.html"), "report");
  EXPECT_NE(html.find("model.name"), std::string::npos);  // dcgan vs cgan
  EXPECT_NE(html.find("<td>cgan</td>"), std::string::npos);
}

TEST_F(CliInterpolateAndReport, ReportErrors) {
  expect_one_line_error(cli("report run cgan"), "-o FILE.html");
  expect_one_line_error(cli("report nowhere"), "nowhere: not a gankit run");
  expect_one_line_error(cli("report run --smoothing 1.5"), "--smoothing");
}

}  // namespace
