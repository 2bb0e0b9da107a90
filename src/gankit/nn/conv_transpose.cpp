#include "gankit/nn/conv_transpose.h"

#include "gankit/compat.h"
#include "gankit/compute/precision.h"

namespace gankit::nn {

torch::Tensor conv_transpose2d_forward(torch::nn::ConvTranspose2dImpl& layer, const torch::Tensor& input) {
  const auto& o = layer.options;
  const bool plain = input.dim() == 4 && o.groups() == 1 && (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1 &&
                     (*o.output_padding())[0] == 0 && (*o.output_padding())[1] == 0;
  // LibTorch 1.13's CPU conv_transpose2d computes a plain convolution for bfloat16 inputs (a wrong
  // result, or a channel error): bf16 takes the GEMM at every size, and never reaches it.
  const bool bf16 = input.is_cpu() && (input.scalar_type() == torch::kBFloat16 || compute::cpu_bf16_autocast_active());
  if (!plain || (!bf16 && input.size(2) * input.size(3) > kBatchedTransposedConvMaxPixels)) {
    return layer.forward(input.is_cpu() && input.scalar_type() == torch::kBFloat16 ? input.to(torch::kFloat) : input);
  }

  const auto& weight = layer.weight;  // [Cin, Cout, kh, kw]
  const int64_t n = input.size(0), in = input.size(1), h = input.size(2), w = input.size(3);
  const int64_t out = weight.size(1), kh = weight.size(2), kw = weight.size(3);
  const int64_t sh = (*o.stride())[0], sw = (*o.stride())[1];
  const auto padding = compat::explicit_padding<2>(o.padding());
  const int64_t ph = (*padding)[0], pw = (*padding)[1];
  auto matrix = weight.reshape({in, out * kh * kw});
  if (input.scalar_type() != matrix.scalar_type()) matrix = matrix.to(input.scalar_type());  // bf16 without autocast
  torch::Tensor result;
  if (h == 1 && w == 1 && ph == 0 && pw == 0) {
    // One pixel in, the kernel out: a plain matrix product.
    result = input.reshape({n, in}).matmul(matrix).view({n, out, kh, kw});
  } else {
    // Columns for every image at once: [Cout*kh*kw, Cin] x [Cin, N*H*W], then scattered (col2im).
    const auto columns = matrix.t().matmul(input.transpose(0, 1).reshape({in, n * h * w}));
    const int64_t out_h = (h - 1) * sh - 2 * ph + kh, out_w = (w - 1) * sw - 2 * pw + kw;
    result = torch::nn::functional::fold(
        columns.view({out * kh * kw, n, h * w}).transpose(0, 1),
        torch::nn::functional::FoldFuncOptions({out_h, out_w}, {kh, kw}).stride({sh, sw}).padding({ph, pw}));
  }
  // The bias in the result's type: a float32 bias would promote a bf16 result back to float32.
  if (layer.bias.defined()) result = result + layer.bias.to(result.scalar_type()).view({1, out, 1, 1});
  return result;
}

}  // namespace gankit::nn
