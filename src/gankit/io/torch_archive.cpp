#include "gankit/io/torch_archive.h"

#include <map>
#include <set>
#include <string_view>

#include "gankit/io/torch_pickle.h"
#include "gankit/io/zip_reader.h"

namespace gankit::io {

namespace {

using pickle::Kind;
using pickle::Value;

/// Bounds on what gankit reads of an archive: an inflated entry (code/, pickles) and all of them.
constexpr uint64_t kMaxInflatedEntry = uint64_t{256} << 20;
constexpr uint64_t kMaxInflatedTotal = uint64_t{1} << 30;

[[noreturn]] void foreign(const std::string& name, const std::string& reason) {
  throw ArchiveError(ArchiveError::Problem::kForeign, name, reason);
}

/// Every entry's content, CRC-checked: stored ones where they lie, deflated ones inflated.
class CheckedEntries {
 public:
  CheckedEntries(const ZipReader& zip, const std::string& name) {
    uint64_t inflated = 0;
    for (const auto& entry : zip.entries()) {
      if (entry.method != 0) {
        inflated += entry.size;
        if (inflated > kMaxInflatedTotal)
          fail("{}: its compressed entries inflate past {} bytes", name, kMaxInflatedTotal);
      }
      auto& buffer = buffers_[entry.name];
      content_[entry.name] =
          zip.read_into(entry, buffer, entry.method == 0 ? ZipReader::kNoLimit : kMaxInflatedEntry);
      stored_[entry.name] = entry.method == 0;
    }
  }
  /// The entry's bytes, or nullopt; `stored` says whether they lie in the archive itself.
  std::optional<std::string_view> find(const std::string& entry, bool* stored = nullptr) const {
    const auto found = content_.find(entry);
    if (found == content_.end()) return std::nullopt;
    if (stored) *stored = stored_.at(entry);
    return found->second;
  }

 private:
  std::map<std::string, std::string> buffers_;
  std::map<std::string, std::string_view> content_;
  std::map<std::string, bool> stored_;
};

/// Which attributes of a TorchScript class are parameters and which buffers.
struct ClassInfo {
  std::set<std::string> parameters, buffers;
};
using Classes = std::map<std::string, ClassInfo>;

/// The names in `"a", "b", ]` (the rest of a `__parameters__ = [` line).
std::set<std::string> quoted_names(std::string_view list, const std::string& name, const std::string& file) {
  std::set<std::string> names;
  for (size_t at = 0;;) {
    while (at < list.size() && (list[at] == ' ' || list[at] == ',')) ++at;
    if (at < list.size() && list[at] == ']') return names;
    const size_t end = list.find('"', at + 1);
    if (at >= list.size() || list[at] != '"' || end == std::string_view::npos ||
        list.substr(at, end - at).find('\\') != std::string_view::npos) {
      fail("{}: {} lists its parameters in a way LibTorch never writes", name, file);
    }
    names.emplace(list.substr(at + 1, end - at - 1));
    at = end + 1;
  }
}

/// Adds the classes a code/ file declares (module `module`, e.g. "__torch__.___torch_mangle_3").
void read_classes(std::string_view code, const std::string& module, Classes& classes, const std::string& name,
                  const std::string& file) {
  ClassInfo* current = nullptr;
  for (size_t start = 0; start < code.size();) {
    size_t end = code.find('\n', start);
    if (end == std::string_view::npos) end = code.size();
    const std::string_view line = code.substr(start, end - start);
    start = end + 1;
    if (line.rfind("class ", 0) == 0) {
      const size_t paren = line.find('(');
      if (paren == std::string_view::npos) fail("{}: {} declares a class LibTorch never writes", name, file);
      current = &classes[module + "." + std::string(line.substr(6, paren - 6))];
    } else if (current && line.rfind("  __parameters__ = [", 0) == 0) {
      current->parameters = quoted_names(line.substr(20), name, file);
    } else if (current && line.rfind("  __buffers__ = [", 0) == 0) {
      current->buffers = quoted_names(line.substr(17), name, file);
    }
  }
}

Classes read_all_classes(const ZipReader& zip, const CheckedEntries& entries, const std::string& prefix,
                         const std::string& name) {
  Classes classes;
  const std::string code = prefix + "code/";
  for (const auto& entry : zip.entries()) {
    const auto& path = entry.name;
    if (path.rfind(code, 0) != 0 || path.size() < code.size() + 3 ||
        path.compare(path.size() - 3, 3, ".py") != 0)
      continue;
    std::string module = path.substr(code.size(), path.size() - code.size() - 3);
    for (auto& c : module) c = c == '/' ? '.' : c;
    read_classes(*entries.find(path), module, classes, name, path);
  }
  return classes;
}

/// Refuses what LibTorch archives never name: nothing in a file is ever called, but a global
/// outside this list means the file is not one gankit wrote (e.g. a crafted `posix.system`).
void check_global(const std::string& global, const std::string& name) {
  static const std::set<std::string> kKnown = {
      "torch._utils._rebuild_tensor_v2",  "collections.OrderedDict",
      "torch.jit._pickle.build_intlist",  "torch.jit._pickle.build_doublelist",
      "torch.jit._pickle.build_boollist", "torch.jit._pickle.restore_type_tag",
  };
  if (global.rfind("__torch__.", 0) == 0 || kKnown.count(global) || pickle::storage_dtype(global)) return;
  foreign(name, fmt::format("pickle calls {}, which gankit never writes", global));
}

/// Turns the unpickled objects into an ArchiveTree, bounding the depth it walks.
class Converter {
 public:
  Converter(const Classes& classes, std::string name) : classes_(classes), name_(std::move(name)) {}

