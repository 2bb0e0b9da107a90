// The .pth state_dict reader against files torch.save wrote (tests/data/make_state_dict_fixtures.py;
// their values follow formulas computed again here), hand-made legacy files for the error paths,
// and every truncation and single-byte corruption of the fixtures.
#include "gankit/io/torch_state_dict.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace gankit::io {
namespace {

namespace fs = std::filesystem;
using test::fails_with;
using test::same_tensor;
using namespace std::string_literals;  // "..."s keeps the NUL bytes of pickles

const fs::path kFixtures = fs::path(GANKIT_TEST_DATA_DIR) / "state_dict";

fs::path fixture(const std::string& name) { return kFixtures / (name + ".pth"); }

std::vector<std::string> keys_of(const NamedTensors& state) {
  std::vector<std::string> keys;
  for (const auto& [key, tensor] : state) keys.push_back(key);
  return keys;
}

const torch::Tensor& at(const NamedTensors& state, const std::string& key) {
  for (const auto& [k, tensor] : state) {
    if (k == key) return tensor;
  }
  throw std::runtime_error("no key " + key);
}

TEST(ReadStateDict, ReadsAModulesStateDictInFileOrder) {
  for (const std::string format : {"zip", "legacy"}) {
    SCOPED_TRACE(format);
    const auto state = read_state_dict(fixture("module_" + format));
    EXPECT_EQ(keys_of(state),
              (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                        "1.running_var", "1.num_batches_tracked"}));
    EXPECT_TRUE(same_tensor(at(state, "0.weight"), torch::arange(18, torch::kFloat).view({2, 1, 3, 3}) / 10));
    EXPECT_TRUE(same_tensor(at(state, "0.bias"), torch::tensor({0.5f, -0.5f})));
    EXPECT_TRUE(same_tensor(at(state, "1.weight"), torch::tensor({1.5f, 2.5f})));
    EXPECT_TRUE(same_tensor(at(state, "1.bias"), torch::tensor({-1.0f, 1.0f})));
    EXPECT_TRUE(same_tensor(at(state, "1.running_mean"), torch::tensor({0.25f, 0.75f})));
    EXPECT_TRUE(same_tensor(at(state, "1.running_var"), torch::tensor({2.0f, 3.0f})));
    EXPECT_TRUE(same_tensor(at(state, "1.num_batches_tracked"), torch::tensor(7, torch::kLong)));
  }
}

TEST(ReadStateDict, KeepsEachTensorsDtype) {
  // protocol4_zip: the same dict pickled with protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, ...).
  for (const std::string name : {"dtypes_zip", "dtypes_legacy", "protocol4_zip"}) {
    SCOPED_TRACE(name);
    const auto state = read_state_dict(fixture(name));
    EXPECT_EQ(keys_of(state), (std::vector<std::string>{"f32", "f64", "f16", "bf16", "i64", "i32", "u8",
                                                        "bool", "scalar", "empty"}));
    EXPECT_TRUE(same_tensor(at(state, "f32"), torch::arange(6, torch::kFloat).view({2, 3}) * 0.5 - 1));
    EXPECT_TRUE(same_tensor(at(state, "f64"), torch::arange(4, torch::kDouble) / 3));  // all 53 bits
    EXPECT_TRUE(same_tensor(at(state, "f16"), torch::arange(5, torch::kHalf) * 0.25));
    EXPECT_TRUE(same_tensor(at(state, "bf16"), torch::arange(3, torch::kBFloat16) + 0.5));
    EXPECT_TRUE(same_tensor(at(state, "i64"), torch::tensor({int64_t{-3}, int64_t{0}, int64_t{1} << 40})));
    EXPECT_TRUE(same_tensor(at(state, "i32"), torch::tensor({-7, 7}, torch::kInt)));
    EXPECT_TRUE(same_tensor(at(state, "u8"), torch::tensor({0, 255}, torch::kByte)));
    EXPECT_TRUE(same_tensor(at(state, "bool"), torch::tensor({true, false, true})));
    EXPECT_TRUE(same_tensor(at(state, "scalar"), torch::tensor(2.5f)));  // 0-dim
    EXPECT_TRUE(same_tensor(at(state, "empty"), torch::zeros({0, 4})));
  }
}

