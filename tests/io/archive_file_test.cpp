// Archive files: torch::serialize archives kept as tensor files, and LibTorch's own zip archives
// (gankit's files before) read by gankit's bounded readers. Round trips are exact; crafted
// archives that crash LibTorch's unpickler are one-line errors here.
#include <gtest/gtest.h>

#include <cmath>

#include "gankit/io/archive_file.h"
#include "gankit/io/archive_json.h"
#include "gankit/io/tensor_file.h"
#include "gankit/io/zip_reader.h"
#include "support/test_support.h"
#include "support/torch_zip.h"

namespace gankit::io {
namespace {

using test::same_tensor;
using namespace std::string_literals;  // "..."s keeps the NUL bytes of pickles

/// An archive with every kind of entry gankit stores.
torch::serialize::OutputArchive every_kind() {
  torch::serialize::OutputArchive archive;
  archive.write("none", c10::IValue());
  archive.write("flag", c10::IValue(true));
  archive.write("count", c10::IValue(int64_t{1} << 40));
  archive.write("rate", c10::IValue(0.00020000000000000001));
  archive.write("nan", c10::IValue(std::nan("")));
  archive.write("text", c10::IValue(std::string("[model]\nname = 'dcgan'\n")));
  archive.write("betas", c10::IValue(c10::ivalue::Tuple::create({0.5, 0.999})));
  archive.write("nested", c10::IValue(c10::ivalue::Tuple::create({int64_t{1}, c10::ivalue::Tuple::create({std::string("x")})})));
  archive.write("ints", c10::IValue(c10::List<int64_t>({1, 2, 3})));
  archive.write("floats", c10::IValue(c10::List<double>({1.5})));
  archive.write("bools", c10::IValue(c10::List<bool>({true, false})));
  archive.write("strs", c10::IValue(c10::List<std::string>({"a", "b"})));
  archive.write("weight", torch::arange(6, torch::kFloat).view({2, 3}).requires_grad_());
  archive.write("running_mean", torch::tensor({0.25, 0.75}, torch::kDouble), /*is_buffer=*/true);
  archive.write("plain", c10::IValue(torch::tensor({7}, torch::kLong)));
  torch::serialize::OutputArchive inner, innermost;
  innermost.write("rng", torch::arange(5, torch::kByte), /*is_buffer=*/true);
  inner.write("deeper", innermost);
  inner.write("params/size", torch::tensor(int64_t{2}));
  archive.write("optimizer", inner);
  return archive;
}

std::string bytes_of(torch::serialize::OutputArchive& archive) {
  std::string bytes;
  archive.save_to([&](const void* data, size_t n) {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });
  return bytes;
}

ArchiveTree decode(const std::string& bytes, const std::string& name = "a.pt") {
  return decode_archive_file(std::make_shared<const std::string>(bytes), name);
}

/// Whether two trees hold the same keys, kinds, values and tensors (bit for bit).
::testing::AssertionResult same_tree(const ArchiveTree& a, const ArchiveTree& b) {
  if (a.entries.size() != b.entries.size()) return ::testing::AssertionFailure() << "entry counts differ";
  for (size_t i = 0; i < a.entries.size(); ++i) {
    const auto &x = a.entries[i], &y = b.entries[i];
    if (x.key != y.key || x.kind != y.kind || x.requires_grad != y.requires_grad)
      return ::testing::AssertionFailure() << "entry " << x.key << " vs " << y.key;
    if (x.archive) {
      auto inner = same_tree(*x.archive, *y.archive);
      if (!inner) return inner << " in " << x.key;
    } else if (x.tensor.defined()) {
      if (!same_tensor(x.tensor, y.tensor)) return ::testing::AssertionFailure() << x.key << " differs";
    } else if (!(x.value.isDouble() && std::isnan(x.value.toDouble()) && std::isnan(y.value.toDouble())) &&
               !(x.value == y.value)) {
      return ::testing::AssertionFailure() << x.key << ": " << x.value << " vs " << y.value;
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(ArchiveFile, OutputArchiveRoundTripsExactly) {
  auto archive = every_kind();
  const ArchiveTree tree = archive_tree(archive);
  ASSERT_EQ(tree.entries.size(), 16u);
  EXPECT_EQ(tree.entries[12].kind, ArchiveTree::Kind::kParameter);
  EXPECT_TRUE(tree.entries[12].requires_grad);
  EXPECT_EQ(tree.entries[13].kind, ArchiveTree::Kind::kBuffer);
  EXPECT_EQ(tree.entries[14].kind, ArchiveTree::Kind::kTensor);
  EXPECT_EQ(tree.entries[15].kind, ArchiveTree::Kind::kArchive);
  const ArchiveTree read = decode(encode_archive_file(tree));
  EXPECT_TRUE(same_tree(read, tree));

  // And LibTorch reads it back as the archive that was written.
  torch::serialize::InputArchive input;
  load_into(decode(encode_archive_file(tree)), input, "a.pt");
  c10::IValue value;
  ASSERT_TRUE(input.try_read("rate", value));
  EXPECT_EQ(value.toDouble(), 0.00020000000000000001);
  ASSERT_TRUE(input.try_read("betas", value));
  EXPECT_EQ(value.toTupleRef().elements()[1].toDouble(), 0.999);
  ASSERT_TRUE(input.try_read("strs", value));
  EXPECT_EQ(value.toListRef()[1].toStringRef(), "b");
  torch::Tensor weight, mean;
  ASSERT_TRUE(input.try_read("weight", weight));
  EXPECT_TRUE(same_tensor(weight, torch::arange(6, torch::kFloat).view({2, 3})));
  EXPECT_TRUE(input.try_read("running_mean", mean, /*is_buffer=*/true));
  torch::serialize::InputArchive inner, innermost;
  ASSERT_TRUE(input.try_read("optimizer", inner));
  ASSERT_TRUE(inner.try_read("deeper", innermost));
  torch::Tensor rng;
  ASSERT_TRUE(innermost.try_read("rng", rng, /*is_buffer=*/true));
  EXPECT_TRUE(same_tensor(rng, torch::arange(5, torch::kByte)));
}

TEST(ArchiveFile, LibTorchZipAndTensorFileHoldTheSameTree) {
  auto archive = every_kind();
  const std::string zip = bytes_of(archive);
  EXPECT_TRUE(same_tree(decode(zip), archive_tree(archive)));
  EXPECT_TRUE(same_tree(decode(zip), decode(encode_archive_file(decode(zip)))));
}

TEST(ArchiveFile, TensorsAreNamedByPathForPythonReaders) {
  auto archive = every_kind();
  const auto file = archive_to_tensor_file(archive_tree(archive));
  std::vector<std::string> names;
  for (const auto& [name, tensor] : file.tensors) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "running_mean", "plain", "optimizer.deeper.rng",
                                             "optimizer.params/size"}));
  EXPECT_EQ(file.metadata[0], (std::pair<std::string, std::string>{"format", "gankit-archive/1"}));
}

TEST(ArchiveFile, ADamagedLibTorchZipIsFoundByItsCrc) {
  auto archive = every_kind();
  std::string zip = bytes_of(archive);
  const ZipReader reader(zip, "a.pt");
  const ZipEntry* weight = nullptr;
  for (const auto& entry : reader.entries()) {
    if (entry.name.find("/data/") != std::string::npos && entry.size == 24) weight = &entry;
  }
  ASSERT_NE(weight, nullptr);
  zip[weight->data_offset + 5] ^= 0x04;
  try {
    decode(zip);
    FAIL() << "a damaged archive was read";
  } catch (const ArchiveError& error) {
    EXPECT_EQ(error.problem(), ArchiveError::Problem::kDamaged);
    EXPECT_NE(error.reason().find("CRC-32 does not match"), std::string::npos) << error.what();
  }
}

/// The reason an ArchiveError of `problem` gives for `bytes`.
std::string refusal(const std::string& bytes, ArchiveError::Problem problem = ArchiveError::Problem::kForeign) {
  try {
    decode(bytes);
  } catch (const ArchiveError& error) {
    EXPECT_EQ(error.problem(), problem) << error.what();
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
    return error.reason();
  }
  ADD_FAILURE() << "read";
  return "";
}

TEST(ArchiveFile, CraftedPicklesAreRefusedWithoutRunningOrRecursing) {
  using test::pickle_str;
  using test::torch_zip_with_attribute;
  EXPECT_EQ(refusal(torch_zip_with_attribute("x", "cposix\nsystem\n" + pickle_str("touch /tmp/owned") + "\x85R")),
            "pickle calls posix.system, which gankit never writes");
  // Nesting 200,000 deep overflows LibTorch's recursive unpickler; 100,000 trips its type parser.
  for (const int depth : {100000, 200000}) {
    const auto lists = torch_zip_with_attribute("x", std::string(depth, ']') + std::string(depth - 1, 'a'));
    EXPECT_NE(refusal(lists).find("x holds a list, which gankit never writes"), std::string::npos);
    const auto tuples = torch_zip_with_attribute("x", ")" + std::string(depth, '\x85'));
    EXPECT_NE(refusal(tuples).find("x nests values deeper than 8 levels"), std::string::npos);
  }
  // An archive holding itself (by the memo): a cycle, cut by the depth bound.
  const std::string cycle = test::torch_zip(
      {{"data.pkl", "\x80\x02"s + "c__torch__\nModule\n)\x81q\x00}("s + pickle_str("self") + "h\x00ub."s},
       {"code/__torch__.py", "class Module(Module):\n  __parameters__ = []\n  __buffers__ = []\n"}});
  EXPECT_NE(refusal(cycle).find("archives nest deeper than 48 levels"), std::string::npos);
  EXPECT_NE(refusal(torch_zip_with_attribute("x", "}")).find("x holds a dict"), std::string::npos);
  EXPECT_NE(refusal(torch_zip_with_attribute("a b", "N")).find("the key 'a b'"), std::string::npos);
}

TEST(ArchiveFile, BrokenStructuresInTensorFilesAreDamage) {
  const auto file_with = [](const std::string& structure, std::vector<std::pair<std::string, torch::Tensor>> tensors) {
    TensorFile file;
    file.metadata = {{"format", kArchiveFormat}, {"archive", structure}};
    file.tensors = std::move(tensors);
    return encode_tensor_file(file);
  };
  const auto damaged = [&](const std::string& structure, std::vector<std::pair<std::string, torch::Tensor>> tensors = {}) {
    return refusal(file_with(structure, std::move(tensors)), ArchiveError::Problem::kDamaged);
  };
  const auto w = std::make_pair(std::string("w"), torch::zeros({2}));
  EXPECT_NE(damaged(R"([["w",{"parameter":"v","requires_grad":false}]])", {w}).find("a tensor v the file does not hold"),
            std::string::npos);
  EXPECT_NE(damaged(R"([["a",{"parameter":"w","requires_grad":false}],["b",{"buffer":"w","requires_grad":false}]])", {w})
                .find("names the tensor w twice"),
            std::string::npos);
  EXPECT_NE(damaged("[]", {w}).find("1 of its tensors are not in the archive"), std::string::npos);
  EXPECT_NE(damaged(R"([["__class__",{"value":{"int":1}}]])").find("reserved key"), std::string::npos);
  EXPECT_NE(damaged(R"([["k",{"value":{"int":1}}],["k",{"value":{"int":2}}]])").find("'k' appears twice"),
            std::string::npos);
  EXPECT_NE(damaged(R"([["k",{"value":{"int":18446744073709551615}}]])").find("not a 64-bit integer"), std::string::npos);
  EXPECT_NE(damaged(R"([["k",{"value":{"dict":{}}}]])").find("unknown kind"), std::string::npos);
  std::string deep = R"({"int":1})";
  for (int i = 0; i < 12; ++i) deep = R"({"tuple":[)" + deep + "]}";
  EXPECT_NE(damaged(R"([["k",{"value":)" + deep + "}]]").find("values nest deeper than 8"), std::string::npos);
  std::string archives = "[]";
  for (int i = 0; i < 60; ++i) archives = R"([["a",{"archive":)" + archives + "}]]";
  EXPECT_NE(damaged(archives).find("nest"), std::string::npos);
  EXPECT_NE(damaged(std::string(100000, '[') + std::string(100000, ']')).find("nests deeper than"), std::string::npos);
  EXPECT_NE(refusal(file_with("[]", {}).substr(0, 0) + "junk").find("neither a gankit tensor file nor"), std::string::npos);
}

TEST(ArchiveFile, FindsTheFirstNonFiniteTensor) {
  auto archive = every_kind();
  EXPECT_FALSE(first_non_finite(archive_tree(archive)).has_value());  // the double `nan` is no tensor
  torch::serialize::OutputArchive inner;
  inner.write("weight", torch::tensor({1.0f, std::numeric_limits<float>::infinity()}));
  archive.write("generator", inner);
  EXPECT_EQ(first_non_finite(archive_tree(archive)), std::optional<std::string>("generator.weight"));
}

}  // namespace
}  // namespace gankit::io
