// Tensor files (safetensors with a checksum): exact round trips, readable by Python alone, and
// every damaged, truncated or lying file refused with one line before anything large is allocated.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <limits>

#include "gankit/io/tensor_file.h"
#include "support/cli.h"
#include "support/test_support.h"

namespace gankit::io {
namespace {

using test::fails_with;
using test::same_tensor;
using namespace std::string_literals;

TensorFile every_dtype() {
  TensorFile file;
  file.metadata = {{"format", "test/1"}, {"note", "ünïcode and \"quotes\"\n"}};
  file.tensors = {
      {"f32", torch::arange(6, torch::kFloat).view({2, 3}) * 0.5 - 1},
      {"f64", torch::arange(4, torch::kDouble) / 3},
      {"f16", torch::arange(5, torch::kHalf) * 0.25},
      {"bf16", torch::arange(3, torch::kBFloat16) + 0.5},
      {"i64", torch::tensor({int64_t{-3}, int64_t{1} << 40})},
      {"i32", torch::tensor({-7, 7}, torch::kInt)},
      {"i16", torch::tensor({-2, 300}, torch::kShort)},
      {"i8", torch::tensor({-1, 1, 3}, torch::kChar)},
      {"u8", torch::tensor({0, 255, 7}, torch::kByte)},
      {"bool", torch::tensor({true, false, true})},
      {"scalar", torch::tensor(2.5f)},
      {"empty", torch::zeros({0, 4})},
      {"transposed", torch::arange(12, torch::kFloat).view({3, 4}).t()},  // stored contiguous
  };
  return file;
}

const torch::Tensor& tensor(const TensorFile& file, const std::string& name) {
  for (const auto& [key, value] : file.tensors) {
    if (key == name) return value;
  }
  throw std::runtime_error("no tensor " + name);
}

TensorFile decode(const std::string& bytes, const std::string& name = "t.safetensors") {
  return decode_tensor_file(std::make_shared<const std::string>(bytes), name);
}

TEST(TensorFile, RoundTripKeepsEveryDtypeShapeValueAndMetadata) {
  const auto original = every_dtype();
  const std::string bytes = encode_tensor_file(original);
  EXPECT_TRUE(looks_like_tensor_file(bytes));
  const auto read = decode(bytes);
  ASSERT_EQ(read.tensors.size(), original.tensors.size());
  for (const auto& [name, value] : original.tensors) EXPECT_TRUE(same_tensor(tensor(read, name), value)) << name;
  std::map<std::string, std::string> metadata(read.metadata.begin(), read.metadata.end());
  EXPECT_EQ(metadata, (std::map<std::string, std::string>(original.metadata.begin(), original.metadata.end())));
  EXPECT_EQ(encode_tensor_file(original), bytes);  // the same content gives the same bytes
}

TEST(TensorFile, WritesAtomicallyToDisk) {
  test::TempDir dir;
  write_tensor_file(dir / "sub/t.safetensors", every_dtype());
  EXPECT_EQ(test::slurp(dir / "sub/t.safetensors"), encode_tensor_file(every_dtype()));
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir / "sub")) ++files;
  EXPECT_EQ(files, 1);
}

TEST(TensorFile, RefusesWhatItCannotWrite) {
  TensorFile twice;
  twice.tensors = {{"a", torch::zeros({1})}, {"a", torch::zeros({1})}};
  EXPECT_TRUE(fails_with([&] { encode_tensor_file(twice); }, {"'a' is used twice"}));
  TensorFile complex;
  complex.tensors = {{"c", torch::zeros({1}, torch::kComplexFloat)}};
  EXPECT_TRUE(fails_with([&] { encode_tensor_file(complex); }, {"tensor c", "no safetensors name"}));
  TensorFile reserved;
  reserved.metadata = {{"crc32", "x"}};
  EXPECT_TRUE(fails_with([&] { encode_tensor_file(reserved); }, {"'crc32'"}));
  TensorFile latin1;
  latin1.metadata = {{"k", "caf\xe9"}};
  EXPECT_TRUE(fails_with([&] { encode_tensor_file(latin1); }, {"not UTF-8"}));
}

TEST(TensorFile, PythonReadsItWithJsonAndNumpyAlone) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no numpy";
  test::TempDir dir;
  write_tensor_file(dir / "t.safetensors", every_dtype());
  // 15 lines of Python: the header, the checksum, each tensor as a numpy array.
  test::write_file(dir / "read.py", R"(import json, struct, sys, zlib
import numpy as np
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
at = 8 + len('{"__metadata__":{"crc32":"')
assert int(data[at:at + 8], 16) == zlib.crc32(data[:at] + data[at + 8:]), "checksum"
types = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}
body = data[8 + n:]
for name, info in sorted(header.items()):
    if name == "__metadata__" or info["dtype"] == "BF16": continue
    begin, end = info["data_offsets"]
    array = np.frombuffer(body[begin:end], dtype=types[info["dtype"]]).reshape(info["shape"])
    print(name, info["dtype"], list(array.shape), float(array.astype(np.float64).sum()))
