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

/// The path of this executable (/proc/self/exe).
std::string this_executable() {
  char executable[4096];
  const ssize_t length = ::readlink("/proc/self/exe", executable, sizeof(executable) - 1);
  if (length <= 0) fail("cannot find this executable (/proc/self/exe): {}", std::strerror(errno));
  executable[length] = '\0';
  return executable;
}

/// Ctrl-C reaches only the launcher (the workers get their own process group); it remembers the
/// signal to forward once, and the workers agree to stop after the same step. The previous
/// handlers come back when this goes out of scope, on every path.
class ForwardedSignals {
 public:
  ForwardedSignals() {
    struct sigaction action {};
    action.sa_handler = remember_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
    pending_signal = 0;
  }
  ~ForwardedSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  ForwardedSignals(const ForwardedSignals&) = delete;
  ForwardedSignals& operator=(const ForwardedSignals&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

struct Worker {
  pid_t pid = -1;
  bool running = false;
  int status = 0;
};

/// The worker of `rank`'s environment: the torchrun variables, and its share of the threads.
std::vector<std::string> worker_environment(int rank, int port, const LocalLaunchOptions& options) {
  std::vector<std::string> overrides{"MASTER_ADDR=127.0.0.1",
                                     fmt::format("MASTER_PORT={}", port),
                                     fmt::format("RANK={}", rank),
                                     fmt::format("LOCAL_RANK={}", rank),
                                     fmt::format("WORLD_SIZE={}", options.nproc),
                                     fmt::format("LOCAL_WORLD_SIZE={}", options.nproc)};
  if (std::getenv("OMP_NUM_THREADS") == nullptr) {
    overrides.push_back(fmt::format("OMP_NUM_THREADS={}", options.threads_per_worker));
  }
  return environment_with(overrides);
}

/// In the forked child: joins process group `group` (0: its own), restores default signal
/// handling and runs `argv`. Only async-signal-safe calls until exec.
[[noreturn]] void exec_worker(int rank, pid_t group, std::vector<char*>& argv, std::vector<char*>& env) {
  ::setpgid(0, group);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigaction(SIGINT, &default_action, nullptr);
  sigaction(SIGTERM, &default_action, nullptr);
  if (rank != 0) {  // progress comes from rank 0; errors from every rank
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, STDOUT_FILENO);
  }
  ::execve(argv[0], argv.data(), env.data());
  ::_exit(127);
}

/// Forks options.nproc workers running `argv`, all in the first one's process group. A failed
/// fork kills the ones started and throws.
std::vector<Worker> start_workers(const std::vector<std::string>& argv, int port,
                                  const LocalLaunchOptions& options) {
  std::vector<Worker> workers(static_cast<size_t>(options.nproc));
  pid_t group = 0;
  for (int rank = 0; rank < options.nproc; ++rank) {
    auto env = worker_environment(rank, port, options);
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
    if (pid == 0) exec_worker(rank, group, arg_pointers, env_pointers);
    ::setpgid(pid, group);  // both sides, whichever runs first
    if (group == 0) group = pid;
    workers[static_cast<size_t>(rank)] = {pid, true, 0};
  }
  return workers;
}

/// The running workers and what has happened to them: signals forwarded, exits, the first failure
/// and the deadline after which the others are killed.
struct Supervision {
  Supervision(std::vector<Worker> started, std::chrono::milliseconds grace_period, std::ostream& err_stream)
      : workers(std::move(started)), running(workers.size()), grace(grace_period), err(err_stream) {}

  /// Passes a Ctrl-C or SIGTERM the launcher received on to every running worker.
  void forward_pending_signal() {
    if (const int signal = pending_signal.exchange(0); signal != 0) {
      interrupted = true;
      for (auto& w : workers) {
        if (w.running) ::kill(w.pid, signal == SIGTERM ? SIGTERM : SIGINT);
      }
    }
  }

  /// Records that `pid` ended with `status`; the first failure starts the others' grace period.
  void reap(pid_t pid, int status) {
    for (size_t rank = 0; rank < workers.size(); ++rank) {
      auto& w = workers[rank];
      if (w.pid != pid || !w.running) continue;
      w.running = false;
      w.status = status;
      --running;
      const bool failed =
          !(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || (interrupted && WEXITSTATUS(status) == 130)));
      if (!failed || first_failure >= 0) continue;
      first_failure = static_cast<int>(rank);
      // A worker that exits with an error has said why itself; one killed by a signal cannot.
      if (WIFSIGNALED(status)) {
        err << fmt::format("gankit: error: rank {} (pid {}) {}; stopping the other {} rank{}", rank, pid,
                           describe_status(status), running, running == 1 ? "" : "s")
            << std::endl;
      }
      deadline = std::chrono::steady_clock::now() + grace;
    }
  }

  /// Past the deadline, SIGKILLs the workers still running.
  void kill_stragglers() {
    if (std::chrono::steady_clock::now() <= deadline) return;
    for (size_t rank = 0; rank < workers.size(); ++rank) {
      auto& w = workers[rank];
      if (!w.running) continue;
      err << fmt::format(
                 "gankit: error: rank {} (pid {}) did not stop within {:g} s of rank {}'s failure; killing "
                 "it",
                 rank, w.pid, std::chrono::duration<double>(grace).count(), first_failure)
          << std::endl;
      ::kill(w.pid, SIGKILL);
    }
    deadline = std::chrono::steady_clock::time_point::max();
  }

  /// 0, 130 when interrupted, else the first failure's exit status.
  int exit_code() const {
    if (first_failure >= 0) {
      const int code = exit_code_of(workers[static_cast<size_t>(first_failure)].status);
      return code == 0 ? 1 : code;
    }
    return interrupted ? 130 : 0;
  }

  std::vector<Worker> workers;
  size_t running;
  std::chrono::milliseconds grace;
  std::ostream& err;
  int first_failure = -1;  // rank
  bool interrupted = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

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
  std::vector<std::string> argv{this_executable()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const int port = free_local_port();
  ForwardedSignals signals;  // restored however this returns or throws
  Supervision job{start_workers(argv, port, options), options.grace, err};
  while (job.running > 0) {
    job.forward_pending_signal();
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      job.reap(pid, status);
      continue;
    }
    if (pid < 0 && errno != EINTR) break;  // no children left
    job.kill_stragglers();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return job.exit_code();
}

}  // namespace gankit::parallel
