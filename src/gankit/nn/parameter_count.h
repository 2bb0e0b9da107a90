// How many numbers a network learns.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace gankit::nn {

/// The elements of every parameter of `module` and its children.
inline int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace gankit::nn
