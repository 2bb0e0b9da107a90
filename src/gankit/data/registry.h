// The data sets gankit knows by name, one row each: where the set lives by default and which
// reader opens it. An unknown name is an error listing the valid ones.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "gankit/data/data_options.h"
#include "gankit/data/source.h"

namespace gankit::data {

struct DataSetEntry {
  const char* name;
  const char* summary;
  /// Absolute, or relative to $GANKIT_DATA; empty = data.path is required.
  const char* default_place;
  /// Whether data.split picks part of the set (otherwise the whole file or folder is used).
  bool has_splits;
  RawData (*read)(const std::filesystem::path& path, const std::string& split);
};

const std::vector<DataSetEntry>& data_sets();

/// The row for `name`; a gankit::Error listing the valid names otherwise.
const DataSetEntry& find_data_set(const std::string& name);

/// data.path, or the set's standard place; a gankit::Error when neither exists.
std::filesystem::path resolve_data_path(const DataOptions& options);

}  // namespace gankit::data
