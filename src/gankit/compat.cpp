#include "gankit/compat.h"

#include <ATen/autocast_mode.h>

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

AutocastState autocast_state(torch::DeviceType device_type) {
#if GANKIT_TORCH_AT_LEAST(2, 4)
  return {at::autocast::is_autocast_enabled(device_type), at::autocast::get_autocast_dtype(device_type)};
#else
  if (device_type == torch::kCUDA) return {at::autocast::is_enabled(), at::autocast::get_autocast_gpu_dtype()};
  return {at::autocast::is_cpu_enabled(), at::autocast::get_autocast_cpu_dtype()};
#endif
}

void set_autocast_state(torch::DeviceType device_type, AutocastState state) {
#if GANKIT_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(device_type, state.enabled);
  at::autocast::set_autocast_dtype(device_type, state.dtype);
#else
  if (device_type == torch::kCUDA) {
    at::autocast::set_enabled(state.enabled);
    at::autocast::set_autocast_gpu_dtype(state.dtype);
  } else {
    at::autocast::set_cpu_enabled(state.enabled);
    at::autocast::set_autocast_cpu_dtype(state.dtype);
  }
#endif
}

}  // namespace gankit::compat
