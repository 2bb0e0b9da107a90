// Inception-v3 exactly as pytorch-fid defines it for FID, KID, IS and precision/recall: torchvision's
// inception_v3 stem (1008 classes, no auxiliary head), with the Mixed blocks replaced by
// FIDInceptionA/C/E_1/E_2, which pool like the TensorFlow graph the FID weights come from (average
// pools that leave the padding out of the count; a max pool in the last block's pool branch).
// Weights: pytorch-fid's pt_inception-2015-12-05-6726825d.pth, read with io::read_state_dict; the
// modules are registered under torchvision's names, so the state_dict keys match one to one.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "gankit/io/torch_state_dict.h"

namespace gankit::metrics {

/// torchvision's BasicConv2d: convolution without bias, batch norm (eps 0.001), ReLU; the batch
/// norm always uses its running statistics (the network is only ever evaluated).
class BasicConv2dImpl : public torch::nn::Module {
 public:
  /// `options`' bias is ignored (always off).
  explicit BasicConv2dImpl(torch::nn::Conv2dOptions options);
  torch::Tensor forward(const torch::Tensor& x);  // [N,Cin,H,W] -> [N,Cout,H',W']

  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(BasicConv2d);

struct InceptionAOptions {
  InceptionAOptions(int64_t in_channels, int64_t pool_features)
      : in_channels_(in_channels), pool_features_(pool_features) {}
  TORCH_ARG(int64_t, in_channels);
  /// Channels of the pool branch; the block outputs 224 + pool_features.
  TORCH_ARG(int64_t, pool_features);
};

/// FIDInceptionA (Mixed_5b/c/d, 35x35): 1x1, 5x5, double 3x3 and pool branches.
class InceptionAImpl : public torch::nn::Module {
 public:
  explicit InceptionAImpl(const InceptionAOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // [N,C,35,35] -> [N,224+pool_features,35,35]

 private:
  BasicConv2d branch1x1_{nullptr}, branch5x5_1_{nullptr}, branch5x5_2_{nullptr}, branch3x3dbl_1_{nullptr},
      branch3x3dbl_2_{nullptr}, branch3x3dbl_3_{nullptr}, branch_pool_{nullptr};
};
TORCH_MODULE(InceptionA);

/// torchvision's InceptionB (Mixed_6a): the 35x35 -> 17x17 grid reduction.
class InceptionBImpl : public torch::nn::Module {
 public:
  explicit InceptionBImpl(int64_t in_channels);
  torch::Tensor forward(const torch::Tensor& x);  // [N,C,35,35] -> [N,480+C,17,17]

 private:
  BasicConv2d branch3x3_{nullptr}, branch3x3dbl_1_{nullptr}, branch3x3dbl_2_{nullptr},
      branch3x3dbl_3_{nullptr};
};
TORCH_MODULE(InceptionB);

struct InceptionCOptions {
  InceptionCOptions(int64_t in_channels, int64_t channels_7x7)
      : in_channels_(in_channels), channels_7x7_(channels_7x7) {}
  TORCH_ARG(int64_t, in_channels);
  /// Width of the factorised 7x7 branches.
  TORCH_ARG(int64_t, channels_7x7);
};

/// FIDInceptionC (Mixed_6b..e, 17x17): 1x1, 7x7 (1x7 + 7x1), double 7x7 and pool branches.
class InceptionCImpl : public torch::nn::Module {
 public:
  explicit InceptionCImpl(const InceptionCOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // [N,C,17,17] -> [N,768,17,17]

 private:
  BasicConv2d branch1x1_{nullptr}, branch7x7_1_{nullptr}, branch7x7_2_{nullptr}, branch7x7_3_{nullptr},
      branch7x7dbl_1_{nullptr}, branch7x7dbl_2_{nullptr}, branch7x7dbl_3_{nullptr}, branch7x7dbl_4_{nullptr},
      branch7x7dbl_5_{nullptr}, branch_pool_{nullptr};
};
TORCH_MODULE(InceptionC);

/// torchvision's InceptionD (Mixed_7a): the 17x17 -> 8x8 grid reduction.
class InceptionDImpl : public torch::nn::Module {
 public:
  explicit InceptionDImpl(int64_t in_channels);
  torch::Tensor forward(const torch::Tensor& x);  // [N,C,17,17] -> [N,512+C,8,8]

