// README.md agrees with the code: its config key list names every key the config visitor walks
// (and no other), and its data table names every data set of the registry.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gankit/config/config.h"
#include "gankit/data/registry.h"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> readme_lines() {
  std::ifstream in(fs::path(GANKIT_CONFIG_DIR).parent_path() / "README.md");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

/// The keys README lists for `[section]` in its config block: "[train]  # steps or epochs, ..."
/// and the comment lines below it, without parenthesised remarks.
std::set<std::string> readme_keys(const std::vector<std::string>& lines, const std::string& section) {
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("[" + section + "]", 0) != 0) continue;
    text = lines[i].substr(lines[i].find('#') + 1);
    for (size_t j = i + 1; j < lines.size() && trim(lines[j]).rfind('#', 0) == 0; ++j) {
      text += "," + trim(lines[j]).substr(1);
    }
    break;
  }
  text = std::regex_replace(text, std::regex(R"(\([^)]*\))"), "");
  text = std::regex_replace(text, std::regex(R"( or )"), ",");
  std::set<std::string> keys;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    if (!trim(item).empty()) keys.insert(section + "." + trim(item));
  }
  return keys;
}

std::set<std::string> code_keys(const std::string& section) {
  std::set<std::string> keys;
  for (const auto& key : gankit::config::Config::keys()) {
    if (key.rfind(section + ".", 0) == 0) keys.insert(key);
  }
  return keys;
}

TEST(Readme, ConfigKeyListMatchesTheConfigVisitor) {
  const auto lines = readme_lines();
  ASSERT_FALSE(lines.empty()) << "README.md not found";
  for (const char* section : {"model", "data", "train"}) {
    EXPECT_EQ(readme_keys(lines, section), code_keys(section)) << "README's [" << section << "] list";
  }
}

TEST(Readme, DataTableNamesEveryRegisteredDataSet) {
  std::set<std::string> listed;
  bool in_table = false;
  for (const auto& line : readme_lines()) {
    if (line.rfind("| `data.name` |", 0) == 0) {
      in_table = true;
    } else if (in_table && line.rfind("| `", 0) == 0) {
      listed.insert(line.substr(3, line.find('`', 3) - 3));
    } else if (in_table && line.rfind("|---", 0) != 0) {
      break;
    }
  }
  std::set<std::string> registered;
  for (const auto& entry : gankit::data::data_sets()) registered.insert(entry.name);
  EXPECT_EQ(listed, registered);
}

}  // namespace
