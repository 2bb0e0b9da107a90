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

}  // namespace
