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
  /// Reads the set at `path`; data.split and data.pairs say which part and which layout.
  RawData (*read)(const std::filesystem::path& path, const DataOptions& data);
  /// Whether mirroring an image keeps its class: true for photos of objects, false for glyphs.
  bool mirror_keeps_class = false;
  /// Added to "has no labels" errors: how this set's images get labels ("" when they cannot).
  const char* labels_hint = "";
};

const std::vector<DataSetEntry>& data_sets();

/// The row for `name`; a gankit::Error listing the valid names otherwise.
const DataSetEntry& find_data_set(const std::string& name);

/// data.path, or the set's standard place; a gankit::Error when neither exists.
std::filesystem::path resolve_data_path(const DataOptions& options);

/// A data set as read, before fitting.
struct OpenedData {
  RawData raw;
  std::filesystem::path path;  ///< where it was read from
  std::string part;            ///< which part: "train", "test", "val" or "" for the whole set
};

/// Finds, reads and splits the set `data` describes (data.split of a set or of split
/// sub-folders, or data.holdout); a gankit::Error naming the file or key otherwise.
OpenedData read_data_set(const DataOptions& data);

}  // namespace gankit::data
