// train.precision: the table, the run-time resolution, autocast's scope, and the layers that need
// their own bf16 path (transposed convolutions, spectral norm, self-attention).
#include <gtest/gtest.h>

#include "gankit/compute/cpu_features.h"
#include "gankit/compute/precision.h"
#include "gankit/error.h"
#include "gankit/models/registry.h"
#include "gankit/nn/conv_transpose.h"
#include "gankit/nn/self_attention.h"
#include "gankit/nn/spectral_norm.h"

namespace {

/// bf16 on the CPU needs oneDNN's AVX-512 kernels; elsewhere it is refused (tested in
/// precision_test) and the tests that run it skip.
bool bf16_runs_here() { return gankit::compute::detect_cpu_features().avx512 && torch::hasMKLDNN(); }

using namespace gankit;
using compute::Precision;

compute::CpuFeatures cpu_with(bool avx512, bool avx512_bf16, bool amx) {
  compute::CpuFeatures cpu;
  cpu.avx = cpu.avx2 = cpu.fma = true;
  cpu.avx512 = avx512;
  cpu.avx512_bf16 = avx512_bf16;
  cpu.amx_bf16 = amx;
  return cpu;
}

TEST(Precision, OneTableParsesAndNamesEveryValue) {
  for (const auto& row : compute::precisions().rows()) {
    EXPECT_EQ(compute::parse_precision(row.name, "--precision"), row.value);
    EXPECT_STREQ(compute::precision_name(row.value), row.name);
  }
  EXPECT_EQ(compute::precisions().names(" or "), "auto, fp32, bf16 or fp16");
  try {
    compute::parse_precision("half", "--precision");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--precision = 'half': unknown (valid: auto, fp32, bf16, fp16)");
  }
}

TEST(Precision, AutoPicksBf16OnlyWhereTheCpuHasBf16Units) {
  const torch::Device cpu(torch::kCPU);
  if (!torch::hasMKLDNN()) GTEST_SKIP() << "this LibTorch has no oneDNN";
  EXPECT_EQ(compute::resolve_precision(Precision::Auto, cpu, cpu_with(true, true, true), "k").precision, Precision::Bf16);
  EXPECT_EQ(compute::resolve_precision(Precision::Auto, cpu, cpu_with(true, true, false), "k").precision, Precision::Bf16);
  EXPECT_EQ(compute::resolve_precision(Precision::Auto, cpu, cpu_with(true, false, false), "k").precision, Precision::Fp32);
  EXPECT_EQ(compute::resolve_precision(Precision::Auto, cpu, cpu_with(false, false, false), "k").precision, Precision::Fp32);
  // Asked for explicitly, bf16 runs on any AVX-512 CPU, and says when it is emulated; without
  // AVX-512 oneDNN has no bf16 kernels: an error.
  const auto emulated = compute::resolve_precision(Precision::Bf16, cpu, cpu_with(true, false, false), "k");
  EXPECT_EQ(emulated.precision, Precision::Bf16);
  EXPECT_NE(emulated.reason.find("emulates"), std::string::npos);
  try {
    compute::resolve_precision(Precision::Bf16, cpu, cpu_with(false, false, false), "train.precision");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "train.precision: bf16 on the CPU needs AVX-512 and oneDNN (its bf16 kernels); this CPU "
                           "has AVX2 FMA AVX: use fp32 or auto");
  }
  EXPECT_EQ(compute::resolve_precision(Precision::Fp32, cpu, cpu_with(true, true, true), "k").precision, Precision::Fp32);
  // CUDA: auto stays fp32; fp16 is for CUDA only.
  EXPECT_EQ(compute::resolve_precision(Precision::Auto, torch::Device(torch::kCUDA), cpu_with(true, true, true), "k").precision,
            Precision::Fp32);
  EXPECT_EQ(compute::resolve_precision(Precision::Fp16, torch::Device(torch::kCUDA), {}, "k").precision, Precision::Fp16);
  try {
    compute::resolve_precision(Precision::Fp16, cpu, cpu_with(true, true, true), "train.precision");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "train.precision: fp16 needs a CUDA device; on the CPU use bf16 or auto");
  }
}

