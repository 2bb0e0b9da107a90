#include "gankit/data/parallel.h"

#include "gankit/system/resources.h"

#include "gankit/compat.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace gankit::data {

int64_t resolve_workers(int64_t workers) {
  return system::thread_count(workers, "data.workers");
}

void parallel_for(int64_t count, int64_t workers, const std::function<void(int64_t)>& body) {
  // Indices are handed out in order, so every index below a failure has been started and runs
  // to its end: the lowest failing index (the reported file) does not depend on timing.
  std::atomic<int64_t> next{0};
  std::mutex mutex;
  int64_t first_failure = std::numeric_limits<int64_t>::max();  // guarded by mutex
  std::exception_ptr error;
  auto failed_before = [&](int64_t i) {
    std::lock_guard<std::mutex> lock(mutex);
    return first_failure < i;
  };

  auto work = [&] {
    for (int64_t i = next++; i < count && !failed_before(i); i = next++) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (i < first_failure) first_failure = i, error = std::current_exception();
      }
    }
  };
  const int64_t threads = std::min(resolve_workers(workers), count);
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) {
    pool.emplace_back([&] {
      compat::run_intraop_on_this_thread_only();  // parallel over images, not within one
      work();
    });
  }
  work();  // the caller's thread is one of the workers
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace gankit::data
