// Checkpoint files: exact round trips in the checksummed tensor-file format, Python reading them
// without gankit, checkpoints of earlier versions (LibTorch zips) read exactly as LibTorch reads
// them, and every damaged file refused with one line naming it.
#include <gtest/gtest.h>

#include <torch/script.h>

#include <cstdlib>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/checkpoint/non_finite.h"
#include "gankit/io/archive_file.h"
#include "gankit/io/zip_reader.h"
#include "gankit/models/registry.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

namespace gankit::checkpoint {
namespace {

namespace fs = std::filesystem;
using test::fails_with;
using test::same_tensor;

const fs::path kLegacy = fs::path(GANKIT_TEST_DATA_DIR) / "checkpoint/legacy_dcgan_ema.pt";

/// A small model and its Adam optimiser, a few steps in (so the optimiser has state).
class SmallState : public TrainingState {
 public:
  explicit SmallState(int64_t seed) {
    torch::manual_seed(seed);
    model = torch::nn::Sequential(torch::nn::Linear(3, 4), torch::nn::BatchNorm1d(4), torch::nn::Linear(4, 1));
    optimizer = std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(1e-2));
  }
  void train(int steps) {
    for (int i = 0; i < steps; ++i) {
      optimizer->zero_grad();
      model->forward(torch::randn({8, 3})).square().mean().backward();
      optimizer->step();
    }
  }
  void save(torch::serialize::OutputArchive& archive) const override {
    torch::serialize::OutputArchive m, o;
    model->save(m);
    optimizer->save(o);
    archive.write("model", m);
    archive.write("optimizer", o);
  }
  void load(torch::serialize::InputArchive& archive) override {
    torch::serialize::InputArchive m, o;
    archive.read("model", m);
    archive.read("optimizer", o);
    model->load(m);
    optimizer->load(o);
  }
  torch::nn::Sequential model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
};

CheckpointHeader small_header() {
  CheckpointHeader header;
  header.config = test::tiny_config(3);
  header.shape = {1, 16, 10};
  header.step = 3;
  header.batches_seen = 5;
  return header;
}

TEST(CheckpointFile, SaveAndRestoreAreExact) {
  test::TempDir dir;
  SmallState saved(1);
  saved.train(3);
  save_checkpoint(dir / "c.pt", saved, small_header());
  const auto expected_draw = torch::rand({4});  // what the RNG gives right after the save

  SmallState restored(2);
  auto opened = open_checkpoint(dir / "c.pt");
  EXPECT_EQ(opened.header.step, 3);
  EXPECT_EQ(opened.header.batches_seen, 5);
  EXPECT_EQ(opened.header.config.to_toml(), test::tiny_config(3).to_toml());
  restore_training_state(opened, restored);
  EXPECT_TRUE(same_tensor(torch::rand({4}), expected_draw));
  const auto a = saved.model->named_parameters(), b = restored.model->named_parameters();
  for (const auto& p : a) EXPECT_TRUE(same_tensor(p.value(), b[p.key()])) << p.key();
  for (const auto& p : saved.model->named_buffers()) {
    EXPECT_TRUE(same_tensor(p.value(), restored.model->named_buffers()[p.key()])) << p.key();
  }
  const auto params_a = saved.model->parameters(), params_b = restored.model->parameters();
  for (size_t i = 0; i < params_a.size(); ++i) {
    const auto& sa = static_cast<torch::optim::AdamParamState&>(
        *saved.optimizer->state().at(c10::guts::to_string(params_a[i].unsafeGetTensorImpl())));
    const auto& sb = static_cast<torch::optim::AdamParamState&>(
        *restored.optimizer->state().at(c10::guts::to_string(params_b[i].unsafeGetTensorImpl())));
    EXPECT_EQ(sa.step(), sb.step());
    EXPECT_TRUE(same_tensor(sa.exp_avg(), sb.exp_avg()));
    EXPECT_TRUE(same_tensor(sa.exp_avg_sq(), sb.exp_avg_sq()));
  }
  // Both keep training alike.
  torch::manual_seed(9);
  saved.train(2);
  torch::manual_seed(9);
  restored.train(2);
  for (const auto& p : saved.model->named_parameters()) {
    EXPECT_TRUE(same_tensor(p.value(), restored.model->named_parameters()[p.key()])) << p.key();
  }
}

TEST(CheckpointFile, BytesFromAnotherRankOpenLikeTheFile) {
  test::TempDir dir;
  SmallState saved(1);
  save_checkpoint(dir / "c.pt", saved, small_header());
  for (const fs::path& file : {dir / "c.pt", kLegacy}) {
    const auto opened = open_checkpoint_bytes(test::slurp(file), "rank0:" + file.filename().string());
    EXPECT_EQ(opened.header.step, open_checkpoint(file).header.step);
    EXPECT_EQ(opened.name, "rank0:" + file.filename().string());
  }
  auto bytes = test::slurp(dir / "c.pt");
  bytes[bytes.size() / 2] ^= 1;
  EXPECT_TRUE(fails_with([&] { open_checkpoint_bytes(bytes, "rank0:c.pt"); }, {"rank0:c.pt: damaged checkpoint"}));
}

TEST(CheckpointFile, PythonReadsItWithoutGankit) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no numpy";
  test::TempDir dir;
  SmallState saved(1);
  saved.train(1);
  save_checkpoint(dir / "c.pt", saved, small_header());
  test::write_file(dir / "read.py", R"(import json, struct, sys, zlib
import numpy as np
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
at = 8 + len('{"__metadata__":{"crc32":"')
assert int(data[at:at + 8], 16) == zlib.crc32(data[:at] + data[at + 8:])
archive = dict(json.loads(header["__metadata__"]["archive"]))
print(archive["format"]["value"]["str"], archive["step"]["value"]["int"])
info = header["model.0.weight"]
begin, end = info["data_offsets"]
weight = np.frombuffer(data[8 + n + begin:8 + n + end], dtype="<f4").reshape(info["shape"])
print(" ".join("%.9g" % x for x in weight.ravel()))
)");
  const auto out = dir / "out.txt";
  ASSERT_EQ(std::system(("/usr/bin/python3 " + (dir / "read.py").string() + " " + (dir / "c.pt").string() + " > " +
                         out.string())
                            .c_str()),
            0);
  std::string expected = "gankit-checkpoint/1 3\n";
  const auto weight = saved.model->named_parameters()["0.weight"].flatten();
  for (int64_t i = 0; i < weight.numel(); ++i) expected += fmt::format("{}{:.9g}", i ? " " : "", weight[i].item<float>());
  EXPECT_EQ(test::slurp(out), expected + "\n");
}

