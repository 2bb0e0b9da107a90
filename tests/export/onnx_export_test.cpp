// ONNX export: every generator gankit trains, run in ONNX Runtime (onnxruntime-node) and compared
// with gankit's own forward on the same inputs at batch 1 and 7; metadata, weights choice, opsets,
// a fixed batch, and every error the command promises.
#include <gtest/gtest.h>

#include "gankit/data/transforms.h"
#include "gankit/export/exported_generator.h"
#include "gankit/io/image.h"
#include "gankit/export/onnx_export.h"
#include "support/cli.h"
#include "support/generator_checkpoints.h"
#include "support/onnx_runtime.h"
#include "support/test_support.h"

namespace gankit::exporter {
namespace {

namespace fs = std::filesystem;
using test::GeneratorCase;

std::map<std::string, torch::Tensor> onnx_feeds(const test::GeneratorInputs& inputs) {
  std::map<std::string, torch::Tensor> feeds;
  if (inputs.z.defined()) feeds["z"] = inputs.z;
  if (inputs.labels.defined()) feeds["label"] = inputs.labels;
  if (inputs.images.defined()) feeds["image"] = inputs.images;
  if (inputs.masks.defined()) feeds["mask"] = inputs.masks;
  return feeds;
}

/// max |ONNX Runtime - gankit| for `model` on a batch of `n`.
double max_difference(const fs::path& node_modules, const fs::path& model, const test::SavedGenerators& saved,
                      const std::shared_ptr<torch::nn::Module>& generator, int64_t n, const fs::path& scratch) {
  const auto inputs = test::make_inputs(saved.header, n);
  const auto expected = test::reference_output(generator, saved.header.kind, inputs);
  EXPECT_TRUE(test::informative(expected));
  const auto actual = test::run_in_onnxruntime(node_modules, model, onnx_feeds(inputs), scratch);
  if (!actual.defined()) return INFINITY;
  EXPECT_EQ(actual.sizes(), expected.sizes());
  if (actual.sizes() != expected.sizes()) return INFINITY;
  // In [-1, 1] up to ONNX Runtime's tanh, which may round one ulp past ±1.
  EXPECT_LE(actual.max().item<float>(), 1.0f + 1e-6f);
  EXPECT_GE(actual.min().item<float>(), -1.0f - 1e-6f);
  return (actual - expected).abs().max().item<double>();
}

class OnnxExport : public ::testing::TestWithParam<GeneratorCase> {};

TEST_P(OnnxExport, MatchesGankitInOnnxRuntimeAtBatchOneAndSeven) {
  GANKIT_REQUIRE_ONNXRUNTIME(node_modules);
  test::TempDir dir;
  const test::SavedGenerators saved(GetParam(), false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  const auto generator = load_exported_generator(dir / "g.pt", WeightsChoice::Ema);
  EXPECT_EQ(generator.weights, "generator");
  write_onnx(dir / "g.onnx", generator, {});
  for (const int64_t n : {1, 7}) {
    const double delta = max_difference(*node_modules, dir / "g.onnx", saved, saved.raw, n, dir.path());
    EXPECT_LE(delta, 1e-4) << GetParam().model << " at batch " << n;
    RecordProperty("max_abs_diff_batch_" + std::to_string(n), std::to_string(delta));
    std::cout << "[ onnx ] " << test::case_name(GetParam()) << " batch " << n << " max |delta| " << delta << '\n';
  }
}

INSTANTIATE_TEST_SUITE_P(EveryGenerator, OnnxExport, ::testing::ValuesIn(test::all_generator_cases()),
                         [](const auto& info) { return test::case_name(info.param); });

/// OpenCV's dnn reader on the DCGAN and pix2pix exports: a second runtime that tolerates other things
/// than ONNX Runtime does. pix2pix runs one image at a time there, as `gankit translate` does:
/// OpenCV 4.6's InstanceNormalization gives wrong values for a batch of several images (max |Δ|
/// 0.58 at batch 7, while ONNX Runtime agrees with gankit to 2e-6; opencv/opencv#24377, fixed in
/// later OpenCV), so batches are for ONNX Runtime.
class OnnxInOpenCv : public ::testing::TestWithParam<GeneratorCase> {};

TEST_P(OnnxInOpenCv, MatchesGankit) {
  if (!test::opencv_available()) GTEST_SKIP() << "python3-opencv is not installed (scripts/test.sh installs it)";
  test::TempDir dir;
  const test::SavedGenerators saved(GetParam(), false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  write_onnx(dir / "g.onnx", load_exported_generator(dir / "g.pt", WeightsChoice::Ema), {});
  const bool per_image = saved.header.kind == models::ModelKind::ImageToImage;
  for (const int64_t n : per_image ? std::vector<int64_t>{1} : std::vector<int64_t>{1, 7}) {
    const auto inputs = test::make_inputs(saved.header, n);
    const auto expected = test::reference_output(saved.raw, saved.header.kind, inputs);
    std::string error;
    const auto actual = test::run_in_opencv(dir / "g.onnx", onnx_feeds(inputs), dir.path(), error);
    ASSERT_TRUE(actual.defined()) << "OpenCV dnn failed: " << error;
    ASSERT_EQ(actual.sizes(), expected.sizes());
    const double delta = (actual - expected).abs().max().item<double>();
    EXPECT_LE(delta, 1e-4) << GetParam().model << " at batch " << n;
    std::cout << "[ opencv ] " << test::case_name(GetParam()) << " batch " << n << " max |delta| " << delta << '\n';
  }
}

INSTANTIATE_TEST_SUITE_P(DcganAndPix2pix, OnnxInOpenCv,
                         ::testing::Values(GeneratorCase{"dcgan", 32, 3}, GeneratorCase{"dcgan", 64, 1},
                                           GeneratorCase{"pix2pix", 32, 3}),
                         [](const auto& info) { return test::case_name(info.param); });

std::string metadata(const OnnxSummary& model, const std::string& key) {
  for (const auto& [name, value] : model.metadata) {
    if (name == key) return value;
  }
  return "(missing)";
}

TEST(OnnxExportFile, CarriesMetadataADynamicBatchAxisAndTheLowestOpset) {
  test::TempDir dir;
  const test::SavedGenerators saved({"cgan", 32, 1, 10}, true);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  write_onnx(dir / "g.onnx", load_exported_generator(dir / "g.pt", WeightsChoice::Ema), {});
  const auto model = read_onnx_summary(dir / "g.onnx");
  EXPECT_EQ(model.opset, kMinOnnxOpset);
  EXPECT_EQ(model.ir_version, 4);
  EXPECT_EQ(metadata(model, "gankit.model"), "cgan");
  EXPECT_EQ(metadata(model, "gankit.z_dim"), std::to_string(saved.header.config.model.z_dim));
  EXPECT_EQ(metadata(model, "gankit.classes"), "10");
  EXPECT_EQ(metadata(model, "gankit.image_size"), "32");
  EXPECT_EQ(metadata(model, "gankit.channels"), "1");
  EXPECT_EQ(metadata(model, "gankit.value_range"), "[-1, 1]");
  EXPECT_EQ(metadata(model, "gankit.weights"), "generator_ema");
  EXPECT_EQ(metadata(model, "gankit.version"), GANKIT_VERSION);
  const auto config = metadata(model, "gankit.config");
  EXPECT_NE(config.find("[model]"), std::string::npos) << config;
  EXPECT_NE(config.find("cgan"), std::string::npos) << config;
  ASSERT_EQ(model.inputs.size(), 2u);
  EXPECT_EQ(model.inputs[0].name, "z");
  EXPECT_EQ(model.inputs[0].type, "float32");
  EXPECT_EQ(model.inputs[0].dims, (std::vector<std::string>{"N", std::to_string(saved.header.config.model.z_dim)}));
  EXPECT_EQ(model.inputs[1].name, "label");
  EXPECT_EQ(model.inputs[1].type, "int64");
  EXPECT_EQ(model.inputs[1].dims, (std::vector<std::string>{"N"}));
  ASSERT_EQ(model.outputs.size(), 1u);
  EXPECT_EQ(model.outputs[0].name, "output");
  EXPECT_EQ(model.outputs[0].dims, (std::vector<std::string>{"N", "1", "32", "32"}));
  // Labels pick embedding rows; no Dropout in a use-time graph.
  EXPECT_NE(std::find(model.operators.begin(), model.operators.end(), "Gather"), model.operators.end());
  EXPECT_EQ(std::find(model.operators.begin(), model.operators.end(), "Dropout"), model.operators.end());
}

TEST(OnnxExportFile, WeightsChooseTheAverageOrTheTrainedGenerator) {
  GANKIT_REQUIRE_ONNXRUNTIME(node_modules);
  test::TempDir dir;
  const test::SavedGenerators saved({"dcgan", 32, 1}, true);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  write_onnx(dir / "ema.onnx", load_exported_generator(dir / "g.pt", WeightsChoice::Ema), {});
  write_onnx(dir / "raw.onnx", load_exported_generator(dir / "g.pt", WeightsChoice::Raw), {});
  EXPECT_LE(max_difference(*node_modules, dir / "ema.onnx", saved, saved.average, 3, dir.path()), 1e-4);
  EXPECT_LE(max_difference(*node_modules, dir / "raw.onnx", saved, saved.raw, 3, dir.path()), 1e-4);
  EXPECT_GT(max_difference(*node_modules, dir / "raw.onnx", saved, saved.average, 3, dir.path()), 1e-3);
}

TEST(OnnxExportCli, WritesAFixedBatchAtTheHighestOpsetThatOnnxRuntimeRuns) {
  GANKIT_REQUIRE_ONNXRUNTIME(node_modules);
  test::TempDir dir;
  const test::SavedGenerators saved({"sagan", 32, 3, 0, 16}, false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  const auto r = test::run_cli("export g.pt -o g.onnx --opset " + std::to_string(kMaxOnnxOpset) + " --batch 7",
                               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "g.onnx\n");
  const auto model = read_onnx_summary(dir / "g.onnx");
  EXPECT_EQ(model.opset, kMaxOnnxOpset);
  EXPECT_EQ(model.inputs[0].dims.front(), "7");
  EXPECT_LE(max_difference(*node_modules, dir / "g.onnx", saved, saved.raw, 7, dir.path()), 1e-4);
}

TEST(OnnxExportCli, Pix2pixExportGivesTheImageTranslateWrites) {
  GANKIT_REQUIRE_ONNXRUNTIME(node_modules);
  test::TempDir dir;
  const test::SavedGenerators saved({"pix2pix", 32, 3}, false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  const auto photo = torch::randint(256, {3, 32, 32}, torch::kLong).to(torch::kUInt8);
  io::write_png(dir / "in.png", photo);
  ASSERT_EQ(test::run_cli("export g.pt -o g.onnx", dir.path()).exit_code, 0);
  const auto r = test::run_cli("translate g.pt in.png -o out.png", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto translated = io::read_image(dir / "out.png");
  const auto output = test::run_in_onnxruntime(*node_modules, dir / "g.onnx",
                                               {{"image", data::to_unit_range(photo).unsqueeze(0)}}, dir.path());
  ASSERT_TRUE(output.defined());
  const auto exported = data::from_unit_range(output)[0];
  ASSERT_EQ(exported.sizes(), translated.sizes());
  // The same 8-bit image; a value within 2e-6 of a rounding boundary may land one level apart.
  const auto levels = (exported.to(torch::kInt) - translated.to(torch::kInt)).abs();
  EXPECT_LE(levels.max().item<int>(), 1);
  EXPECT_GE((levels == 0).to(torch::kFloat).mean().item<double>(), 0.999);
  EXPECT_GT(translated.to(torch::kFloat).std().item<double>(), 20.0);  // a real image, not a flat one
}

TEST(OnnxExportCli, EveryErrorIsOneLineAndWritesNothing) {
  test::TempDir dir;
  const test::SavedGenerators saved({"dcgan", 32, 1}, false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  test::write_file(dir / "notes.txt", "not a checkpoint");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.bin", dir.path()), "cannot tell the format");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.onnx --format tflite", dir.path()), "--format");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.onnx --opset 8", dir.path()), "--opset");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.onnx --opset 18", dir.path()), "--opset");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.onnx --batch 0", dir.path()), "--batch");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.onnx --batch many", dir.path()), "--batch");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.onnx --weights best", dir.path()), "--weights");
  test::expect_one_line_error(test::run_cli("export missing.pt -o g.onnx", dir.path()), "missing.pt");
  test::expect_one_line_error(test::run_cli("export notes.txt -o g.onnx", dir.path()), "notes.txt");
  test::expect_one_line_error(test::run_cli("export g.pt -o g.pt --format onnx", dir.path()), "g.pt");
  EXPECT_FALSE(fs::exists(dir / "g.onnx"));
  EXPECT_EQ(test::slurp(dir / "notes.txt"), "not a checkpoint");
}

TEST(OnnxExportCli, InfoSaysWhichOpsetExportsWriteAndDescribesAnExport) {
  test::TempDir dir;
  const test::SavedGenerators saved({"mlp", 16, 1}, false);
  checkpoint::save_checkpoint(dir / "g.pt", saved, saved.header);
  const auto r = test::run_cli("info g.pt", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ONNX opset " + std::to_string(kMinOnnxOpset)), std::string::npos) << r.out;
  // And of an export: its opset, inputs and metadata.
  ASSERT_EQ(test::run_cli("export g.pt -o g.onnx", dir.path()).exit_code, 0);
  const auto onnx = test::run_cli("info g.onnx", dir.path());
  ASSERT_EQ(onnx.exit_code, 0) << onnx.err;
  EXPECT_NE(onnx.out.find("opset " + std::to_string(kMinOnnxOpset)), std::string::npos) << onnx.out;
  EXPECT_NE(onnx.out.find("z float32 [N, 8]"), std::string::npos) << onnx.out;
  EXPECT_NE(onnx.out.find("gankit.model: mlp"), std::string::npos) << onnx.out;
  test::write_file(dir / "fake.onnx", "not a model");
  test::expect_one_line_error(test::run_cli("info fake.onnx", dir.path()), "fake.onnx: not an ONNX model");
  // A valid protobuf that is not a model: one field 7 (ModelProto.graph) holding nothing.
  test::write_file(dir / "empty_graph.onnx", std::string("\x3a\x00", 2));
  test::expect_one_line_error(test::run_cli("info empty_graph.onnx", dir.path()), "empty_graph.onnx: not an ONNX model");
}

}  // namespace
}  // namespace gankit::exporter
