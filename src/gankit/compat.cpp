#include "gankit/compat.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace gankit::compat {

void run_intraop_on_this_thread_only() {
  // ATen sizes its OpenMP teams from this thread's max-threads setting, which it initialises
  // lazily on the thread's first parallel op: trigger that, then override it for this thread.
  (void)at::get_num_threads();
#ifdef _OPENMP
  omp_set_num_threads(1);
#endif
}

}  // namespace gankit::compat
