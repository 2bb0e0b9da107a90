// One table per enumerated setting: each value with its name and help text, in one place. Parsing,
// printing, `Config::validate` and the error messages all read the table, so adding a value is
// one row.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "gankit/error.h"

namespace gankit {

template <typename E>
struct EnumRow {
  E value;
  const char* name;  ///< as written in configs, on the command line and in files
  const char* help;  ///< a few words for error messages and --help
};

template <typename E>
class EnumTable {
 public:
  EnumTable(std::initializer_list<EnumRow<E>> rows) : rows_(rows) {}

  const std::vector<EnumRow<E>>& rows() const { return rows_; }

  /// The value named `name`, or nothing.
  std::optional<E> find(const std::string& name) const {
    for (const auto& row : rows_) {
      if (name == row.name) return row.value;
    }
    return std::nullopt;
  }
  bool contains(const std::string& name) const { return find(name).has_value(); }

  /// The value named `name`; else gankit::Error "unknown WHAT 'NAME' (valid: a, b, c)".
  E parse(const std::string& name, const char* what) const {
    if (const auto value = find(name)) return *value;
    fail("unknown {} '{}' (valid: {})", what, name, names());
  }
  /// The value of config key `key`; else gankit::Error "KEY = 'NAME': unknown (valid: a, b, c)".
  E parse_setting(const std::string& name, const char* key) const {
    if (const auto value = find(name)) return *value;
    fail("{} = '{}': unknown (valid: {})", key, name, names());
  }

  /// The row of `value` (every value has one).
  const EnumRow<E>& row(E value) const {
    for (const auto& row : rows_) {
      if (row.value == value) return row;
    }
    return rows_.front();
  }
  const char* name(E value) const { return row(value).name; }

  /// The names for a message: "a, b, c" (last = ", ") or "a, b or c" (last = " or "). An empty
  /// name is written `"" (help)`.
  std::string names(const char* last = ", ") const {
    std::string text;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (i > 0) text += i + 1 == rows_.size() ? last : ", ";
      text +=
          *rows_[i].name != '\0' ? std::string(rows_[i].name) : "\"\" (" + std::string(rows_[i].help) + ")";
    }
    return text;
  }

 private:
  std::vector<EnumRow<E>> rows_;
};

}  // namespace gankit
