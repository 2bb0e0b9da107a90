// safetensors export: every generator's weights load into python/gankit_models.py's PyTorch
// definition (header and tensors parsed with json + numpy) and give gankit's output on the same
// inputs; names and metadata as promised.
#include <gtest/gtest.h>

#include <tuple>

#include "gankit/export/exported_generator.h"
#include "gankit/export/safetensors_export.h"
#include "gankit/io/atomic_file.h"
#include "gankit/io/tensor_file.h"
#include "support/cli.h"
#include "support/generator_checkpoints.h"
#include "support/pytorch_runtime.h"

namespace gankit::exporter {
namespace {

namespace fs = std::filesystem;
using test::GeneratorCase;

class SafetensorsExport : public ::testing::TestWithParam<GeneratorCase> {};

TEST_P(SafetensorsExport, LoadsIntoThePyTorchDefinitionAndMatchesGankit) {
  GANKIT_REQUIRE_PYTORCH();
  test::TempDir dir;
  const test::SavedGenerators saved(GetParam(), false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  write_safetensors(dir / "g.safetensors", load_exported_generator(dir / "g.pt", WeightsChoice::Ema));
  test::expect_pytorch_matches_gankit("safetensors", dir / "g.safetensors", saved, GetParam(), dir.path());
}

INSTANTIATE_TEST_SUITE_P(EveryGenerator, SafetensorsExport, ::testing::ValuesIn(test::all_generator_cases()),
                         [](const auto& info) { return test::case_name(info.param); });

io::TensorFile read_back(const fs::path& path) {
  return io::decode_tensor_file(std::make_shared<const std::string>(io::read_file_bytes(path, "test")), path.string());
}

TEST(SafetensorsExportFile, FoldsSpectralNormAndDescribesTheArchitecture) {
  test::TempDir dir;
  const test::SavedGenerators saved({"sagan", 32, 3, 0, 16}, false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  const auto r = test::run_cli("export g.pt -o g.safetensors", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto file = read_back(dir / "g.safetensors");
  std::map<std::string, torch::Tensor> tensors(file.tensors.begin(), file.tensors.end());
  // body.0 is spectrally normalised in gankit (layer.weight, u, v); the file holds weight / σ.
  ASSERT_EQ(tensors.count("body.0.weight"), 1u);
  EXPECT_EQ(tensors.count("body.0.u"), 0u);
  EXPECT_EQ(tensors.count("body.0.layer.weight"), 0u);
  EXPECT_EQ(tensors.count("body.1.running_var"), 1u);
  EXPECT_EQ(tensors.count("body.1.num_batches_tracked"), 1u);
  auto& first = *saved.raw->named_children()["body"]->named_children()["0"];
  const auto raw_weight = first.named_parameters()["layer.weight"];
  const auto u = first.named_buffers()["u"], v = first.named_buffers()["v"];
  const auto sigma = torch::dot(u, torch::mv(raw_weight.movedim(1, 0).reshape({u.size(0), -1}), v));
  EXPECT_TRUE(torch::allclose(tensors["body.0.weight"], raw_weight / sigma, 1e-6, 1e-7));
  std::map<std::string, std::string> metadata(file.metadata.begin(), file.metadata.end());
  EXPECT_EQ(metadata["gankit.model"], "sagan");
  EXPECT_EQ(metadata["gankit.width"], "16");
  EXPECT_EQ(metadata["gankit.attention_size"], "16");
  EXPECT_EQ(metadata["gankit.value_range"], "[-1, 1]");
}

TEST(SafetensorsExportCli, RefusesOnnxOnlyOptionsAndAnExistingModelFile) {
  test::TempDir dir;
  const test::SavedGenerators saved({"dcgan", 32, 1}, false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  test::expect_one_line_error(test::run_cli("export g.pt -o g.safetensors --opset 13", dir.path()), "ONNX");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.safetensors --batch 4", dir.path()), "ONNX");
  test::write_file(dir / "old.safetensors", "whatever");
  test::expect_one_line_error(test::run_cli("export g.pt -o old.safetensors", dir.path()), "old.safetensors");
  EXPECT_EQ(test::slurp(dir / "old.safetensors"), "whatever");
  EXPECT_FALSE(fs::exists(dir / "g.safetensors"));
}

}  // namespace
}  // namespace gankit::exporter