TEST(ReadStateDict, RebuildsViewsAsContiguousCopies) {
  // Four views of one storage (transposed, at an offset, strided) and a stride-0 expansion.
  const auto base = torch::arange(24, torch::kFloat).view({4, 6});
  for (const std::string format : {"zip", "legacy"}) {
    SCOPED_TRACE(format);
    auto state = read_state_dict(fixture("views_" + format));
    EXPECT_EQ(keys_of(state), (std::vector<std::string>{"transposed", "row", "columns", "base", "expanded"}));
    EXPECT_TRUE(same_tensor(at(state, "transposed"), base.t().contiguous()));
    EXPECT_TRUE(same_tensor(at(state, "row"), base[2]));
    EXPECT_TRUE(same_tensor(at(state, "columns"), base.slice(1, 1, 6, 2).contiguous()));
    EXPECT_TRUE(same_tensor(at(state, "base"), base));
    EXPECT_TRUE(
        same_tensor(at(state, "expanded"), torch::arange(3, torch::kFloat).view({3, 1}).expand({3, 4})));
    for (const auto& [key, tensor] : state) EXPECT_TRUE(tensor.is_contiguous()) << key;
    // Each tensor owns its memory: writing one leaves the others alone.
    at(state, "base").fill_(-1);
    EXPECT_TRUE(same_tensor(at(state, "row"), base[2]));
  }
}

TEST(ReadStateDict, ReadsAPlainDictInInsertionOrder) {
  for (const std::string format : {"zip", "legacy"}) {
    SCOPED_TRACE(format);
    const auto state = read_state_dict(fixture("plain_dict_" + format));
    EXPECT_EQ(keys_of(state), (std::vector<std::string>{"zeta", "alpha"}));
    EXPECT_TRUE(same_tensor(at(state, "alpha"), torch::tensor({2.0f, 3.0f})));
  }
}

TEST(ReadStateDict, ReadsAnEmptyStateDict) {
  for (const std::string format : {"zip", "legacy"}) {
    EXPECT_TRUE(read_state_dict(fixture("empty_" + format)).empty()) << format;
  }
}

TEST(ReadStateDict, ReadsALittleEndianByteorderRecord) {
  EXPECT_EQ(read_state_dict(fixture("little_endian_zip")).size(), 7u);
}

TEST(ReadStateDict, RefusesWhatIsNotAStateDict) {
  for (const std::string format : {"zip", "legacy"}) {
    const auto path = fixture("whole_module_" + format).string();
    EXPECT_TRUE(fails_with(
        [&] { read_state_dict(path); },
        {path + ": not a state_dict (holds a torch.nn.modules.linear.Linear object", "state_dict()"}))
        << format;
  }
  EXPECT_TRUE(fails_with([] { read_state_dict(fixture("list_zip")); }, {"not a state_dict (holds a list)"}));
  EXPECT_TRUE(fails_with([] { read_state_dict(fixture("checkpoint_zip")); },
                         {"not a state_dict (key 'model' holds an OrderedDict, not a tensor)"}));
  EXPECT_TRUE(
      fails_with([] { read_state_dict(fixture("plain_pickle")); }, {"not a .pth file", "magic number"}));
  EXPECT_TRUE(fails_with([] { read_state_dict(fixture("torchscript")); }, {"TorchScript archive"}));
}

TEST(ReadStateDict, RefusesBrokenArchives) {
  const auto missing = fixture("missing_storage_zip").string();
  EXPECT_TRUE(fails_with([&] { read_state_dict(missing); }, {missing + ": storage data/1 is missing"}));
  EXPECT_TRUE(fails_with([] { read_state_dict(fixture("big_endian_zip")); }, {"big-endian"}));
}

