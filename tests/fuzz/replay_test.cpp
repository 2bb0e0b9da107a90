// Replays every committed fuzz input through its target's body (fuzz/targets/*.cpp, built into
// this binary): the seeds (tests/fuzz/seeds/TARGET/) and every input that once crashed a parser
// (tests/fuzz/crashes/TARGET/). A body aborts on a finding and lets only a parser's expected
// errors through, so a regression is a crash or an escaping exception here.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "../../fuzz/fuzz_target.h"

namespace {

namespace fs = std::filesystem;

const fs::path kFuzzTests = fs::path(GANKIT_TEST_DATA_DIR).parent_path() / "fuzz";
const fs::path kTargets = fs::path(GANKIT_TEST_DATA_DIR).parent_path().parent_path() / "fuzz" / "targets";

const std::map<std::string, gankit::fuzz::Body>& targets() {
#define GANKIT_FUZZ_ROW(name) {#name, &gankit::fuzz::name},
  static const std::map<std::string, gankit::fuzz::Body> table{GANKIT_FUZZ_TARGETS(GANKIT_FUZZ_ROW)};
#undef GANKIT_FUZZ_ROW
  return table;
}

std::vector<fs::path> sorted_entries(const fs::path& folder) {
  std::vector<fs::path> entries;
  if (fs::is_directory(folder)) {
    for (const auto& entry : fs::directory_iterator(folder)) entries.push_back(entry.path());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs every file of tests/fuzz/KIND/TARGET/ through TARGET; the number of files run.
size_t replay(const std::string& kind) {
  size_t files = 0;
  for (const auto& folder : sorted_entries(kFuzzTests / kind)) {
    const auto target = targets().find(folder.filename().string());
    EXPECT_NE(target, targets().end()) << folder << ": no fuzz target of that name (fuzz/fuzz_target.h)";
    if (target == targets().end()) continue;
    for (const auto& file : sorted_entries(folder)) {
      if (!fs::is_regular_file(file) || file.filename().string().front() == '.') continue;
      const std::string bytes = read_bytes(file);
      SCOPED_TRACE(file.string());
      EXPECT_NO_THROW(target->second(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
      ++files;
    }
  }
  return files;
}

TEST(FuzzReplay, EveryTargetFileIsInTheTable) {
  size_t files = 0;
  for (const auto& file : sorted_entries(kTargets)) {
    if (file.extension() != ".cpp") continue;
    ++files;
    EXPECT_EQ(targets().count(file.stem().string()), 1u)
        << file << " is not listed in GANKIT_FUZZ_TARGETS (fuzz/fuzz_target.h)";
  }
  EXPECT_EQ(files, targets().size()) << "a GANKIT_FUZZ_TARGETS row without its fuzz/targets file";
}

TEST(FuzzReplay, EveryTargetHasSeeds) {
  for (const auto& [name, body] : targets()) {
    EXPECT_FALSE(sorted_entries(kFuzzTests / "seeds" / name).empty()) << "tests/fuzz/seeds/" << name << " is empty";
  }
}

TEST(FuzzReplay, Seeds) { EXPECT_GT(replay("seeds"), 0u); }

TEST(FuzzReplay, Crashes) { replay("crashes"); }

}  // namespace
