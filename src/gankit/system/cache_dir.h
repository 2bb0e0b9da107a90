// Where gankit keeps what it fetches or computes once (data sets, real-image features).
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace gankit::system {

/// The value of the environment variable `name`, when it is set and not empty.
std::optional<std::string> environment(const char* name);

/// ~/.cache/gankit/<name> ($HOME, or the working folder without one): where gankit keeps `name`
/// unless an environment variable says otherwise.
std::filesystem::path default_cache_dir(const std::string& name);

}  // namespace gankit::system
