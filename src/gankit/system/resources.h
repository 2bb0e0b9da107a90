// What the machine gives this process: cores and memory, read at run time.
#pragma once
#include <cstdint>

namespace gankit::system {

/// The number of threads to use by default: OMP_NUM_THREADS when set, else the cores this
/// process may use (affinity-aware).
int64_t available_cores();

/// The process's resident memory now (Linux /proc/self/statm), in MiB; 0 where unknown.
double resident_memory_mb();

}  // namespace gankit::system
