#include "gankit/metrics/inception_v3.h"

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gankit/error.h"

namespace gankit::metrics {

namespace {

namespace F = torch::nn::functional;

constexpr double kBatchNormEps = 0.001;

BasicConv2d basic_conv(int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                       torch::ExpandingArray<2> stride = 1, torch::ExpandingArray<2> padding = 0) {
  return BasicConv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

/// The FID blocks' 3x3 average pool: stride 1, padding 1, the padding left out of the count (as
/// TensorFlow's average pool), so border outputs are means of the real pixels only.
torch::Tensor average_pool_3x3(const torch::Tensor& x) {
  return torch::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}, /*ceil_mode=*/false, /*count_include_pad=*/false);
}

std::string shape_text(torch::IntArrayRef sizes) {
  std::string text = "[";
  for (size_t i = 0; i < sizes.size(); ++i) text += (i ? ", " : "") + std::to_string(sizes[i]);
  return text + "]";
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

// ---- blocks ----

BasicConv2dImpl::BasicConv2dImpl(torch::nn::Conv2dOptions options) {
  conv = register_module("conv", torch::nn::Conv2d(options.bias(false)));
  bn = register_module(
      "bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(options.out_channels()).eps(kBatchNormEps)));
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x) {
  // Not folded into the convolution's weights: that is ~9% faster on a CPU but doubles the
  // difference from PyTorch's outputs (measured: tests/metrics/inception_v3_test.cpp).
  return torch::batch_norm(conv->forward(x), bn->weight, bn->bias, bn->running_mean, bn->running_var,
                           /*training=*/false, /*momentum=*/0.0, kBatchNormEps, /*cudnn_enabled=*/true)
      .relu_();
}

InceptionAImpl::InceptionAImpl(const InceptionAOptions& options) {
  const int64_t in = options.in_channels();
  branch1x1_ = register_module("branch1x1", basic_conv(in, 64, 1));
  branch5x5_1_ = register_module("branch5x5_1", basic_conv(in, 48, 1));
  branch5x5_2_ = register_module("branch5x5_2", basic_conv(48, 64, 5, 1, 2));
  branch3x3dbl_1_ = register_module("branch3x3dbl_1", basic_conv(in, 64, 1));
  branch3x3dbl_2_ = register_module("branch3x3dbl_2", basic_conv(64, 96, 3, 1, 1));
  branch3x3dbl_3_ = register_module("branch3x3dbl_3", basic_conv(96, 96, 3, 1, 1));
  branch_pool_ = register_module("branch_pool", basic_conv(in, options.pool_features(), 1));
}

torch::Tensor InceptionAImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch1x1_(x),                                         // [N,64,35,35]
                     branch5x5_2_(branch5x5_1_(x)),                         // [N,64,35,35]
                     branch3x3dbl_3_(branch3x3dbl_2_(branch3x3dbl_1_(x))),  // [N,96,35,35]
                     branch_pool_(average_pool_3x3(x))},                    // [N,pool,35,35]
                    1);
}

InceptionBImpl::InceptionBImpl(int64_t in_channels) {
  branch3x3_ = register_module("branch3x3", basic_conv(in_channels, 384, 3, 2));
  branch3x3dbl_1_ = register_module("branch3x3dbl_1", basic_conv(in_channels, 64, 1));
  branch3x3dbl_2_ = register_module("branch3x3dbl_2", basic_conv(64, 96, 3, 1, 1));
  branch3x3dbl_3_ = register_module("branch3x3dbl_3", basic_conv(96, 96, 3, 2));
}

torch::Tensor InceptionBImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch3x3_(x),                                         // [N,384,17,17]
                     branch3x3dbl_3_(branch3x3dbl_2_(branch3x3dbl_1_(x))),  // [N,96,17,17]
                     torch::max_pool2d(x, {3, 3}, {2, 2})},                 // [N,C,17,17]
                    1);
}

