// Runs the gankit executable the way a user does, capturing exit code, stdout and stderr.
#pragma once
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace gankit::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `gankit ARGS` (a shell-quoted string) in `cwd`.
inline CliResult run_cli(const std::string& args, const std::filesystem::path& cwd) {
  const auto out = cwd / ".cli.out", err = cwd / ".cli.err";
  const std::string command = "cd '" + cwd.string() + "' && '" + std::string(GANKIT_CLI_PATH) + "' " + args +
                              " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

/// Number of '\n'-terminated lines in `text`.
inline int count_lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

/// A failed command that said one line on stderr, containing `needle`.
inline void expect_one_line_error(const CliResult& r, const std::string& needle) {
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

}  // namespace gankit::test
