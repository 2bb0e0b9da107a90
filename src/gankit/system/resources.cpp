#include "gankit/system/resources.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace gankit::system {

int64_t available_cores() {
  // OMP_NUM_THREADS is the usual way to share a machine (e.g. parallel test runs): honour it.
  if (const char* omp = std::getenv("OMP_NUM_THREADS")) {
    const int64_t n = std::atoll(omp);
    if (n > 0) return n;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

double resident_memory_mb() {
  std::ifstream statm("/proc/self/statm");
  long long total_pages = 0, resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return static_cast<double>(resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

}  // namespace gankit::system