print("note", header["__metadata__"]["note"] == "ünïcode and \"quotes\"\n")
)");
  const auto out = dir / "out.txt";
  ASSERT_EQ(std::system(("/usr/bin/python3 " + (dir / "read.py").string() + " " + (dir / "t.safetensors").string() +
                         " > " + out.string())
                            .c_str()),
            0);
  const std::string expected =
      "bool BOOL [3] 2.0\nempty F32 [0, 4] 0.0\nf16 F16 [5] 2.5\nf32 F32 [2, 3] 1.5\nf64 F64 [4] 2.0\n"
      "i16 I16 [2] 298.0\ni32 I32 [2] 0.0\ni64 I64 [2] 1099511627773.0\ni8 I8 [3] 3.0\nscalar F32 [] 2.5\n"
      "transposed F32 [4, 3] 66.0\nu8 U8 [3] 262.0\nnote True\n";
  EXPECT_EQ(test::slurp(out), expected);
}

TEST(TensorFile, EveryFlippedBitIsFound) {
  const std::string bytes = encode_tensor_file(every_dtype());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (const int bit : {0, 7}) {
      auto damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      EXPECT_THROW(decode(damaged), Error) << "byte " << i << " bit " << bit;
    }
  }
  auto flipped = bytes;
  flipped[bytes.size() - 3] ^= 0x10;  // inside the tensor data
  EXPECT_TRUE(fails_with([&] { decode(flipped, "w.pt"); }, {"w.pt: checksum mismatch", "changed after gankit wrote it"}));
}

TEST(TensorFile, EveryTruncationIsRefused) {
  const std::string bytes = encode_tensor_file(every_dtype());
  for (size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_THROW(decode(bytes.substr(0, length)), Error) << length;
  }
  EXPECT_TRUE(fails_with([&] { decode(bytes.substr(0, 100)); }, {"t.safetensors: truncated"}));
}

// ---- headers that lie, sealed with a valid checksum so only the bounds can catch them ----

/// A tensor file with `header` (after the checksum field: `,"k":"v"},...}`) and `data`, checksummed.
std::string sealed(const std::string& header_rest, const std::string& data, uint64_t length_override = 0) {
  std::string header = R"({"__metadata__":{"crc32":"00000000")" + header_rest;
  header.append((8 - header.size() % 8) % 8, ' ');
  const uint64_t n = length_override ? length_override : header.size();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  bytes += header + data;
  const size_t at = 8 + 26;
  std::string without = bytes.substr(0, at) + bytes.substr(at + 8);
  const auto crc = crc32_z(0, reinterpret_cast<const Bytef*>(without.data()), without.size());
  bytes.replace(at, 8, fmt::format("{:08x}", crc));
  return bytes;
}

TEST(TensorFile, ASealedHandMadeFileReads) {
  const auto file = decode(sealed(R"(},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                                  std::string("\0\0\xc0\x3f\0\0\x00\xc0", 8)));
  ASSERT_EQ(file.tensors.size(), 1u);
  EXPECT_TRUE(same_tensor(file.tensors[0].second, torch::tensor({1.5f, -2.0f})));
}

TEST(TensorFile, HeadersThatLieAreRefusedBeforeAllocating) {
  const std::string eight(8, '\0');
  const auto fails = [](const std::string& bytes, std::initializer_list<std::string_view> parts) {
    return fails_with([&] { decode(bytes, "x.st"); }, parts);
  };
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}})", eight),
                    {"x.st: tensor w says it holds 8 bytes"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight),
                    {"tensor w says it holds 12 bytes", "span 8"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", eight),
                    {"impossible shape"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,2],"data_offsets":[0,8]}})", eight),
                    {"rank above 8"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight),
                    {"not a non-negative integer"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"Q8","shape":[8],"data_offsets":[0,8]}})", eight), {"unknown dtype"}));
  EXPECT_TRUE(fails(sealed(R"(},"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                           eight),
                    {"tensor b starts at byte 2 of the data, expected 4"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", eight),
                    {"the tensors hold 4 bytes but the data section has 8"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":{"dtype":"F32","shape":[[[[2]]]],"data_offsets":[0,8]}})", eight),
                    {"nests deeper than"}));
  EXPECT_TRUE(fails(sealed(R"(,"k":7}})", ""), {"metadata 'k' is not a string"}));
  EXPECT_TRUE(fails(sealed(R"(},"w":5})", ""), {"tensor w is not described"}));
  // A header length of a terabyte: refused by its size, not by trying to read it.
  EXPECT_TRUE(fails(sealed("}}", "", uint64_t{1} << 40), {"a header of 1099511627776 bytes"}));
  EXPECT_TRUE(fails(sealed("}}", "", 4096), {"truncated (a header of 4096 bytes"}));
}

}  // namespace
}  // namespace gankit::io
