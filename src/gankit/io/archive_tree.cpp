#include "gankit/io/archive_tree.h"

namespace gankit::io {

std::string key_problem(const std::string& key) {
  if (key.empty() || key.size() > 256) return fmt::format("a key of {} characters", key.size());
  for (const char c : key) {
    const bool fine = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '/' || c == ':' || c == '-';
    if (!fine) return fmt::format("the key '{}' holds a character gankit never writes", key);
  }
  if (key.rfind("__", 0) == 0) return fmt::format("the reserved key '{}'", key);
  return "";
}

std::string value_problem(const c10::IValue& value, int depth) {
  if (depth > kMaxValueDepth) return fmt::format("values nested deeper than {} levels", kMaxValueDepth);
  if (value.isNone() || value.isBool() || value.isInt() || value.isDouble() || value.isString()) return "";
  if (value.isIntList() || value.isDoubleList() || value.isBoolList()) return "";
  if (value.isList()) {
    const auto type = value.type();  // a new ListType: kept alive here
    if (*type == *c10::ListType::ofStrings()) return "";
    return "a list of type " + type->annotation_str();
  }
  if (value.isTuple()) {
    for (const auto& element : value.toTupleRef().elements()) {
      auto problem = value_problem(element, depth + 1);
      if (!problem.empty()) return problem;
    }
    return "";
  }
  return "a value of type " + value.type()->annotation_str();
}

ArchiveTree tree_of_module(const torch::jit::Module& module, int depth, const std::string& path) {
  if (depth > kMaxArchiveDepth)
    fail("cannot save {}: archives nested deeper than {} levels", path, kMaxArchiveDepth);
  const auto type = module.type();
  ArchiveTree tree;
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    ArchiveTree::Entry entry;
    entry.key = type->getAttributeName(i);
    const std::string where = path.empty() ? entry.key : path + "." + entry.key;
    if (const auto problem = key_problem(entry.key); !problem.empty())
      fail("cannot save {}: {}", where, problem);
    const c10::IValue& slot = module._ivalue()->getSlot(i);
    if (type->getAttribute(i)->is_module()) {
      entry.kind = ArchiveTree::Kind::kArchive;
      entry.archive = std::make_unique<ArchiveTree>(
          tree_of_module(torch::jit::Module(slot.toObject()), depth + 1, where));
    } else if (slot.isTensor()) {
      entry.kind = type->is_parameter(i) ? ArchiveTree::Kind::kParameter
                   : type->is_buffer(i)  ? ArchiveTree::Kind::kBuffer
                                         : ArchiveTree::Kind::kTensor;
      entry.tensor = slot.toTensor().detach();
      entry.requires_grad = slot.toTensor().requires_grad();
    } else {
      if (const auto problem = value_problem(slot); !problem.empty())
        fail("cannot save {}: {}", where, problem);
      entry.value = slot;
    }
    tree.entries.push_back(std::move(entry));
  }
  return tree;
}

void write_tree(const ArchiveTree& tree, torch::serialize::OutputArchive& archive) {
  using Kind = ArchiveTree::Kind;
  for (const auto& entry : tree.entries) {
    switch (entry.kind) {
      case Kind::kValue:
        archive.write(entry.key, entry.value);
        break;
      case Kind::kParameter:
      case Kind::kBuffer:
      case Kind::kTensor: {
        // A copy of its own: the tree's tensor may share a file's bytes, which need not outlive it.
        auto tensor = entry.tensor.detach().clone();
        tensor.set_requires_grad(entry.requires_grad);
        if (entry.kind == Kind::kTensor) {
          archive.write(entry.key, c10::IValue(tensor));
        } else {
          archive.write(entry.key, tensor, /*is_buffer=*/entry.kind == Kind::kBuffer);
        }
        break;
      }
      case Kind::kArchive: {
        torch::serialize::OutputArchive nested;
        write_tree(*entry.archive, nested);
        archive.write(entry.key, nested);
        break;
      }
    }
  }
}

std::optional<std::string> first_non_finite(const ArchiveTree& tree) {
  for (const auto& entry : tree.entries) {
    if (entry.kind == ArchiveTree::Kind::kArchive) {
      if (auto inner = first_non_finite(*entry.archive)) return entry.key + "." + *inner;
    } else if (entry.tensor.defined() && entry.tensor.is_floating_point() &&
               !torch::isfinite(entry.tensor).all().item<bool>()) {
      return entry.key;
    }
  }
  return std::nullopt;
}

}  // namespace gankit::io