InceptionCImpl::InceptionCImpl(const InceptionCOptions& options) {
  const int64_t in = options.in_channels(), c7 = options.channels_7x7();
  branch1x1_ = register_module("branch1x1", basic_conv(in, 192, 1));
  branch7x7_1_ = register_module("branch7x7_1", basic_conv(in, c7, 1));
  branch7x7_2_ = register_module("branch7x7_2", basic_conv(c7, c7, {1, 7}, 1, {0, 3}));
  branch7x7_3_ = register_module("branch7x7_3", basic_conv(c7, 192, {7, 1}, 1, {3, 0}));
  branch7x7dbl_1_ = register_module("branch7x7dbl_1", basic_conv(in, c7, 1));
  branch7x7dbl_2_ = register_module("branch7x7dbl_2", basic_conv(c7, c7, {7, 1}, 1, {3, 0}));
  branch7x7dbl_3_ = register_module("branch7x7dbl_3", basic_conv(c7, c7, {1, 7}, 1, {0, 3}));
  branch7x7dbl_4_ = register_module("branch7x7dbl_4", basic_conv(c7, c7, {7, 1}, 1, {3, 0}));
  branch7x7dbl_5_ = register_module("branch7x7dbl_5", basic_conv(c7, 192, {1, 7}, 1, {0, 3}));
  branch_pool_ = register_module("branch_pool", basic_conv(in, 192, 1));
}

torch::Tensor InceptionCImpl::forward(const torch::Tensor& x) {
  auto b7 = branch7x7_3_(branch7x7_2_(branch7x7_1_(x)));
  auto b7dbl = branch7x7dbl_5_(branch7x7dbl_4_(branch7x7dbl_3_(branch7x7dbl_2_(branch7x7dbl_1_(x)))));
  return torch::cat({branch1x1_(x), b7, b7dbl, branch_pool_(average_pool_3x3(x))}, 1);  // 4 x [N,192,17,17]
}

InceptionDImpl::InceptionDImpl(int64_t in_channels) {
  branch3x3_1_ = register_module("branch3x3_1", basic_conv(in_channels, 192, 1));
  branch3x3_2_ = register_module("branch3x3_2", basic_conv(192, 320, 3, 2));
  branch7x7x3_1_ = register_module("branch7x7x3_1", basic_conv(in_channels, 192, 1));
  branch7x7x3_2_ = register_module("branch7x7x3_2", basic_conv(192, 192, {1, 7}, 1, {0, 3}));
  branch7x7x3_3_ = register_module("branch7x7x3_3", basic_conv(192, 192, {7, 1}, 1, {3, 0}));
  branch7x7x3_4_ = register_module("branch7x7x3_4", basic_conv(192, 192, 3, 2));
}

torch::Tensor InceptionDImpl::forward(const torch::Tensor& x) {
  return torch::cat({branch3x3_2_(branch3x3_1_(x)),                                      // [N,320,8,8]
                     branch7x7x3_4_(branch7x7x3_3_(branch7x7x3_2_(branch7x7x3_1_(x)))),  // [N,192,8,8]
                     torch::max_pool2d(x, {3, 3}, {2, 2})},                              // [N,C,8,8]
                    1);
}

InceptionEImpl::InceptionEImpl(const InceptionEOptions& options) : pool_(options.pool()) {
  const int64_t in = options.in_channels();
  branch1x1_ = register_module("branch1x1", basic_conv(in, 320, 1));
  branch3x3_1_ = register_module("branch3x3_1", basic_conv(in, 384, 1));
  branch3x3_2a_ = register_module("branch3x3_2a", basic_conv(384, 384, {1, 3}, 1, {0, 1}));
  branch3x3_2b_ = register_module("branch3x3_2b", basic_conv(384, 384, {3, 1}, 1, {1, 0}));
  branch3x3dbl_1_ = register_module("branch3x3dbl_1", basic_conv(in, 448, 1));
  branch3x3dbl_2_ = register_module("branch3x3dbl_2", basic_conv(448, 384, 3, 1, 1));
  branch3x3dbl_3a_ = register_module("branch3x3dbl_3a", basic_conv(384, 384, {1, 3}, 1, {0, 1}));
  branch3x3dbl_3b_ = register_module("branch3x3dbl_3b", basic_conv(384, 384, {3, 1}, 1, {1, 0}));
  branch_pool_ = register_module("branch_pool", basic_conv(in, 192, 1));
}