TEST(ReadStateDict, RefusesFilesThatAreNotPth) {
  test::TempDir dir;
  EXPECT_TRUE(fails_with([&] { read_state_dict(dir / "absent.pth"); }, {"absent.pth: cannot read"}));
  test::write_file(dir / "empty.pth", "");
  EXPECT_TRUE(
      fails_with([&] { read_state_dict(dir / "empty.pth"); }, {"empty.pth: not a .pth file (empty)"}));
  test::write_file(dir / "text.pth", "weights = [1, 2, 3]\n");
  EXPECT_TRUE(fails_with([&] { read_state_dict(dir / "text.pth"); }, {"text.pth: not a .pth file"}));
  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  for (const std::string& start :
       {""s, "\x80\x02"s, "PK\x03\x04"s}) {  // noise that starts like a pickle, a zip
    const auto bytes = start + noise;
    EXPECT_TRUE(fails_with([&] { decode_state_dict(bytes, "noise.pth"); }, {"noise.pth: "})) << start.size();
  }
}

// ---- hand-made legacy files: the header pickles, then the object, the key list and the data ----

std::string legacy_file(const std::string& object_pickle, const std::string& keys_pickle,
                        const std::string& data) {
  const auto magic = "\x80\x02\x8a\x0a"s + "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"s + ".";
  const auto version = "\x80\x02M\xe9\x03."s;  // 1001
  const auto sys_info = "\x80\x02}."s;         // an empty dict will do
  return magic + version + sys_info + object_pickle + keys_pickle + data;
}

std::string str(const std::string& text) {  // BINUNICODE
  const auto n = static_cast<uint32_t>(text.size());
  return "X"s + std::string(reinterpret_cast<const char*>(&n), 4) + text;
}

std::string int1(int value) { return "K"s + static_cast<char>(value); }  // BININT1

/// {'w': a FloatStorage 'k' of `numel` elements viewed with `size` (a one-dimensional tensor)}.
std::string one_tensor_pickle(int numel, int size, const std::string& storage_class = "FloatStorage") {
  return "\x80\x02}("s + str("w") + "ctorch._utils\n_rebuild_tensor_v2\n((" + str("storage") + "ctorch\n" +
         storage_class + "\n" + str("k") + str("cpu") + int1(numel) + "NtQ" + int1(0) + int1(size) + "\x85" +
         int1(1) + "\x85\x89}tRu.";
}

