// PyTorch for the tests: Debian's python3-torch runs exported generators through
// tests/support/run_pytorch.py (safetensors into python/gankit_models.py, or torch.jit.load).
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

#include "gankit/io/npy.h"
#include "support/generator_checkpoints.h"
#include "support/onnx_runtime.h"
#include "support/test_support.h"

namespace gankit::test {

#define GANKIT_REQUIRE_PYTORCH()                                                             \
  if (std::system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") != 0)        \
  GTEST_SKIP() << "python3-torch is not installed (scripts/test.sh installs it)"

/// PyTorch's output for a batch and for its first item alone.
struct PytorchOutputs {
  torch::Tensor batch, first;
};

/// Runs `model` ("safetensors" or "torchscript" `kind`) in PyTorch on `inputs` (in order), and on
/// their first item alone; undefined outputs (and a test failure) when PyTorch fails.
inline PytorchOutputs run_in_pytorch(const std::string& kind, const std::filesystem::path& model,
                                    const std::vector<torch::Tensor>& inputs, const std::filesystem::path& scratch) {
  std::string command = "OMP_NUM_THREADS=1 /usr/bin/python3 '" + (source_root() / "tests/support/run_pytorch.py").string() +
                        "' " + kind + " '" + model.string() + "' '" + (scratch / "py_out.npy").string() + "'";
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto file = scratch / ("py_in_" + std::to_string(i) + ".npy");
    io::write_npy(file, inputs[i].contiguous());
    command += " '" + file.string() + "'";
  }
  command += " 2>'" + (scratch / "py_err.txt").string() + "'";
  const int status = std::system(command.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "PyTorch failed on " << model << ": " << slurp(scratch / "py_err.txt");
    return {};
  }
  return {io::read_npy(scratch / "py_out.npy"), io::read_npy(scratch / "py_out.first.npy")};
}

/// The inputs a generator takes, in its forward's order.
inline std::vector<torch::Tensor> positional_inputs(const GeneratorInputs& inputs) {
  std::vector<torch::Tensor> out;
  for (const auto& t : {inputs.z, inputs.labels, inputs.images, inputs.masks}) {
    if (t.defined()) out.push_back(t);
  }
  return out;
}

/// Runs the export `model` of `saved`'s generator in PyTorch (`kind` as run_in_pytorch) at batch 7
/// and on its first item alone, and expects gankit's own output within 1e-5 at both.
inline void expect_pytorch_matches_gankit(const std::string& kind, const std::filesystem::path& model,
                                          const SavedGenerators& saved, const GeneratorCase& c,
                                          const std::filesystem::path& scratch) {
  const auto inputs = make_inputs(saved.header, 7);
  const auto outputs = run_in_pytorch(kind, model, positional_inputs(inputs), scratch);
  ASSERT_TRUE(outputs.batch.defined());
  const auto first = first_item(inputs);
  for (const auto& [n, actual, expected] :
       {std::tuple{1, outputs.first, reference_output(saved.raw, saved.header.kind, first)},
        std::tuple{7, outputs.batch, reference_output(saved.raw, saved.header.kind, inputs)}}) {
    EXPECT_TRUE(informative(expected));
    ASSERT_EQ(actual.sizes(), expected.sizes());
    const double delta = (actual - expected).abs().max().item<double>();
    EXPECT_LE(delta, 1e-5) << c.model << " at batch " << n;
    std::cout << "[ " << kind << " ] " << case_name(c) << " batch " << n << " max |delta| " << delta << '\n';
  }
}

}  // namespace gankit::test