torch::Tensor InceptionEImpl::forward(const torch::Tensor& x) {
  const auto b3 = branch3x3_1_(x);
  const auto b3dbl = branch3x3dbl_2_(branch3x3dbl_1_(x));
  const auto pooled =
      pool_ == InceptionEPool::kMax ? torch::max_pool2d(x, {3, 3}, {1, 1}, {1, 1}) : average_pool_3x3(x);
  return torch::cat({branch1x1_(x),                                     // [N,320,8,8]
                     branch3x3_2a_(b3), branch3x3_2b_(b3),              // 2 x [N,384,8,8]
                     branch3x3dbl_3a_(b3dbl), branch3x3dbl_3b_(b3dbl),  // 2 x [N,384,8,8]
                     branch_pool_(pooled)},                             // [N,192,8,8]
                    1);
}

// ---- the network ----

FidInceptionV3Impl::FidInceptionV3Impl() {
  conv2d_1a_ = register_module("Conv2d_1a_3x3", basic_conv(3, 32, 3, 2));
  conv2d_2a_ = register_module("Conv2d_2a_3x3", basic_conv(32, 32, 3));
  conv2d_2b_ = register_module("Conv2d_2b_3x3", basic_conv(32, 64, 3, 1, 1));
  conv2d_3b_ = register_module("Conv2d_3b_1x1", basic_conv(64, 80, 1));
  conv2d_4a_ = register_module("Conv2d_4a_3x3", basic_conv(80, 192, 3));
  mixed_5b_ = register_module("Mixed_5b", InceptionA(InceptionAOptions(192, 32)));
  mixed_5c_ = register_module("Mixed_5c", InceptionA(InceptionAOptions(256, 64)));
  mixed_5d_ = register_module("Mixed_5d", InceptionA(InceptionAOptions(288, 64)));
  mixed_6a_ = register_module("Mixed_6a", InceptionB(288));
  mixed_6b_ = register_module("Mixed_6b", InceptionC(InceptionCOptions(768, 128)));
  mixed_6c_ = register_module("Mixed_6c", InceptionC(InceptionCOptions(768, 160)));
  mixed_6d_ = register_module("Mixed_6d", InceptionC(InceptionCOptions(768, 160)));
  mixed_6e_ = register_module("Mixed_6e", InceptionC(InceptionCOptions(768, 192)));
  mixed_7a_ = register_module("Mixed_7a", InceptionD(768));
  mixed_7b_ = register_module("Mixed_7b", InceptionE(InceptionEOptions(1280).pool(InceptionEPool::kAverage)));
  mixed_7c_ = register_module("Mixed_7c", InceptionE(InceptionEOptions(2048).pool(InceptionEPool::kMax)));
  fc_ = register_module("fc", torch::nn::Linear(kFeatures, kClasses));
  eval();
}