TEST(CheckpointFile, ADamagedOrTruncatedCheckpointIsOneLineNamingIt) {
  test::TempDir dir;
  SmallState saved(1);
  save_checkpoint(dir / "c.pt", saved, small_header());
  const auto bytes = test::slurp(dir / "c.pt");
  auto flipped = bytes;
  flipped[bytes.size() - 10] ^= 0x20;  // inside the weights
  test::write_file(dir / "flipped.pt", flipped);
  test::write_file(dir / "cut.pt", bytes.substr(0, bytes.size() - 100));
  EXPECT_TRUE(fails_with([&] { open_checkpoint(dir / "flipped.pt"); },
                         {"flipped.pt: damaged checkpoint (checksum mismatch"}));
  EXPECT_TRUE(fails_with([&] { open_checkpoint(dir / "cut.pt"); }, {"cut.pt: damaged checkpoint (", "truncated"}));
}

// A well-formed file whose stored config or header would size the networks beyond any real run
// (model.width = 100000: gigabytes before a tensor is read) is refused by name first.
TEST(CheckpointFile, AStoredConfigOutOfBoundsIsRefusedBeforeAnyNetworkIsBuilt) {
  test::TempDir dir;
  SmallState saved(1);
  auto wide = small_header();
  wide.config.model.width = 100000;
  save_checkpoint(dir / "wide.pt", saved, wide);
  EXPECT_TRUE(fails_with([&] { open_checkpoint(dir / "wide.pt"); },
                         {"wide.pt (stored config): ", "model.width = 100000 is invalid"}));
  auto classes = small_header();
  classes.shape.num_classes = 1000000;
  save_checkpoint(dir / "classes.pt", saved, classes);
  EXPECT_TRUE(fails_with([&] { open_checkpoint(dir / "classes.pt"); },
                         {"classes.pt: not a gankit checkpoint (header num_classes = 1000000, expected 0..1000)"}));
  auto negative = small_header();
  negative.step = -1;
  save_checkpoint(dir / "negative.pt", saved, negative);
  EXPECT_TRUE(fails_with([&] { open_checkpoint(dir / "negative.pt"); }, {"negative.pt: not a gankit checkpoint (header step = -1"}));
}

