// A minimal fork-join loop for decoding image files on several threads.
#pragma once
#include <cstdint>
#include <functional>

namespace gankit::data {

/// Calls body(i) for i in [0, count) on up to `workers` threads (0 = the available cores) and
/// waits for all. If calls throw, the one with the lowest index is re-thrown here.
void parallel_for(int64_t count, int64_t workers, const std::function<void(int64_t)>& body);

/// `workers`, or the number of available cores when it is 0.
int64_t resolve_workers(int64_t workers);

}  // namespace gankit::data
