// gankit: train, sample and evaluate image GANs. Only this file catches: errors become one line
// on stderr and a non-zero exit code.
#include <iostream>
#include <new>

#include "commands.h"
#include "gankit/compute/blas_kernels.h"
#include "gankit/error.h"
#include "gankit/parallel/launch_environment.h"
#include <torch/torch.h>

namespace gankit::cli {
int& exit_code() {
  static int code = 0;
  return code;
}
}  // namespace gankit::cli

namespace {

std::string first_line(std::string text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

int report(const std::string& message) {
  std::string line = first_line(message);
  // LibTorch's allocator names neither the setting nor the file behind a huge request; every
  // config key and input size gankit knows is bounded before it allocates, so this is the machine.
  if (line.find("can't allocate memory") != std::string::npos || line.find("alloc_cpu") != std::string::npos) {
    line = "out of memory (" + line.substr(0, 160) + "); use smaller images, batches or sample counts";
  }
  if (line.empty()) line = "failed without a message (please report this)";
  // In a data-parallel job every rank may speak: say which one this is.
  std::cerr << "gankit: error: " << gankit::parallel::rank_prefix_from_env() << line << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any tensor work: OpenBLAS's kernels can only change by re-executing.
  gankit::compute::use_best_blas_kernels(argv);
  CLI::App app{"gankit: train, sample and evaluate image GANs (LibTorch, CPU and CUDA)"};
  app.set_version_flag("--version", std::string("gankit ") + GANKIT_VERSION);
  app.require_subcommand(1);
  gankit::cli::add_train_command(app);
  gankit::cli::add_sample_command(app);
  gankit::cli::add_translate_command(app);
  gankit::cli::add_inpaint_command(app);
  gankit::cli::add_info_command(app);
  gankit::cli::add_pairs_command(app);
  gankit::cli::add_report_command(app);
  gankit::cli::add_eval_command(app);
  gankit::cli::add_classifier_command(app);
  gankit::cli::add_export_command(app);
  gankit::cli::add_import_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // One line, like every other error, and the way to the usage.
    std::cerr << "gankit: error: " << first_line(e.what()) << " (see gankit --help)" << std::endl;
    return e.get_exit_code();
  } catch (const gankit::Error& e) {
    return report(e.what());
  } catch (const c10::Error& e) {
    return report(e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    return report("out of memory; use smaller images, batches or sample counts");
  } catch (const std::exception& e) {
    return report(e.what());
  } catch (...) {
    return report("");
  }
  return gankit::cli::exit_code();
}
