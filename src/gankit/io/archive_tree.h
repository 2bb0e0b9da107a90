// What a torch::serialize archive holds, as plain data: keys in order, each a value, a tensor
// (parameter, buffer or plain attribute) or a nested archive. The form in which gankit checks
// archives, converts them between LibTorch's zip and gankit's tensor files, and rebuilds them
// for LibTorch from validated data only.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gankit/error.h"

namespace gankit::io {

struct ArchiveTree {
  enum class Kind { kValue, kParameter, kBuffer, kTensor, kArchive };
  struct Entry {
    std::string key;
    Kind kind = Kind::kValue;
    /// kValue: None, a bool, int, float or str, a tuple of values, or a list of ints, floats,
    /// bools or strs.
    c10::IValue value;
    /// kParameter, kBuffer, kTensor (a tensor attribute that is neither): CPU.
    torch::Tensor tensor;
    bool requires_grad = false;
    /// kArchive.
    std::unique_ptr<ArchiveTree> archive;
  };
  std::vector<Entry> entries;
};

/// Archives nest at most this deep (a checkpoint: about 20), values (tuples) at most kMaxValueDepth.
constexpr int kMaxArchiveDepth = 48;
constexpr int kMaxValueDepth = 8;

/// Why bytes are not an archive gankit reads: `damaged` for one of its formats failing a check
/// (checksum, truncation, bounds), `foreign` for anything else. what() is "NAME: REASON"; callers
/// say what the file should have been ("PATH: damaged checkpoint (REASON)").
class ArchiveError : public Error {
 public:
  enum class Problem { kForeign, kDamaged };
  ArchiveError(Problem problem, const std::string& name, std::string reason)
      : Error(name + ": " + reason), problem_(problem), reason_(std::move(reason)) {}
  Problem problem() const { return problem_; }
  const std::string& reason() const { return reason_; }

 private:
  Problem problem_;
  std::string reason_;
};

/// What is wrong with an archive key, or "" if nothing: keys are 1 to 256 characters of
/// [A-Za-z0-9_./:-] and do not start with "__" (LibTorch prints them into the TorchScript code
/// of the archives it writes and parses back).
std::string key_problem(const std::string& key);

/// What is wrong with a kValue value `depth` tuples down, or "" if nothing.
std::string value_problem(const c10::IValue& value, int depth = 0);

/// The tree of a TorchScript module as torch::serialize archives build them (tensors shared, not
/// copied); `path` names it in errors. A key, a value or a depth the tree cannot hold is a
/// gankit::Error "cannot save PATH.KEY: ...".
ArchiveTree tree_of_module(const torch::jit::Module& module, int depth = 0, const std::string& path = "");

/// Fills `archive` with `tree`: the same keys, kinds, values and copies of the tensors.
void write_tree(const ArchiveTree& tree, torch::serialize::OutputArchive& archive);

/// The dotted path ("generator.body.0.weight") of the first floating-point tensor holding a NaN or
/// an infinity, if any.
std::optional<std::string> first_non_finite(const ArchiveTree& tree);

}  // namespace gankit::io