  ArchiveTree archive(const Value& object, int depth, const std::string& path) const {
    if (depth > kMaxArchiveDepth)
      foreign(name_, fmt::format("archives nest deeper than {} levels, which gankit never writes",
                                 kMaxArchiveDepth));
    const auto info = classes_.find(object.text);
    if (info == classes_.end())
      fail("{}: data.pkl names class {}, which its code/ does not declare", name_, object.text);
    if (!object.state || object.state->kind != Kind::kDict)
      fail("{}: {} has no attributes in data.pkl", name_, path.empty() ? "the archive" : path);
    ArchiveTree tree;
    const auto& items = object.state->items;
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
      if (items[i]->kind != Kind::kString)
        foreign(name_, "an attribute name is " + pickle::describe(*items[i]));
      const std::string& key = items[i]->text;
      if (const auto problem = key_problem(key); !problem.empty()) foreign(name_, problem + " in data.pkl");
      tree.entries.push_back(
          entry(key, *items[i + 1], info->second, depth, path.empty() ? key : path + "." + key));
    }
    return tree;
  }

 private:
  ArchiveTree::Entry entry(const std::string& key, const Value& value, const ClassInfo& info, int depth,
                           const std::string& path) const {
    ArchiveTree::Entry entry;
    entry.key = key;
    if (value.kind == Kind::kObject && value.text.rfind("__torch__.", 0) == 0) {
      entry.kind = ArchiveTree::Kind::kArchive;
      entry.archive = std::make_unique<ArchiveTree>(archive(value, depth + 1, path));
    } else if (value.kind == Kind::kTensor) {
      entry.kind = info.parameters.count(key) ? ArchiveTree::Kind::kParameter
                   : info.buffers.count(key)  ? ArchiveTree::Kind::kBuffer
                                              : ArchiveTree::Kind::kTensor;
      // A view of the archive's bytes when it covers them contiguously; a copy otherwise.
      entry.tensor = pickle::checked_view(*value.tensor, path, name_).contiguous();
      entry.requires_grad = value.tensor->requires_grad;
    } else {
      entry.value = ivalue(value, 0, path);
    }
    return entry;
  }

  c10::IValue ivalue(const Value& value, int depth, const std::string& path) const {
    if (depth > kMaxValueDepth)
      foreign(name_, fmt::format("{} nests values deeper than {} levels, which gankit never writes", path,
                                 kMaxValueDepth));
    switch (value.kind) {
      case Kind::kNone:
        return {};
      case Kind::kBool:
        return value.integer != 0;
      case Kind::kInt:
        return value.integer;
      case Kind::kFloat:
        return value.real;
      case Kind::kString:
        return value.text;
      case Kind::kTuple: {
        std::vector<c10::IValue> elements;
        for (const Value* item : value.items) elements.push_back(ivalue(*item, depth + 1, path));
        return c10::ivalue::Tuple::create(std::move(elements));
      }
      case Kind::kList:
        return list(value, path);
      default:
        foreign(name_, fmt::format("{} holds {}, which gankit never writes", path, pickle::describe(value)));
    }
  }

