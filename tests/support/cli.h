// Runs the gankit executable the way a user does, capturing exit code, stdout and stderr.
#pragma once
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

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

/// Runs the shell command `command` in the background (e.g. a run to interrupt); its pid.
inline pid_t spawn_shell(const std::string& command) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

/// Waits for `pid` to end: its exit code, or 128 + the signal that killed it.
inline int wait_exit_code(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Waits (up to ~2 minutes) until `predicate` holds.
inline bool wait_for(const std::function<bool()>& predicate) {
  for (int i = 0; i < 1200; ++i) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
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
