// pytorch-fid's Inception-v3 against PyTorch: tests/data/make_inception_reference.py builds the
// network in Python with random weights, saves them in each .pth format (~95 MB a file, so they are
// made at test time, once, under the system temp folder) and the pool3 features and logits of a few
// images; gankit must load every file and give the same outputs.
#include "gankit/metrics/inception_v3.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "gankit/io/npy.h"
#include "gankit/io/torch_state_dict.h"
#include "support/test_support.h"

namespace gankit::metrics {
namespace {

namespace fs = std::filesystem;
using test::fails_with;

/// The reference folder, or the reason it could not be made.
struct Reference {
  fs::path dir;
  std::string error;
};

/// Runs make_inception_reference.py once per version of the script (its hash names the folder);
/// concurrent test processes wait on a lock for the first one to finish.
const Reference& reference() {
  static const Reference made = [] {
    const fs::path script = fs::path(GANKIT_TEST_DATA_DIR) / "make_inception_reference.py";
    const auto hash = std::hash<std::string>{}(test::slurp(script));
    const fs::path dir = fs::temp_directory_path() / fmt::format("gankit-inception-reference-{:016x}", hash);
    fs::create_directories(dir);
    const int lock = ::open((dir / "lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0)
      return Reference{dir, "cannot lock " + (dir / "lock").string()};
    std::string error;
    if (!fs::exists(dir / "done")) {
      const std::string command = "/usr/bin/python3 '" + script.string() + "' '" + dir.string() + "' 2>&1";
      std::string output;
      if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
        const int status = ::pclose(pipe);
        if (status == 0) {
          test::write_file(dir / "done", output);
        } else {
          const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
          error = fmt::format("{} failed (exit status {}):\n{}", command, code, output);
        }
      } else {
        error = "cannot run " + command;
      }
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
    return Reference{dir, error};
  }();
  return made;
}

/// max |a - b| / max(1, max |b|): absolute where the reference's values stay below 1, relative to
/// its largest magnitude where they do not (here pool3 reaches 2.4 to 13, the logits 5 to 25).
double scaled_difference(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>() / std::max(1.0, b.abs().max().item<double>());
}

void expect_matches_python(const std::string& weights) {
  const auto& ref = reference();
  ASSERT_TRUE(ref.error.empty()) << ref.error;
  auto network = load_fid_inception_v3(ref.dir / weights);
  for (const std::string images : {"a", "b", "gray"}) {
    const auto input = io::read_npy(ref.dir / ("images_" + images + ".npy"));
    const auto out = network->forward(input);
    const auto pool = io::read_npy(ref.dir / ("pool_" + images + ".npy"));
    const auto logits = io::read_npy(ref.dir / ("logits_" + images + ".npy"));
    // Seen (LibTorch 1.13, AVX2): pool <= 3.2e-5, logits <= 1.9e-5: gankit runs channels-last
    // (oneDNN), Python NCHW; the same kernels agree exactly. Either is ~5e-5 from float64.
    EXPECT_LT(scaled_difference(out.pool, pool), 1e-4) << images;
    EXPECT_LT(scaled_difference(out.logits, logits), 1e-4) << images;
    EXPECT_GT(pool.abs().max().item<double>(), 0.1) << "a reference that cannot tell networks apart";
  }
}

TEST(FidInceptionV3, MatchesPytorchFidWithWeightsFromAZipStateDict) {
  expect_matches_python("weights_zip.pth");
}
TEST(FidInceptionV3, MatchesPytorchFidWithWeightsFromALegacyStateDict) {
  expect_matches_python("weights_legacy.pth");
}
TEST(FidInceptionV3, MatchesPytorchFidWithWeightsFromAPlainDict) {
  expect_matches_python("weights_dict.pth");
}

TEST(FidInceptionV3, HasPytorchFidsParameters) {
  FidInceptionV3 network;
  int64_t count = 0;
  for (const auto& p : network->parameters()) count += p.numel();
  EXPECT_EQ(count, 23850960);  // sum(p.numel() for p in fid_inception_v3().parameters())
  EXPECT_EQ(network->named_parameters().size() + network->named_buffers().size(), 566u);  // len(state_dict())
}

/// The network's own state, as a state_dict to load back (optionally without num_batches_tracked).
io::NamedTensors own_state(FidInceptionV3Impl& network, bool with_num_batches_tracked = true) {
  io::NamedTensors state;
  for (const auto& p : network.named_parameters()) state.emplace_back(p.key(), p.value().detach().clone());
  for (const auto& b : network.named_buffers()) {
    if (with_num_batches_tracked || b.key().find("num_batches_tracked") == std::string::npos) {
      state.emplace_back(b.key(), b.value().clone());
    }
  }
  return state;
}

torch::Tensor& entry(io::NamedTensors& state, const std::string& key) {
  for (auto& [k, tensor] : state) {
    if (k == key) return tensor;
  }
  throw std::runtime_error("no key " + key);
}

TEST(FidInceptionV3, LoadsAStateDictWithOrWithoutNumBatchesTracked) {
  FidInceptionV3 source, target;
  auto state = own_state(*source, /*with_num_batches_tracked=*/false);
  entry(state, "Mixed_7c.branch_pool.bn.running_var").fill_(3.0);
  entry(state, "fc.bias").fill_(-1.0);
  load_fid_inception_weights(*target, state, "w.pth");
  auto target_state = own_state(*target);
  EXPECT_TRUE(
      torch::equal(entry(target_state, "Mixed_7c.branch_pool.bn.running_var"), torch::full({192}, 3.0)));
  EXPECT_TRUE(torch::equal(entry(target_state, "fc.bias"), torch::full({1008}, -1.0)));
  EXPECT_TRUE(torch::equal(entry(target_state, "Conv2d_1a_3x3.conv.weight"),
                           entry(state, "Conv2d_1a_3x3.conv.weight")));
}

TEST(FidInceptionV3, NamesTheFirstDifferenceOfAnotherLayout) {
  FidInceptionV3 network;
  const std::string prefix = "w.pth: not pytorch-fid's Inception-v3 weights: ";
  auto missing = own_state(*network);
  missing.erase(std::find_if(missing.begin(), missing.end(),
                             [](const auto& e) { return e.first == "Mixed_7c.branch_pool.conv.weight"; }));
  EXPECT_TRUE(fails_with([&] { load_fid_inception_weights(*network, missing, "w.pth"); },
                         {prefix + "missing Mixed_7c.branch_pool.conv.weight"}));
  auto extra = own_state(*network);
  extra.emplace_back("head.weight", torch::zeros({2}));
  EXPECT_TRUE(fails_with([&] { load_fid_inception_weights(*network, extra, "w.pth"); },
                         {prefix + "unexpected key head.weight"}));
  auto reshaped = own_state(*network);
  entry(reshaped, "Mixed_6b.branch7x7_2.conv.weight") = torch::zeros({128, 128, 7, 1});
  EXPECT_TRUE(fails_with([&] { load_fid_inception_weights(*network, reshaped, "w.pth"); },
                         {prefix + "Mixed_6b.branch7x7_2.conv.weight has shape [128, 128, 7, 1], expected "
                                   "[128, 128, 1, 7]"}));
  // Another network altogether: the first of its many missing keys.
  const auto other = fs::path(GANKIT_TEST_DATA_DIR) / "state_dict" / "module_zip.pth";
  EXPECT_TRUE(fails_with([&] { load_fid_inception_v3(other); },
                         {other.string() + ": not pytorch-fid's Inception-v3 weights: missing "
                                           "Conv2d_1a_3x3.conv.weight (and 471 more keys)"}));
}

TEST(FidInceptionV3, RecognisesTorchvisionsImageNetModel) {
  // torchvision's inception_v3 weights: the same blocks, but 1000 classes and an auxiliary head.
  FidInceptionV3 network;
  auto state = own_state(*network);
  entry(state, "fc.weight") = torch::zeros({1000, 2048});
  entry(state, "fc.bias") = torch::zeros({1000});
  EXPECT_TRUE(fails_with([&] { load_fid_inception_weights(*network, state, "w.pth"); },
                         {"w.pth: not pytorch-fid's Inception-v3 weights: fc.weight has shape [1000, 2048], "
                          "expected [1008, 2048]",
                          "torchvision's ImageNet Inception-v3", "pt_inception-2015-12-05-6726825d.pth"}));
  state.emplace_back("AuxLogits.fc.weight", torch::zeros({1000, 768}));
  EXPECT_TRUE(fails_with([&] { load_fid_inception_weights(*network, state, "w.pth"); },
                         {"unexpected key AuxLogits.fc.weight", "torchvision's ImageNet Inception-v3"}));
}

TEST(FidInceptionV3, RefusesImagesItCannotTake) {
  FidInceptionV3 network;
  EXPECT_TRUE(fails_with(
      [&] {
        network->forward(torch::rand({2, 2, 8, 8}));
      },
      {"[N,3,H,W]", "[2, 2, 8, 8]"}));
  EXPECT_TRUE(fails_with([&] { network->forward(torch::rand({3, 8, 8})); }, {"[3, 8, 8]"}));
  EXPECT_TRUE(fails_with([&] { network->forward(torch::zeros({1, 3, 8, 8}, torch::kByte)); }, {"float"}));
  const auto empty = network->forward(torch::rand({0, 3, 8, 8}));
  EXPECT_EQ(empty.pool.sizes(), (torch::IntArrayRef{0, 2048}));
  EXPECT_EQ(empty.logits.sizes(), (torch::IntArrayRef{0, 1008}));
}

}  // namespace
}  // namespace gankit::metrics