  /// A TorchScript typed list: ints, floats, bools or strs.
  c10::IValue list(const Value& value, const std::string& path) const {
    const auto elements = [&](Kind kind, auto convert) {
      c10::List<decltype(convert(value))> out;
      for (const Value* item : value.items) {
        if (item->kind != kind)
          foreign(name_,
                  fmt::format("{} is a {} list holding {}", path, value.text, pickle::describe(*item)));
        out.push_back(convert(*item));
      }
      return c10::IValue(out);
    };
    if (value.text == "int") return elements(Kind::kInt, [](const Value& v) { return v.integer; });
    if (value.text == "float") return elements(Kind::kFloat, [](const Value& v) { return v.real; });
    if (value.text == "bool") return elements(Kind::kBool, [](const Value& v) { return v.integer != 0; });
    if (value.text == "List[str]") return elements(Kind::kString, [](const Value& v) { return v.text; });
    foreign(name_, fmt::format("{} holds a list{}, which gankit never writes", path,
                               value.text.empty() ? "" : " of type " + value.text));
  }

  const Classes& classes_;
  std::string name_;
};

/// The storages' bytes: views of the archive where stored aligned, copies otherwise.
void read_storages(const pickle::StorageTable& storages, const CheckedEntries& entries,
                   const std::string& prefix, const std::shared_ptr<const std::string>& bytes,
                   const std::string& name) {
  for (const auto& storage : storages.roots()) {
    const std::string key = "data/" + storage->key;
    bool stored = false;
    const auto data = entries.find(prefix + key, &stored);
    if (!data) fail("{}: storage {} is missing", name, key);
    const size_t element = c10::elementSize(storage->dtype);
    if (data->size() % element != 0)
      fail("{}: {} holds {} bytes, not a whole number of {}", name, key, data->size(),
           c10::toString(storage->dtype));
    if (stored && reinterpret_cast<uintptr_t>(data->data()) % element == 0) {
      storage->data = torch::from_blob(
          const_cast<char*>(data->data()), {static_cast<int64_t>(data->size() / element)}, [bytes](void*) {},
          torch::TensorOptions().dtype(storage->dtype));
    } else {
      storage->data = pickle::tensor_from_bytes(data->data(), data->size(), storage->dtype, key, name);
    }
  }
}

/// The one top folder every entry sits in ("archive/", "latest.pt.123.abc/").
std::string top_folder(const ZipReader& zip, const std::string& name) {
  if (zip.entries().empty()) foreign(name, "an empty zip archive");
  const std::string& first = zip.entries().front().name;
  const size_t slash = first.find('/');
  if (slash == std::string::npos) foreign(name, "a zip archive that is not a LibTorch archive");
  return first.substr(0, slash + 1);
}

}  // namespace

ArchiveTree decode_torch_archive(std::shared_ptr<const std::string> bytes, const std::string& name) {
  const ZipReader zip(*bytes, name);
  const std::string prefix = top_folder(zip, name);
  const CheckedEntries entries(zip, name);
  const auto data_pkl = entries.find(prefix + "data.pkl");
  if (!data_pkl) foreign(name, "a zip archive without data.pkl, not a LibTorch archive");
  if (const auto order = entries.find(prefix + "byteorder"); order && *order != "little")
    foreign(name, "a big-endian archive, which gankit cannot read");
  if (const auto constants = entries.find(prefix + "constants.pkl")) {
    pickle::Unpickler unpickler(*constants, 0, name, "constants.pkl", {},
                                [&](const std::string& global) { check_global(global, name); });
    const Value* value = unpickler.load();
    if (value->kind != Kind::kTuple || !value->items.empty())
      foreign(name, "a TorchScript archive with constants, which gankit never writes");
  }
  const Classes classes = read_all_classes(zip, entries, prefix, name);
  pickle::StorageTable storages(name);
  pickle::Unpickler unpickler(
      *data_pkl, 0, name, "data.pkl", [&](pickle::Unpickler& u, Value* pid) { return storages.load(u, pid); },
      [&](const std::string& global) { check_global(global, name); });
  const Value* root = unpickler.load();
  if (root->kind != Kind::kObject || root->text.rfind("__torch__.", 0) != 0)
    foreign(name, "its data.pkl holds " + pickle::describe(*root) + ", not an archive");
  read_storages(storages, entries, prefix, bytes, name);
  return Converter(classes, name).archive(*root, 0, "");
}

}  // namespace gankit::io
