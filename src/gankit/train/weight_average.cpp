#include "gankit/train/weight_average.h"

#include <algorithm>

namespace gankit::train {

namespace {

template <typename F>
void for_each_pair(std::vector<torch::Tensor> a, std::vector<torch::Tensor> b, F&& f) {
  TORCH_CHECK(a.size() == b.size(), "weight average: modules differ in shape");
  for (size_t i = 0; i < a.size(); ++i) f(a[i], b[i]);
}

}  // namespace

void update_weight_average(torch::nn::Module& average, const torch::nn::Module& source, double decay,
                           int64_t updates) {
  torch::NoGradGuard no_grad;
  const double d = std::min(decay, (1.0 + updates) / (10.0 + updates));
  for_each_pair(average.parameters(), source.parameters(),
                [d](torch::Tensor& avg, const torch::Tensor& w) { avg.mul_(d).add_(w, 1.0 - d); });
  for_each_pair(average.buffers(), source.buffers(),
                [](torch::Tensor& avg, const torch::Tensor& w) { avg.copy_(w); });
}

void copy_weights(torch::nn::Module& target, const torch::nn::Module& source) {
  torch::NoGradGuard no_grad;
  for_each_pair(target.parameters(), source.parameters(),
                [](torch::Tensor& t, const torch::Tensor& s) { t.copy_(s); });
  for_each_pair(target.buffers(), source.buffers(), [](torch::Tensor& t, const torch::Tensor& s) { t.copy_(s); });
}

}  // namespace gankit::train
