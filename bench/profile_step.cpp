// One training step, op by op: LibTorch's autograd profiler over K steps of a config's recipe,
// after warm-up steps, with the data loader in the loop as in `gankit train`. Prints a markdown
// table of self time per op (time inside an op minus the ops it called), per step, and how much
// of the step's wall time no op accounts for (the loader wait, gankit's own glue).
//
//   cmake --build build --target gankit_profile
//   build/gankit_profile dcgan-fashion-mnist [--steps 20] [--warmup 5] [--set train.precision=bf16]...
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "gankit/compute/blas_kernels.h"
#include "gankit/compute/precision.h"
#include "gankit/config/config.h"
#include "gankit/data/loader.h"
#include "gankit/system/resources.h"
#include "gankit/train/recipes.h"

namespace {

namespace profiler = torch::autograd::profiler;
using namespace gankit;

struct OpTime {
  double self_us = 0;
  int64_t calls = 0;
};

/// Self time of every op name: each range's duration minus its children's, per thread.
std::map<std::string, OpTime> self_times(const profiler::thread_event_lists& threads) {
  std::map<std::string, OpTime> table;
  for (const auto& events : threads) {
    struct Open {
      const profiler::LegacyEvent* start;
      double children_us;
    };
    std::vector<Open> stack;
    for (const auto& event : events) {
      if (event.kind() == profiler::EventKind::PushRange) {
        stack.push_back({&event, 0});
      } else if (event.kind() == profiler::EventKind::PopRange && !stack.empty()) {
        const auto open = stack.back();
        stack.pop_back();
        const double total = open.start->cpuElapsedUs(event);
        auto& row = table[open.start->name()];
        row.self_us += total - open.children_us;
        row.calls += 1;
        if (!stack.empty()) stack.back().children_us += total;
      }
    }
  }
  return table;
}

}  // namespace

int main(int argc, char** argv) try {
  compute::use_best_blas_kernels(argv);
  if (argc < 2) {
    std::cerr << "usage: gankit_profile CONFIG [--steps K] [--warmup W] [--set KEY=VALUE]...\n";
    return 2;
  }
  auto config = config::Config::from_file(config::resolve_config_path(argv[1]));
  int64_t steps = 20, warmup = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--steps") steps = std::stoll(argv[i + 1]);
    else if (flag == "--warmup") warmup = std::stoll(argv[i + 1]);
    else if (flag == "--set") config.set(argv[i + 1]);
    else throw std::runtime_error("unknown flag " + flag);
  }
  config.apply_model_recipe();
  config.validate();
  torch::set_num_threads(static_cast<int>(config.train.threads > 0 ? config.train.threads : system::available_cores()));
  torch::manual_seed(static_cast<uint64_t>(config.train.seed));
  const auto precision = compute::resolve_precision(compute::parse_precision(config.train.precision, "train.precision"),
                                                    torch::kCPU, compute::detect_cpu_features(), "train.precision");
  auto loader = data::make_loader(config.data, {config.train.batch_size, static_cast<uint64_t>(config.train.seed)});
  auto recipe = train::make_recipe(config, loader->info(), torch::kCPU, nullptr);
  const auto step = [&] {
    compute::AutocastScope autocast(precision.precision, torch::kCPU);
    recipe->train_step(*loader);
  };
  for (int64_t i = 0; i < warmup; ++i) step();

  profiler::enableProfilerLegacy(profiler::ProfilerConfig(profiler::ProfilerState::CPU));
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) step();
  const double wall_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  const auto table = self_times(profiler::disableProfilerLegacy());

  std::vector<std::pair<std::string, OpTime>> rows(table.begin(), table.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
  double ops_us = 0;
  for (const auto& row : rows) ops_us += row.second.self_us;
  const double per_step_ms = wall_us / steps / 1000;
  std::cout << "### " << argv[1] << ", batch " << config.train.batch_size << ", precision "
            << compute::precision_name(precision.precision) << ", " << at::get_num_threads() << " threads\n\n"
            << compute::describe_blas_kernels() << "\n\n"
            << "Step: " << per_step_ms << " ms wall (" << config.train.batch_size / per_step_ms * 1000
            << " img/s) over " << steps << " profiled steps (the profiler adds its own cost).\n\n"
            << "| op | calls/step | self ms/step | % of step |\n|---|---|---|---|\n";
  for (const auto& [name, time] : rows) {
    const double ms = time.self_us / steps / 1000;
    if (ms / per_step_ms < 0.005) continue;
    std::cout << "| " << name << " | " << time.calls / steps << " | " << ms << " | " << 100 * ms / per_step_ms << "% |\n";
  }
  const double outside = (wall_us - ops_us) / steps / 1000;
  std::cout << "| (no op: loader wait, glue) | | " << outside << " | " << 100 * outside / per_step_ms << "% |\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "gankit_profile: " << e.what() << '\n';
  return 1;
}