 private:
  BasicConv2d branch3x3_1_{nullptr}, branch3x3_2_{nullptr}, branch7x7x3_1_{nullptr}, branch7x7x3_2_{nullptr},
      branch7x7x3_3_{nullptr}, branch7x7x3_4_{nullptr};
};
TORCH_MODULE(InceptionD);

/// The pooling of InceptionE's pool branch.
enum class InceptionEPool {
  kAverage,  ///< FIDInceptionE_1 (Mixed_7b): 3x3 average, padding left out of the count
  kMax,      ///< FIDInceptionE_2 (Mixed_7c): 3x3 max (TF's graph has a max pool here)
};

struct InceptionEOptions {
  explicit InceptionEOptions(int64_t in_channels) : in_channels_(in_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(InceptionEPool, pool) = InceptionEPool::kAverage;
};

/// FIDInceptionE_1 / FIDInceptionE_2 (Mixed_7b/c, 8x8): 1x1, split 3x3, split double 3x3 and pool.
class InceptionEImpl : public torch::nn::Module {
 public:
  explicit InceptionEImpl(const InceptionEOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // [N,C,8,8] -> [N,2048,8,8]

 private:
  InceptionEPool pool_;
  BasicConv2d branch1x1_{nullptr}, branch3x3_1_{nullptr}, branch3x3_2a_{nullptr}, branch3x3_2b_{nullptr},
      branch3x3dbl_1_{nullptr}, branch3x3dbl_2_{nullptr}, branch3x3dbl_3a_{nullptr},
      branch3x3dbl_3b_{nullptr}, branch_pool_{nullptr};
};
TORCH_MODULE(InceptionE);

/// What the network gives for a batch.
struct InceptionFeatures {
  torch::Tensor pool;    ///< float [N,2048]: pool3, the features of FID, KID and precision/recall
  torch::Tensor logits;  ///< float [N,1008]: the fc layer on pool3, the Inception Score's input
};

/// pytorch-fid's InceptionV3 with resize_input=True and normalize_input=True, returning pool3 and
/// the logits. Randomly initialised; load the weights with load_fid_inception_weights.
class FidInceptionV3Impl : public torch::nn::Module {
 public:
  static constexpr int64_t kImageSize = 299;
  static constexpr int64_t kFeatures = 2048;
  static constexpr int64_t kClasses = 1008;

  FidInceptionV3Impl();
  /// `images`: float [N,C,H,W] with values in [0,1], C = 3 (RGB) or 1 (repeated to 3), any H, W.
  /// Resized to 299x299 (bilinear, align_corners=false), mapped to [-1,1], run without autograd.
  /// The batch is run at once: pass batches of a few tens of images (batch 50 on a CPU: ~1.2 GB,
  /// ~16 images/s with 2 threads of a 2.8 GHz Xeon, 8.8 with 1).
  InceptionFeatures forward(const torch::Tensor& images);

 private:
  BasicConv2d conv2d_1a_{nullptr}, conv2d_2a_{nullptr}, conv2d_2b_{nullptr}, conv2d_3b_{nullptr},
      conv2d_4a_{nullptr};
  InceptionA mixed_5b_{nullptr}, mixed_5c_{nullptr}, mixed_5d_{nullptr};
  InceptionB mixed_6a_{nullptr};
  InceptionC mixed_6b_{nullptr}, mixed_6c_{nullptr}, mixed_6d_{nullptr}, mixed_6e_{nullptr};
  InceptionD mixed_7a_{nullptr};
  InceptionE mixed_7b_{nullptr}, mixed_7c_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(FidInceptionV3);

/// Copies a state_dict with pytorch-fid's keys (torchvision's names: Conv2d_1a_3x3.conv.weight,
/// Mixed_5b.branch1x1.bn.running_mean, ..., fc.weight; num_batches_tracked optional) into
/// `network`. Anything else is a gankit::Error "NAME: not pytorch-fid's Inception-v3 weights: ..."
/// naming the first missing or unexpected key or wrong shape (and torchvision's own ImageNet
/// Inception-v3, which is not the FID network, as such).
void load_fid_inception_weights(FidInceptionV3Impl& network, const io::NamedTensors& state,
                                const std::string& name);

/// A FidInceptionV3 with the weights of a .pth file (pytorch-fid's
/// pt_inception-2015-12-05-6726825d.pth, either .pth format).
FidInceptionV3 load_fid_inception_v3(const std::filesystem::path& path);

}  // namespace gankit::metrics
