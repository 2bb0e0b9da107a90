// Shared by every fuzz target: scratch files for path-taking parsers, and (in the libFuzzer build)
// the process set-up.
#include "fuzz_target.h"

#include <torch/torch.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace gankit::fuzz {

namespace fs = std::filesystem;

namespace {

fs::path scratch_folder() {
  // scripts/fuzz.sh gives each run its own folder (removed afterwards, even after a crash).
  if (const char* folder = std::getenv("GANKIT_FUZZ_SCRATCH"); folder != nullptr && *folder != '\0') {
    return folder;
  }
  std::error_code error;
  if (fs::is_directory("/dev/shm", error)) return "/dev/shm";
  return fs::temp_directory_path();
}

}  // namespace

ScratchFile::ScratchFile(const std::string& name)
    : path_(scratch_folder() / ("gankit-fuzz-" + std::to_string(::getpid()) + "-" + name)) {}

ScratchFile::~ScratchFile() {
  std::error_code error;
  fs::remove(path_, error);
}

const fs::path& ScratchFile::write(const uint8_t* data, size_t size) {
  std::ofstream out(path_, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path_.c_str());
    std::abort();
  }
  return path_;
}

}  // namespace gankit::fuzz

#ifdef GANKIT_LIBFUZZER
// One intra-op thread: libFuzzer runs one input at a time, and the machine is shared.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);
  return 0;
}
#endif
