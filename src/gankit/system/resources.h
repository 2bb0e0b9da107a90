// What the machine gives this process: cores and memory, read at run time.
#pragma once
#include <cstdint>

namespace gankit::system {

/// The number of threads to use by default: OMP_NUM_THREADS when set, else the cores this
/// process may use (affinity-aware).
int64_t available_cores();

/// The threads to run for a `key` (e.g. "train.threads") set to `requested`: 0 means
/// available_cores(); more than the cores is capped to them, with a one-line warning on stderr.
int64_t thread_count(int64_t requested, const char* key);

/// The process's resident memory now (Linux /proc/self/statm), in MiB; 0 where unknown.
double resident_memory_mb();

}  // namespace gankit::system
