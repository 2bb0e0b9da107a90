#include "gankit/system/resources.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <thread>

namespace gankit::system {

namespace {

int64_t affinity_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

int64_t available_cores() {
  // OMP_NUM_THREADS is the usual way to share a machine (e.g. parallel test runs): honour it.
  if (const char* omp = std::getenv("OMP_NUM_THREADS")) {
    const int64_t n = std::atoll(omp);
    if (n > 0) return std::min(n, affinity_cores());
  }
  return affinity_cores();
}

int64_t thread_count(int64_t requested, const char* key) {
  if (requested <= 0) return available_cores();
  const int64_t cores = affinity_cores();
  if (requested <= cores) return requested;
  // More threads than cores only contend (2 tiny steps took 58 s at 1000 threads).
  std::cerr << fmt::format("gankit: warning: {} = {} is more than the {} cores this process may use; using {}\n",
                           key, requested, cores, cores);
  return cores;
}

double resident_memory_mb() {
  std::ifstream statm("/proc/self/statm");
  long long total_pages = 0, resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return static_cast<double>(resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

}  // namespace gankit::system