std::string float_data(std::vector<float> values) {
  const int64_t n = static_cast<int64_t>(values.size());
  return std::string(reinterpret_cast<const char*>(&n), 8) +
         std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

const std::string kKeyList = "\x80\x02]"s + str("k") + "a.";

TEST(ReadStateDict, ReadsAHandMadeLegacyFile) {
  const auto state =
      decode_state_dict(legacy_file(one_tensor_pickle(2, 2), kKeyList, float_data({1.5f, -2})), "h.pth");
  ASSERT_EQ(keys_of(state), std::vector<std::string>{"w"});
  EXPECT_TRUE(same_tensor(at(state, "w"), torch::tensor({1.5f, -2.0f})));
}

TEST(ReadStateDict, NamesWhatIsWrongWithALegacyFile) {
  const auto fails = [](const std::string& bytes, std::initializer_list<std::string_view> parts) {
    return fails_with([&] { decode_state_dict(bytes, "h.pth"); }, parts);
  };
  const auto data = float_data({1.5f, -2});
  // The key list lacks the storage the tensor uses.
  EXPECT_TRUE(
      fails(legacy_file(one_tensor_pickle(2, 2), "\x80\x02]."s, data), {"h.pth: storage k is missing"}));
  // The tensor reaches past its storage.
  EXPECT_TRUE(fails(legacy_file(one_tensor_pickle(2, 3), kKeyList, data),
                    {"h.pth: tensor w reaches element 2 of storage k, which holds 2"}));
  // The data section ends early.
  EXPECT_TRUE(
      fails(legacy_file(one_tensor_pickle(2, 2), kKeyList, data.substr(0, 12)), {"h.pth: truncated"}));
  EXPECT_TRUE(fails(legacy_file(one_tensor_pickle(2, 2, "FancyStorage"), kKeyList, data),
                    {"h.pth: unsupported storage type torch.FancyStorage"}));
  // Opcodes outside the subset: INT (protocol 0) where the dict should be.
  EXPECT_TRUE(
      fails(legacy_file("\x80\x02I1\n."s, kKeyList, data), {"h.pth: unsupported pickle opcode 'I' at byte"}));
  // A memo entry that was never stored; a stack that runs dry.
  EXPECT_TRUE(
      fails(legacy_file("\x80\x02h\x05."s, kKeyList, data), {"h.pth: corrupt", "memo entry 5 is missing"}));
  EXPECT_TRUE(fails(legacy_file("\x80\x02}s."s, kKeyList, data), {"h.pth: corrupt", "stack underflow"}));
  // An unknown global called: an opaque object, reported, never run.
  EXPECT_TRUE(fails(legacy_file("\x80\x02"s + "cos\nsystem\n" + str("true") + "\x85R.", kKeyList, data),
                    {"h.pth: not a state_dict (holds a os.system object"}));
  // A wrong magic number or protocol version.
  auto wrong_magic = legacy_file(one_tensor_pickle(2, 2), kKeyList, data);
  wrong_magic[5] ^= 1;
  EXPECT_TRUE(fails(wrong_magic, {"h.pth: not a .pth file", "magic number"}));
  auto wrong_version = legacy_file(one_tensor_pickle(2, 2), kKeyList, data);
  wrong_version[18] = '\xea';
  EXPECT_TRUE(fails(wrong_version, {"h.pth: unsupported legacy .pth protocol version (1002)"}));
}

// ---- truncation and corruption: always a gankit::Error or a result, never a crash ----

/// Decodes `bytes`; true when it threw gankit::Error, false when it returned. Any other exception
/// fails the test.
bool refused(const std::string& bytes) {
  try {
    decode_state_dict(bytes, "x.pth");
    return false;
  } catch (const Error&) {
    return true;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "not a gankit::Error: " << other.what();
    return true;
  }
}

TEST(ReadStateDict, RefusesEveryTruncation) {
  for (const std::string name :
       {"module_legacy", "dtypes_legacy", "views_legacy", "module_zip", "views_zip"}) {
    const std::string bytes = test::slurp(fixture(name));
    ASSERT_GT(bytes.size(), 200u) << name;
    ASSERT_FALSE(refused(bytes)) << name;
    // Zip archives: every cut loses the central directory at the end; a sample of them will do
    // (LibTorch's zip errors carry a backtrace, which is slow to make).
    const size_t step = name.find("zip") != std::string::npos ? 7 : 1;
    for (size_t length = 0; length < bytes.size(); length += step) {
      EXPECT_TRUE(refused(bytes.substr(0, length))) << name << " cut to " << length << " bytes";
    }
  }
}

TEST(ReadStateDict, SurvivesEverySingleByteCorruption) {
  // Each byte replaced by a few values: a gankit::Error or a (wrong) result, but no crash, hang or
  // foreign exception. The zip fixture's records are CRC-checked: every third byte will do there.
  for (const std::string name : {"module_legacy", "dtypes_legacy", "views_legacy", "module_zip"}) {
    const std::string bytes = test::slurp(fixture(name));
    int refusals = 0;
    const size_t step = name.find("zip") != std::string::npos ? 3 : 1;
    for (size_t i = 0; i < bytes.size(); i += step) {
      for (const int value : {0x00, 0xff, bytes[i] ^ 0x01, bytes[i] ^ 0x80}) {
        auto corrupt = bytes;
        corrupt[i] = static_cast<char>(value);
        refusals += refused(corrupt);
      }
    }
    EXPECT_GT(refusals, 0) << name;
  }
}

}  // namespace
}  // namespace gankit::io

namespace gankit::io {
namespace {

TEST(ReadStateDict, AFlippedBitInAZipRecordIsFoundByItsCrc) {
  // LibTorch's zip reader skips CRCs; gankit's checks every record it reads.
  std::string bytes = test::slurp(fixture("module_zip"));
  const auto weights = bytes.find(std::string("\x00\x00\x00\x00\xcd\xcc\xcc\x3d", 8));  // 0.0f, 0.1f of 0.weight
  ASSERT_NE(weights, std::string::npos);
  bytes[weights + 6] ^= 0x01;
  EXPECT_TRUE(test::fails_with([&] { decode_state_dict(bytes, "m.pth"); },
                               {"m.pth: damaged zip entry", "data/0", "CRC-32 does not match"}));
}

}  // namespace
}  // namespace gankit::io
