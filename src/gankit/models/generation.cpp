#include "gankit/models/generation.h"

#include <algorithm>
#include <vector>

#include "gankit/data/transforms.h"

namespace gankit::models {

torch::Tensor generate_images(Generator& generator, const torch::Tensor& z, const torch::Tensor& labels,
                              int64_t batch_size) {
  TORCH_CHECK(batch_size >= 1, "generate_images: batch_size must be at least 1, got ", batch_size);
  const bool was_training = generator.is_training();
  generator.eval();
  torch::NoGradGuard no_grad;
  const auto device = generator.parameters().front().device();
  std::vector<torch::Tensor> chunks;
  for (int64_t start = 0; start < z.size(0); start += batch_size) {
    const int64_t n = std::min(batch_size, z.size(0) - start);
    const auto batch_labels = labels.defined() ? labels.narrow(0, start, n).to(device) : torch::Tensor();
    const auto images = generator.forward(z.narrow(0, start, n).to(device), batch_labels);
    chunks.push_back(data::from_unit_range(
        images.to(torch::kCPU, torch::kFloat)));  // float32, whatever precision G ran in
  }
  generator.train(was_training);
  return torch::cat(chunks);
}

}  // namespace gankit::models
