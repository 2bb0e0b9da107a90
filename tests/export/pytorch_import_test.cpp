// gankit import: pytorch-CycleGAN-and-pix2pix's U-Net and pytorch/examples' DCGAN generator, saved
// by PyTorch (tests/support/make_pytorch_generators.py), become checkpoints whose generator gives
// PyTorch's outputs, and that translate and sample accept; other files are refused in one line.
#include <gtest/gtest.h>

#include "gankit/data/transforms.h"
#include "gankit/export/exported_generator.h"
#include "gankit/io/image.h"
#include "gankit/io/npy.h"
#include "support/cli.h"
#include "support/generator_checkpoints.h"
#include "support/pytorch_runtime.h"

namespace gankit::exporter {
namespace {

namespace fs = std::filesystem;

/// Writes PyTorch's generators and their outputs into `dir`.
void make_pytorch_generators(const fs::path& dir) {
  const auto command = "OMP_NUM_THREADS=1 /usr/bin/python3 '" +
                       (test::source_root() / "tests/support/make_pytorch_generators.py").string() + "' '" +
                       dir.string() + "' 2>'" + (dir / "py_err.txt").string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << test::slurp(dir / "py_err.txt");
}

TEST(PytorchImport, Pix2pixUnetGivesPyTorchsImagesAndTranslateAcceptsIt) {
  GANKIT_REQUIRE_PYTORCH();
  test::TempDir dir;
  make_pytorch_generators(dir.path());
  const auto r = test::run_cli("import unet.pth -o unet.pt", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto imported = load_exported_generator(dir / "unet.pt", WeightsChoice::Raw);
  EXPECT_EQ(imported.header.config.model.name, "pix2pix");
  EXPECT_EQ(imported.header.shape.image_size, 32);
  models::UnetGenerator unet(std::dynamic_pointer_cast<models::UnetGeneratorImpl>(imported.module));
  const auto expected = io::read_npy(dir / "unet_out.npy");
  const auto actual = models::translate(unet, io::read_npy(dir / "unet_in.npy"));
  EXPECT_TRUE(test::informative(expected));
  EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-5);
  io::write_png(dir / "in.png", data::from_unit_range(io::read_npy(dir / "unet_in.npy"))[0]);
  const auto t = test::run_cli("translate unet.pt in.png -o out.png", dir.path());
  EXPECT_EQ(t.exit_code, 0) << t.err;
}

TEST(PytorchImport, DcganGeneratorGivesPyTorchsSamplesAndSampleAcceptsIt) {
  GANKIT_REQUIRE_PYTORCH();
  test::TempDir dir;
  make_pytorch_generators(dir.path());
  const auto r = test::run_cli("import dcgan.pth -o dcgan.pt", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto imported = load_exported_generator(dir / "dcgan.pt", WeightsChoice::Ema);
  EXPECT_EQ(imported.header.config.model.name, "dcgan");
  EXPECT_EQ(imported.header.config.model.z_dim, 8);
  EXPECT_EQ(imported.header.shape.image_size, 64);
  auto& generator = dynamic_cast<models::Generator&>(*imported.module);
  torch::NoGradGuard no_grad;
  const auto expected = io::read_npy(dir / "dcgan_out.npy");
  const auto actual = generator.forward(io::read_npy(dir / "dcgan_z.npy"), {});
  EXPECT_TRUE(test::informative(expected));
  EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-5);
  const auto s = test::run_cli("sample dcgan.pt -n 4 -o s.npy", dir.path());
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(test::run_cli("export dcgan.pt -o g.onnx", dir.path()).exit_code, 0);
}

TEST(PytorchImport, RefusesOtherFilesInOneLine) {
  test::TempDir dir;
  const fs::path fixtures = fs::path(GANKIT_TEST_DATA_DIR) / "state_dict";
  fs::copy_file(fixtures / "dtypes_zip.pth", dir / "other.pth");
  test::write_file(dir / "notes.txt", "not a state_dict");
  test::expect_one_line_error(test::run_cli("import other.pth -o g.pt", dir.path()), "not a generator gankit imports");
  test::expect_one_line_error(test::run_cli("import notes.txt -o g.pt", dir.path()), "notes.txt");
  test::expect_one_line_error(test::run_cli("import other.pth -o other.pth", dir.path()), "other.pth");
  EXPECT_FALSE(fs::exists(dir / "g.pt"));
}

}  // namespace
}  // namespace gankit::exporter
