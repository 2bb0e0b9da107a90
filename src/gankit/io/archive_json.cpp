#include "gankit/io/archive_json.h"

#include <cmath>
#include <limits>
#include <set>
#include <unordered_map>

#include "gankit/io/bounded_json.h"

namespace gankit::io {

namespace {

using json = nlohmann::json;
using Kind = ArchiveTree::Kind;

// ---- writing ----

json float_json(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

json value_json(const c10::IValue& value) {
  if (value.isNone()) return {{"none", nullptr}};
  if (value.isBool()) return {{"bool", value.toBool()}};
  if (value.isInt()) return {{"int", value.toInt()}};
  if (value.isDouble()) return {{"float", float_json(value.toDouble())}};
  if (value.isString()) return {{"str", value.toStringRef()}};
  if (value.isTuple()) {
    json elements = json::array();
    for (const auto& element : value.toTupleRef().elements()) elements.push_back(value_json(element));
    return {{"tuple", std::move(elements)}};
  }
  json elements = json::array();
  std::string of;
  if (value.isIntList()) {
    for (const int64_t x : value.toIntList()) elements.push_back(x);
    of = "int";
  } else if (value.isDoubleList()) {
    for (const double x : value.toDoubleList()) elements.push_back(float_json(x));
    of = "float";
  } else if (value.isBoolList()) {
    for (const bool x : value.toBoolList()) elements.push_back(x);
    of = "bool";
  } else {  // value_problem let nothing else through
    for (const auto& x : value.toListRef()) elements.push_back(x.toStringRef());
    of = "str";
  }
  return {{"list", std::move(elements)}, {"of", of}};
}

json archive_json(const ArchiveTree& tree, const std::string& path, TensorFile& file) {
  json out = json::array();
  for (const auto& entry : tree.entries) {
    const std::string name = path + entry.key;
    json item;
    switch (entry.kind) {
      case Kind::kValue: {
        const auto problem = value_problem(entry.value);
        if (!problem.empty()) fail("cannot save {}: {}", name, problem);
        item = {{"value", value_json(entry.value)}};
        break;
      }
      case Kind::kArchive:
        item = {{"archive", archive_json(*entry.archive, name + ".", file)}};
        break;
      default: {
        const char* role = entry.kind == Kind::kParameter ? "parameter"
                           : entry.kind == Kind::kBuffer  ? "buffer"
                                                          : "tensor";
        item = {{role, name}, {"requires_grad", entry.requires_grad}};
        file.tensors.emplace_back(name, entry.tensor);
      }
    }
    out.push_back(json::array({entry.key, std::move(item)}));
  }
  return out;
}

// ---- reading ----

/// Rebuilds a tree from the structure JSON, taking each tensor once from the file.
class Reader {
 public:
  Reader(const TensorFile& file, std::string name) : name_(std::move(name)) {
    for (const auto& [tensor_name, tensor] : file.tensors) tensors_.emplace(tensor_name, tensor);
  }

  ArchiveTree archive(const json& items, int depth) {
    if (depth > kMaxArchiveDepth) bad(fmt::format("archives nest deeper than {} levels", kMaxArchiveDepth));
    if (!items.is_array()) bad("an archive is not a list of [key, entry] pairs");
    ArchiveTree tree;
    std::set<std::string> keys;
    for (const auto& item : items) {
      if (!item.is_array() || item.size() != 2 || !item[0].is_string() || !item[1].is_object())
        bad("an archive item is not a [key, entry] pair");
      ArchiveTree::Entry entry;
      entry.key = item[0].get<std::string>();
      if (const auto problem = key_problem(entry.key); !problem.empty()) bad(problem);
      if (!keys.insert(entry.key).second) bad("the key '" + entry.key + "' appears twice");
      read_entry(item[1], depth, entry);
      tree.entries.push_back(std::move(entry));
    }
    return tree;
  }

  /// Every tensor of the file must belong to the archive.
  void check_all_used() const {
    if (used_ != tensors_.size())
      bad(fmt::format("{} of its tensors are not in the archive", tensors_.size() - used_));
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail("{}: its archive structure is broken ({})", name_, what);
  }

  void read_entry(const json& item, int depth, ArchiveTree::Entry& entry) {
    static const std::pair<const char*, Kind> kRoles[] = {
        {"parameter", Kind::kParameter}, {"buffer", Kind::kBuffer}, {"tensor", Kind::kTensor}};
    if (item.size() == 1 && item.contains("archive")) {
      entry.kind = Kind::kArchive;
      entry.archive = std::make_unique<ArchiveTree>(archive(item["archive"], depth + 1));
      return;
    }
    if (item.size() == 1 && item.contains("value")) {
      entry.kind = Kind::kValue;
      entry.value = value(item["value"], 0);
      return;
    }
    for (const auto& [role, kind] : kRoles) {
      if (item.size() != 2 || !item.contains(role) || !item.contains("requires_grad")) continue;
      if (!item[role].is_string() || !item["requires_grad"].is_boolean()) break;
      entry.kind = kind;
      entry.tensor = take(item[role].get<std::string>());
      entry.requires_grad = item["requires_grad"].get<bool>();
      return;
    }
    bad("the entry of '" + entry.key + "' is neither an archive, a tensor nor a value");
  }

  torch::Tensor take(const std::string& tensor_name) {
    const auto found = tensors_.find(tensor_name);
    if (found == tensors_.end()) bad("it names a tensor " + tensor_name + " the file does not hold");
    if (!found->second.defined()) bad("it names the tensor " + tensor_name + " twice");
    ++used_;
    return std::exchange(found->second, torch::Tensor());
  }

  c10::IValue value(const json& item, int depth) const {
    if (depth > kMaxValueDepth) bad(fmt::format("values nest deeper than {} levels", kMaxValueDepth));
    if (!item.is_object() || item.empty() || item.size() > 2) bad("a value is not tagged");
    const std::string& tag = item.begin().key();
    const json& content = item.begin().value();
    if (tag == "none" && item.size() == 1 && content.is_null()) return {};
    if (tag == "bool" && item.size() == 1 && content.is_boolean()) return content.get<bool>();
    if (tag == "int" && item.size() == 1) return integer(content);
    if (tag == "float" && item.size() == 1) return real(content);
    if (tag == "str" && item.size() == 1 && content.is_string()) return content.get<std::string>();
    if (tag == "tuple" && item.size() == 1 && content.is_array()) {
      std::vector<c10::IValue> elements;
      for (const auto& element : content) elements.push_back(value(element, depth + 1));
      return c10::ivalue::Tuple::create(std::move(elements));
    }
    if (item.size() == 2 && item.contains("list") && item.contains("of"))
      return list(item["list"], item["of"]);
    bad("a value of an unknown kind: " + item.dump().substr(0, 80));
  }

  int64_t integer(const json& x) const {
    if (x.is_number_integer() && (!x.is_number_unsigned() || x.get<uint64_t>() <= uint64_t(INT64_MAX)))
      return x.get<int64_t>();
    bad("an int that is not a 64-bit integer");
  }

  double real(const json& x) const {
    if (x.is_number()) return x.get<double>();
    if (x == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (x == "inf" || x == "-inf") return (x == "inf" ? 1 : -1) * std::numeric_limits<double>::infinity();
    bad("a float that is not a number");
  }

  c10::IValue list(const json& elements, const json& of) const {
    if (!elements.is_array() || !of.is_string()) bad("a list is not a list");
    const auto convert = [&](auto read) {
      c10::List<decltype(read(elements))> out;
      for (const auto& x : elements) out.push_back(read(x));
      return c10::IValue(out);
    };
    if (of == "int") return convert([&](const json& x) { return integer(x); });
    if (of == "float") return convert([&](const json& x) { return real(x); });
    if (of == "bool")
      return convert([&](const json& x) {
        if (!x.is_boolean()) bad("a bool list holds " + x.dump().substr(0, 40));
        return x.get<bool>();
      });
    if (of == "str")
      return convert([&](const json& x) {
        if (!x.is_string()) bad("a str list holds " + x.dump().substr(0, 40));
        return x.get<std::string>();
      });
    bad("a list of " + of.dump());
  }

  std::string name_;
  std::unordered_map<std::string, torch::Tensor> tensors_;
  size_t used_ = 0;
};

}  // namespace

TensorFile archive_to_tensor_file(const ArchiveTree& tree) {
  TensorFile file;
  const json structure = archive_json(tree, "", file);
  std::string text;
  try {
    text = structure.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::exception&) {
    fail("cannot save an archive holding a string that is not UTF-8 text");
  }
  file.metadata = {{"format", kArchiveFormat}, {"archive", std::move(text)}};
  return file;
}

ArchiveTree archive_from_tensor_file(const TensorFile& file, const std::string& name) {
  std::string format, structure;
  bool has_structure = false;
  for (const auto& [key, value] : file.metadata) {
    if (key == "format") format = value;
    if (key == "archive") structure = value, has_structure = true;
  }
  if (format != kArchiveFormat || !has_structure) {
    throw ArchiveError(ArchiveError::Problem::kForeign, name,
                       fmt::format("a tensor file of format '{}', expected '{}'", format, kArchiveFormat));
  }
  // Per archive level three JSON levels ([pairs], [key, entry], {entry}), per value two.
  const int depth = 3 * (kMaxArchiveDepth + 1) + 2 * (kMaxValueDepth + 1) + 2;
  Reader reader(file, name);
  ArchiveTree tree = reader.archive(parse_bounded_json(structure, depth, name, "its archive structure"), 0);
  reader.check_all_used();
  return tree;
}

}  // namespace gankit::io
