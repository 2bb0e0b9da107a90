// TorchScript export: every generator, built in C++ as a torch::jit::Module, loads in Python with
// torch.jit.load and gives gankit's output on the same inputs at batch 1 and 7.
#include <gtest/gtest.h>

#include <torch/script.h>

#include <tuple>

#include "gankit/export/exported_generator.h"
#include "gankit/export/torchscript_export.h"
#include "support/cli.h"
#include "support/generator_checkpoints.h"
#include "support/pytorch_runtime.h"

namespace gankit::exporter {
namespace {

namespace fs = std::filesystem;
using test::GeneratorCase;

class TorchScriptExport : public ::testing::TestWithParam<GeneratorCase> {};

TEST_P(TorchScriptExport, LoadsInPythonAndMatchesGankit) {
  GANKIT_REQUIRE_PYTORCH();
  test::TempDir dir;
  const test::SavedGenerators saved(GetParam(), false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  write_torchscript(dir / "G.pt", load_exported_generator(dir / "g.pt", WeightsChoice::Ema));
  test::expect_pytorch_matches_gankit("torchscript", dir / "G.pt", saved, GetParam(), dir.path());
}

INSTANTIATE_TEST_SUITE_P(EveryGenerator, TorchScriptExport, ::testing::ValuesIn(test::all_generator_cases()),
                         [](const auto& info) { return test::case_name(info.param); });

TEST(TorchScriptExportCli, WritesTheFileTheExtensionNamesAndNeverTheCheckpoint) {
  test::TempDir dir;
  const test::SavedGenerators saved({"cgan", 32, 1, 10}, true);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  const auto before = test::slurp(dir / "g.pt");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.pt", dir.path()), "g.pt");
  EXPECT_EQ(test::slurp(dir / "g.pt"), before);
  const auto r = test::run_cli("export g.pt -o G.pt --weights raw", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("TorchScript"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir / "G.pt"));
  // LibTorch loads it too, with gankit's metadata beside it, and it draws the raw generator's images.
  torch::jit::ExtraFilesMap extra{{"gankit.json", ""}};
  auto module = torch::jit::load((dir / "G.pt").string(), torch::kCPU, extra);
  EXPECT_NE(extra["gankit.json"].find("\"gankit.weights\": \"generator\""), std::string::npos) << extra["gankit.json"];
  const auto inputs = test::make_inputs(saved.header, 3);
  torch::NoGradGuard no_grad;
  const auto images = module.forward({inputs.z, inputs.labels}).toTensor();
  EXPECT_LE((images - test::reference_output(saved.raw, saved.header.kind, inputs)).abs().max().item<double>(), 1e-5);
  // The forward takes z and labels: the source says so.
  const auto source = torchscript_source(load_exported_generator(dir / "g.pt", WeightsChoice::Raw));
  EXPECT_NE(source.find("def forward(self, z: Tensor, label: Tensor)"), std::string::npos) << source;
}

}  // namespace
}  // namespace gankit::exporter