TEST(CheckpointFile, NonFiniteWeightsAreNeverSaved) {
  test::TempDir dir;
  SmallState saved(1);
  save_checkpoint(dir / "c.pt", saved, small_header());
  const auto before = test::slurp(dir / "c.pt");
  EXPECT_FALSE(first_non_finite(*saved.model).has_value());
  {
    torch::NoGradGuard no_grad;
    saved.model->named_parameters()["2.bias"].fill_(std::numeric_limits<float>::quiet_NaN());
  }
  EXPECT_EQ(first_non_finite(*saved.model), std::optional<std::string>("2.bias"));
  try {
    save_checkpoint(dir / "c.pt", saved, small_header());
    FAIL() << "saved";
  } catch (const NonFiniteWeights& error) {
    EXPECT_EQ(error.tensor(), "model.2.bias");
    EXPECT_NE(std::string(error.what()).find("c.pt: not saved: model.2.bias holds NaN"), std::string::npos);
  }
  EXPECT_EQ(test::slurp(dir / "c.pt"), before);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
}

// ---- checkpoints of earlier versions: LibTorch zip archives ----

/// Checks that `tree` (gankit's reading) holds what LibTorch's jit::load reads from the same file.
void expect_same(const torch::jit::Module& module, const io::ArchiveTree& tree, const std::string& path) {
  const auto type = module.type();
  ASSERT_EQ(type->numAttributes(), tree.entries.size()) << path;
  for (size_t i = 0; i < tree.entries.size(); ++i) {
    const auto& entry = tree.entries[i];
    const std::string where = path + "." + entry.key;
    ASSERT_EQ(type->getAttributeName(i), entry.key) << path;
    const auto& slot = module._ivalue()->getSlot(i);
    if (type->getAttribute(i)->is_module()) {
      ASSERT_EQ(entry.kind, io::ArchiveTree::Kind::kArchive) << where;
      expect_same(torch::jit::Module(slot.toObject()), *entry.archive, where);
    } else if (slot.isTensor()) {
      const auto kind = type->is_parameter(i) ? io::ArchiveTree::Kind::kParameter
                        : type->is_buffer(i)  ? io::ArchiveTree::Kind::kBuffer
                                              : io::ArchiveTree::Kind::kTensor;
      EXPECT_EQ(entry.kind, kind) << where;
      EXPECT_TRUE(same_tensor(entry.tensor, slot.toTensor())) << where;
      EXPECT_EQ(entry.requires_grad, slot.toTensor().requires_grad()) << where;
    } else {
      EXPECT_TRUE(entry.value == slot) << where << ": " << entry.value << " vs " << slot;
    }
  }
}

TEST(LegacyCheckpoint, ReadsExactlyWhatLibTorchReads) {
  // The fixture was written by gankit 0.1.0 before tensor files (see tests/data/checkpoint/README.md).
  expect_same(torch::jit::load(kLegacy.string()), io::read_archive_file(kLegacy), "");
}

TEST(LegacyCheckpoint, OpensAndLoadsTheGeneratorLibTorchLoads) {
  CheckpointHeader header;
  const auto build = [](const CheckpointHeader& h) { return models::make_networks(h.config.model, h.shape).generator; };
  auto ours = load_generator(kLegacy, models::ModelKind::NoiseToImage, "test", {"generator_ema"}, header, build);
  EXPECT_EQ(header.step, 2);
  EXPECT_EQ(header.config.model.width, 8);
  auto reference = build(header);
  torch::serialize::InputArchive file, weights;
  file.load_from(kLegacy.string());  // the trusted fixture, through LibTorch
  ASSERT_TRUE(file.try_read("generator_ema", weights));
  reference->load(weights);
  const auto expected = reference->named_parameters();
  for (const auto& p : ours->named_parameters()) EXPECT_TRUE(same_tensor(p.value(), expected[p.key()])) << p.key();
  const auto buffers = reference->named_buffers();
  for (const auto& b : ours->named_buffers()) EXPECT_TRUE(same_tensor(b.value(), buffers[b.key()])) << b.key();
}

TEST(LegacyCheckpoint, AFlippedBitIsFoundByTheZipCrc) {
  test::TempDir dir;
  auto bytes = test::slurp(kLegacy);
  const io::ZipReader zip(bytes, "legacy");
  const io::ZipEntry* largest = &zip.entries().front();
  for (const auto& entry : zip.entries()) {
    if (entry.size > largest->size) largest = &entry;
  }
  bytes[largest->data_offset + largest->size / 2] ^= 0x01;
  test::write_file(dir / "old.pt", bytes);
  EXPECT_TRUE(fails_with([&] { open_checkpoint(dir / "old.pt"); },
                         {"old.pt: damaged checkpoint (damaged zip entry", "CRC-32 does not match"}));
}

}  // namespace
}  // namespace gankit::checkpoint
