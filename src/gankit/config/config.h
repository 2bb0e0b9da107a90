// A run's configuration: typed sections with defaults in code, overridden by a TOML file and
// `--set KEY=VALUE`. Unknown keys and wrongly typed values are errors naming the file and key.
#pragma once
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gankit/config/train_options.h"
#include "gankit/data/data_options.h"
#include "gankit/models/model_options.h"
#include "gankit/report/report_options.h"

namespace gankit::config {

struct Config {
  models::ModelOptions model;
  data::DataOptions data;
  TrainOptions train;
  report::ReportOptions report;
  /// Keys a file or `--set` gave a value ("train.lr_g", ...); the rest keep their defaults.
  std::set<std::string> explicit_keys;

  /// Reads a TOML file over the defaults. `source` names it in errors.
  static Config from_toml(const std::string& text, const std::string& source);
  static Config from_file(const std::filesystem::path& path);

  /// Applies one `KEY=VALUE` override (VALUE in TOML syntax; a bare word is taken as a string).
  void set(const std::string& assignment);

  /// Gives keys the config leaves unset the values of model.name's recipe (see
  /// models::ModelEntry::recipe); keys set by the file or `--set` win.
  void apply_model_recipe();

  /// Checks cross-field rules (throws gankit::Error naming the key).
  void validate() const;

  /// The full configuration, every key, as TOML (written to a run's config.toml).
  std::string to_toml() const;

  /// Every key as "section.name", in file order.
  static std::vector<std::string> keys();

  /// The value of `key` ("section.name") as config.toml writes it; empty for an unknown key.
  std::string value_text(const std::string& key) const;
};

/// Finds a config: an existing path, or a bare name such as "dcgan-mnist" looked up in ./configs
/// and the configs folder of the source tree gankit was built from.
std::filesystem::path resolve_config_path(const std::string& name_or_path);

}  // namespace gankit::config