TEST(Precision, AutocastScopeCastsTheHeavyOpsAndRestoresOnExit) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  torch::manual_seed(0);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3));
  const auto x = torch::randn({2, 3, 8, 8});
  {
    compute::AutocastScope fp32(Precision::Fp32, torch::kCPU);
    EXPECT_EQ(conv->forward(x).scalar_type(), torch::kFloat);
  }
  {
    compute::AutocastScope bf16(Precision::Bf16, torch::kCPU);
    EXPECT_TRUE(compute::cpu_bf16_autocast_active());
    EXPECT_EQ(conv->forward(x).scalar_type(), torch::kBFloat16);
    {
      compute::WithoutAutocast float32;
      EXPECT_FALSE(compute::cpu_bf16_autocast_active());
      EXPECT_EQ(conv->forward(x).scalar_type(), torch::kFloat);
    }
    EXPECT_TRUE(compute::cpu_bf16_autocast_active());
  }
  EXPECT_FALSE(compute::cpu_bf16_autocast_active());
  EXPECT_EQ(conv->forward(x).scalar_type(), torch::kFloat);
  EXPECT_EQ(conv->weight.scalar_type(), torch::kFloat);
}

/// bf16 keeps 8 significant bits: a layer's output agrees with float32 to a few parts in a
/// hundred of its scale.
void expect_close_to_float32(const torch::Tensor& bf16, const torch::Tensor& fp32) {
  ASSERT_EQ(bf16.sizes(), fp32.sizes());
  const double scale = fp32.abs().max().item<double>();
  EXPECT_LT((bf16.to(torch::kFloat) - fp32).abs().max().item<double>(), 0.03 * scale);
}

TEST(Precision, TransposedConvolutionsAreRightInBf16AtEverySize) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  // LibTorch 1.13 computes a plain convolution for bf16 conv_transpose2d: gankit's GEMM path must
  // give the transposed convolution, at 1x1, 4x4 (batched GEMM) and 8x8, 16x16 (LibTorch's size).
  torch::manual_seed(0);
  for (const auto& [in, out, size, stride, pad] : std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>>{
           {16, 8, 1, 1, 0}, {16, 8, 4, 2, 1}, {8, 4, 8, 2, 1}, {8, 3, 16, 2, 1}}) {
    nn::BatchedConvTranspose2d layer(torch::nn::ConvTranspose2dOptions(in, out, 4).stride(stride).padding(pad).bias(true));
    const auto x = torch::randn({3, in, size, size});
    const auto reference = layer->forward(x);
    {
      compute::AutocastScope bf16(Precision::Bf16, torch::kCPU);
      const auto y = layer->forward(x);
      EXPECT_EQ(y.scalar_type(), torch::kBFloat16) << size;
      expect_close_to_float32(y, reference);
    }
    // A bf16 tensor without autocast takes the same path.
    expect_close_to_float32(layer->forward(x.to(torch::kBFloat16)), reference);
  }
}

TEST(Precision, SpectralNormAndSelfAttentionKeepTheirFloat32PartsUnderBf16) {
  if (!bf16_runs_here()) GTEST_SKIP() << "bf16 needs AVX-512 and oneDNN on the CPU";
  torch::manual_seed(0);
  nn::SNConv2d conv(torch::nn::Conv2dOptions(4, 8, 3).padding(1));
  nn::SelfAttention attention(nn::SelfAttentionOptions(8));
  attention->gamma.data().fill_(0.5);
  conv->eval();  // no power iteration: both passes see the same u, v
  const auto x = torch::randn({2, 4, 8, 8});
  const auto sigma = conv->sigma().item<double>();
  const auto reference = attention->forward(conv->forward(x));
  compute::AutocastScope bf16(Precision::Bf16, torch::kCPU);
  EXPECT_DOUBLE_EQ(conv->sigma().item<double>(), sigma);
  expect_close_to_float32(attention->forward(conv->forward(x)), reference);
  EXPECT_EQ(conv->u.scalar_type(), torch::kFloat);
}

// auto picks bf16 only for architectures whose quality check held (bench/precision_quality.py).
TEST(Precision, AutoPicksBf16OnlyWhereItsQualityWasChecked) {
  EXPECT_TRUE(models::bf16_quality_checked("dcgan"));
  EXPECT_FALSE(models::bf16_quality_checked("pix2pix"));
  const auto unchecked = models::resolve_model_precision(Precision::Auto, torch::kCPU, "pix2pix", "train.precision");
  EXPECT_EQ(unchecked.precision, Precision::Fp32);
  const auto checked = models::resolve_model_precision(Precision::Auto, torch::kCPU, "dcgan", "train.precision");
  EXPECT_EQ(checked.precision,
            compute::resolve_precision(Precision::Auto, torch::kCPU, compute::detect_cpu_features(), "k").precision);
  if (checked.precision == Precision::Bf16) {
    EXPECT_NE(unchecked.reason.find("not yet checked for pix2pix"), std::string::npos) << unchecked.reason;
  }
  // Asked for explicitly, bf16 is the user's choice whatever the check says.
  if (bf16_runs_here()) {
    EXPECT_EQ(models::resolve_model_precision(Precision::Bf16, torch::kCPU, "pix2pix", "k").precision, Precision::Bf16);
  }
}

}  // namespace
