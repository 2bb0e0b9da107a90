// Loads weights exported from a PyTorch reference model (e.g. tests/data/make_fixtures_pix2pix.py):
// parameters.npy and buffers.npy hold every tensor of module.parameters() / module.buffers(),
// flattened and joined in order; LibTorch's parameters() / buffers() walk a module tree in the
// same order when the C++ module registers its layers as the reference does.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gankit/io/npy.h"

namespace gankit::test {

/// Copies `flat`'s values into `tensors`, in order; fails the test unless the sizes add up exactly.
inline void copy_flat(const std::vector<torch::Tensor>& tensors, const torch::Tensor& flat,
                      const std::string& what) {
  torch::NoGradGuard no_grad;
  int64_t at = 0;
  for (auto tensor : tensors) {
    ASSERT_LE(at + tensor.numel(), flat.numel()) << what << ": the module has more values than the fixture";
    tensor.copy_(flat.slice(0, at, at + tensor.numel()).view(tensor.sizes()));  // casts num_batches_tracked
    at += tensor.numel();
  }
  EXPECT_EQ(at, flat.numel()) << what << ": the fixture has more values than the module";
}

/// Loads folder/parameters.npy and folder/buffers.npy into `module`.
inline void load_reference_weights(torch::nn::Module& module, const std::filesystem::path& folder) {
  copy_flat(module.parameters(), io::read_npy(folder / "parameters.npy"), "parameters");
  copy_flat(module.buffers(), io::read_npy(folder / "buffers.npy"), "buffers");
}

/// Largest absolute difference between two tensors of the same shape.
inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a - b).abs().max().item<double>();
}

}  // namespace gankit::test