InceptionFeatures FidInceptionV3Impl::forward(const torch::Tensor& images) {
  if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3) || !images.is_floating_point()) {
    fail("FID Inception-v3: images must be float [N,3,H,W] or [N,1,H,W] in [0,1], got {} {}",
         c10::toString(images.scalar_type()), shape_text(images.sizes()));
  }
  torch::NoGradGuard no_grad;
  const auto options = fc_->weight.options();
  if (images.size(0) == 0)
    return {torch::empty({0, kFeatures}, options), torch::empty({0, kClasses}, options)};
  auto x = images.to(options.device(), torch::kFloat);
  if (x.size(1) == 1) x = x.expand({-1, 3, -1, -1});
  // pytorch-fid's resize_input and normalize_input.
  x = F::interpolate(x, F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{kImageSize, kImageSize})
                            .mode(torch::kBilinear)
                            .align_corners(false));  // [N,3,299,299]
  x = 2 * x - 1;
  // On a CPU, channels-last runs the convolutions through oneDNN: 1.8x the images a second.
  if (x.is_cpu()) x = x.contiguous(at::MemoryFormat::ChannelsLast);
  x = conv2d_2b_(conv2d_2a_(conv2d_1a_(x)));                     // [N,64,147,147]
  x = torch::max_pool2d(x, {3, 3}, {2, 2});                      // [N,64,73,73]
  x = conv2d_4a_(conv2d_3b_(x));                                 // [N,192,71,71]
  x = torch::max_pool2d(x, {3, 3}, {2, 2});                      // [N,192,35,35]
  x = mixed_5d_(mixed_5c_(mixed_5b_(x)));                        // [N,288,35,35]
  x = mixed_6a_(x);                                              // [N,768,17,17]
  x = mixed_6e_(mixed_6d_(mixed_6c_(mixed_6b_(x))));             // [N,768,17,17]
  x = mixed_7c_(mixed_7b_(mixed_7a_(x)));                        // [N,2048,8,8]
  auto pool = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);  // [N,2048]
  auto logits = fc_(pool);                                       // [N,1008]
  return {pool, logits};
}

// ---- weights ----

void load_fid_inception_weights(FidInceptionV3Impl& network, const io::NamedTensors& state,
                                const std::string& name) {
  std::unordered_map<std::string, const torch::Tensor*> given;
  for (const auto& [key, tensor] : state) given.emplace(key, &tensor);
  auto wanted = network.named_parameters();
  for (const auto& buffer : network.named_buffers()) wanted.insert(buffer.key(), buffer.value());

  // torchvision's ImageNet Inception-v3 has the same block names but 1000 classes and an
  // auxiliary classifier: worth naming, since it is the obvious wrong download.
  bool torchvision = false;
  for (const auto& [key, tensor] : state) torchvision |= key.rfind("AuxLogits.", 0) == 0;
  if (const auto fc = given.find("fc.weight"); fc != given.end()) {
    torchvision |= fc->second->dim() == 2 && fc->second->size(0) == 1000;
  }
  const auto problem = [&](const std::string& what) {
    fail("{}: not pytorch-fid's Inception-v3 weights: {}{}", name, what,
         torchvision ? " (this looks like torchvision's ImageNet Inception-v3, 1000 classes; FID needs "
                       "pytorch-fid's pt_inception-2015-12-05-6726825d.pth, 1008 classes)"
                     : "");
  };

  std::vector<std::string> missing;
  std::unordered_set<std::string> known;
  for (const auto& item : wanted) {
    known.insert(item.key());
    if (!given.count(item.key()) && !ends_with(item.key(), ".num_batches_tracked"))
      missing.push_back(item.key());
  }
  if (!missing.empty()) {
    problem(fmt::format("missing {}{}", missing.front(),
                        missing.size() > 1 ? fmt::format(" (and {} more keys)", missing.size() - 1) : ""));
  }
  for (const auto& [key, tensor] : state) {
    if (!known.count(key)) problem("unexpected key " + key);
  }
  for (const auto& item : wanted) {
    const auto found = given.find(item.key());
    if (found == given.end()) continue;
    const torch::Tensor& source = *found->second;
    if (source.sizes() != item.value().sizes()) {
      problem(fmt::format("{} has shape {}, expected {}", item.key(), shape_text(source.sizes()),
                          shape_text(item.value().sizes())));
    }
    if (item.value().is_floating_point() && !source.is_floating_point()) {
      problem(fmt::format("{} holds {}, expected floating point", item.key(),
                          c10::toString(source.scalar_type())));
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& item : wanted) {
    const auto found = given.find(item.key());
    if (found != given.end()) item.value().copy_(*found->second);
  }
}

FidInceptionV3 load_fid_inception_v3(const std::filesystem::path& path) {
  const auto state = io::read_state_dict(path);
  FidInceptionV3 network;
  load_fid_inception_weights(*network, state, path.string());
  return network;
}

}  // namespace gankit::metrics
