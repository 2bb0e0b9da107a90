#include "gankit/system/cache_dir.h"

#include <cstdlib>

namespace gankit::system {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::filesystem::path default_cache_dir(const std::string& name) {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".cache" / "gankit" / name;
}

}  // namespace gankit::system
