// .npy: gankit's bytes equal NumPy's for the same arrays (fixtures written by np.save).
#include <gtest/gtest.h>

#include "gankit/error.h"
#include "gankit/io/npy.h"
#include "support/cli.h"

namespace {

using namespace gankit::io;
const std::filesystem::path kFixtures = std::filesystem::path(GANKIT_TEST_DATA_DIR) / "npy";

TEST(Npy, BytesMatchNumpyForUint8Int64AndFloat32) {
  const auto u8 = torch::arange(24, torch::kUInt8).reshape({2, 3, 4, 1});
  EXPECT_EQ(encode_npy(u8), gankit::test::slurp(kFixtures / "u8_2x3x4x1.npy"));
  const auto i64 = torch::arange(5, torch::kLong) * 7 - 3;
  EXPECT_EQ(encode_npy(i64), gankit::test::slurp(kFixtures / "i64_5.npy"));
  const auto f32 = torch::tensor({0.5f, -1.25f, 3.0f, 1e-3f}).reshape({2, 2});
  EXPECT_EQ(encode_npy(f32), gankit::test::slurp(kFixtures / "f32_2x2.npy"));
}

TEST(Npy, ReadsWhatNumpyWrote) {
  const auto u8 = read_npy(kFixtures / "u8_2x3x4x1.npy");
  EXPECT_TRUE(torch::equal(u8, torch::arange(24, torch::kUInt8).reshape({2, 3, 4, 1})));
  const auto i64 = read_npy(kFixtures / "i64_5.npy");
  EXPECT_EQ(i64.sizes(), (std::vector<int64_t>{5}));
  EXPECT_EQ(i64[4].item<int64_t>(), 25);
}

TEST(Npy, RejectsForeignOrTruncatedFiles) {
  EXPECT_THROW(decode_npy("hello world", "x.npy"), gankit::Error);
  auto bytes = encode_npy(torch::zeros({4, 4}, torch::kUInt8));
  bytes.resize(bytes.size() - 3);
  try {
    decode_npy(bytes, "cut.npy");
    FAIL();
  } catch (const gankit::Error& e) {
    EXPECT_EQ(std::string(e.what()), "cut.npy: .npy data holds 13 bytes, its shape needs 16");
  }
}

/// A version-1 .npy of `data` bytes under a hand-written header dict.
std::string npy_with_header(const std::string& dict, const std::string& data) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + data;
}

// Probe 17: header errors said `stoll`, or allocated a negative or overflowing shape, naming no file.
// Probe 21: 'fortran_order':True without a space was read as C order.
TEST(Npy, HeaderErrorsNameTheFile) {
  const std::string data(16, '\0');
  auto fails = [&](const std::string& dict, const std::string& expected) {
    try {
      decode_npy(npy_with_header(dict, data), "h.npy");
      ADD_FAILURE() << dict;
    } catch (const gankit::Error& e) {
      EXPECT_NE(std::string(e.what()).find("h.npy: "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  fails("{'descr': '|u1', 'fortran_order': False, 'shape': (abc, 4), }", "'abc'");
  fails("{'descr': '|u1', 'fortran_order': False, 'shape': (-4, 4), }", "'-4'");
  fails("{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000000, 28, 28), }", "holds 16 bytes");
  fails("{'descr': '<i8', 'fortran_order': False, 'shape': (999999999999999999, 999999999999999999), }",
        "too large");
  fails("{'descr': '|u1', 'fortran_order':True, 'shape': (4, 4), }", "Fortran");
  fails("{'descr': '|u1', 'shape': (4, 4), }", "'fortran_order'");
  fails("{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,16), }", "more than 8");
  EXPECT_EQ(decode_npy(npy_with_header("{'descr':'|u1','fortran_order':False,'shape':(4,4)}", data), "ok.npy")
                .sizes(),
            (std::vector<int64_t>{4, 4}));
}

}  // namespace
