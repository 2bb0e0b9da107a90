#include "gankit/parallel/local_launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "gankit/error.h"

extern char** environ;

namespace gankit::parallel {

namespace {

std::atomic<int> pending_signal{0};

extern "C" void remember_signal(int signal) { pending_signal = signal; }

/// This process's environment with `overrides` (NAME=VALUE) replacing or adding variables.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::string name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || o.substr(0, o.find('=')) == name;
    if (!replaced) out.push_back(text);
  }
  out.insert(out.end(), overrides.begin(), overrides.end());
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    return fmt::format("was killed by signal {} ({})", signal, strsignal(signal));
  }
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

int exit_code_of(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

}  // namespace

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("cannot open a socket to find a free port: {}", std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    fail("cannot find a free port on 127.0.0.1: {}", reason);
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

int launch_local_workers(const std::vector<std::string>& arguments, const LocalLaunchOptions& options) {
  std::ostream& err = options.err ? *options.err : std::cerr;
  if (options.nproc < 1) fail("--nproc {}: must be at least 1", options.nproc);
  char executable[4096];
  const ssize_t length = ::readlink("/proc/self/exe", executable, sizeof(executable) - 1);
  if (length <= 0) fail("cannot find this executable (/proc/self/exe): {}", std::strerror(errno));
  executable[length] = '\0';

  const int port = free_local_port();
  const bool threads_set = std::getenv("OMP_NUM_THREADS") != nullptr;
  std::vector<std::string> argv{executable};
  argv.insert(argv.end(), arguments.begin(), arguments.end());

  // Ctrl-C reaches only the launcher (the workers get their own process group); it forwards it
  // once, and the workers agree to stop after the same step.
  struct sigaction action {};
  action.sa_handler = remember_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  pending_signal = 0;

  struct Worker {
    pid_t pid = -1;
    bool running = false;
    int status = 0;
  };
  std::vector<Worker> workers(static_cast<size_t>(options.nproc));
  pid_t group = 0;
  for (int rank = 0; rank < options.nproc; ++rank) {
    std::vector<std::string> overrides{"MASTER_ADDR=127.0.0.1", fmt::format("MASTER_PORT={}", port),
                                       fmt::format("RANK={}", rank), fmt::format("LOCAL_RANK={}", rank),
                                       fmt::format("WORLD_SIZE={}", options.nproc),
                                       fmt::format("LOCAL_WORLD_SIZE={}", options.nproc)};
    if (!threads_set) overrides.push_back(fmt::format("OMP_NUM_THREADS={}", options.threads_per_worker));
    auto env = environment_with(overrides);
    auto args = argv;
    auto env_pointers = pointers(env);
    auto arg_pointers = pointers(args);
    const pid_t pid = ::fork();
    if (pid < 0) {
      const std::string reason = std::strerror(errno);
      for (auto& w : workers) {
        if (w.running) ::kill(w.pid, SIGKILL);
      }
      fail("cannot start worker {}: {}", rank, reason);
    }
    if (pid == 0) {  // the worker: only async-signal-safe calls until exec
      ::setpgid(0, group);
      struct sigaction default_action {};
      default_action.sa_handler = SIG_DFL;
      sigaction(SIGINT, &default_action, nullptr);
      sigaction(SIGTERM, &default_action, nullptr);
      if (rank != 0) {  // progress comes from rank 0; errors from every rank
        const int null = ::open("/dev/null", O_WRONLY);
        if (null >= 0) ::dup2(null, STDOUT_FILENO);
      }
      ::execve(executable, arg_pointers.data(), env_pointers.data());
      ::_exit(127);
    }
    ::setpgid(pid, group);  // both sides, whichever runs first
    if (group == 0) group = pid;
    workers[static_cast<size_t>(rank)] = {pid, true, 0};
  }

  int first_failure = -1;  // rank
  bool interrupted = false;
  auto deadline = std::chrono::steady_clock::time_point::max();
  size_t running = workers.size();
  while (running > 0) {
    if (const int signal = pending_signal.exchange(0); signal != 0) {
      interrupted = true;
      for (auto& w : workers) {
        if (w.running) ::kill(w.pid, signal == SIGTERM ? SIGTERM : SIGINT);
      }
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (size_t rank = 0; rank < workers.size(); ++rank) {
        auto& w = workers[rank];
        if (w.pid != pid || !w.running) continue;
        w.running = false;
        w.status = status;
        --running;
        const bool failed = !(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || (interrupted && WEXITSTATUS(status) == 130)));
        if (failed && first_failure < 0) {
          first_failure = static_cast<int>(rank);
          // A worker that exits with an error has said why itself; one killed by a signal cannot.
          if (WIFSIGNALED(status)) {
            err << fmt::format("gankit: error: rank {} (pid {}) {}; stopping the other {} rank{}", rank, pid,
                               describe_status(status), running, running == 1 ? "" : "s")
                << std::endl;
          }
          deadline = std::chrono::steady_clock::now() + options.grace;
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;  // no children left
    if (std::chrono::steady_clock::now() > deadline) {
      for (size_t rank = 0; rank < workers.size(); ++rank) {
        auto& w = workers[rank];
        if (!w.running) continue;
        err << fmt::format("gankit: error: rank {} (pid {}) did not stop within {:g} s of rank {}'s failure; killing it",
                           rank, w.pid, std::chrono::duration<double>(options.grace).count(), first_failure)
            << std::endl;
        ::kill(w.pid, SIGKILL);
      }
      deadline = std::chrono::steady_clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);

  if (first_failure >= 0) {
    const int code = exit_code_of(workers[static_cast<size_t>(first_failure)].status);
    return code == 0 ? 1 : code;
  }
  return interrupted ? 130 : 0;
}

}  // namespace gankit::parallel
