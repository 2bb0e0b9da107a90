// libFuzzer targets for everything gankit parses (issue 17; DESIGN.md convention 13).
//
// A target is one file fuzz/targets/NAME.cpp holding
//
//     GANKIT_FUZZ_TARGET(NAME) { ... parse data[0..size) ... }
//
// and one line X(NAME) in GANKIT_FUZZ_TARGETS below. The body feeds the bytes to a parser and
// catches the errors that parser is allowed to throw (gankit::Error: one line naming the file);
// anything else (a crash, a sanitizer report, another exception, a hang, a huge allocation) is a
// finding. The same file is built twice:
//   - by scripts/fuzz.sh with clang -fsanitize=fuzzer,address,undefined and -DGANKIT_LIBFUZZER:
//     the macro also defines LLVMFuzzerTestOneInput, one target per binary;
//   - into gankit_tests by CMake: tests/fuzz/replay_test.cpp runs every file under
//     tests/fuzz/seeds/NAME and tests/fuzz/crashes/NAME through gankit::fuzz::NAME.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

/// Every target, in one explicit list (the replay test's table and its check that every
/// fuzz/targets/*.cpp and every seeds/crashes folder has a row).
#define GANKIT_FUZZ_TARGETS(X) \
  X(idx)                       \
  X(cifar10)                   \
  X(digit_csv)                 \
  X(image)                     \
  X(image_png)                 \
  X(image_jpeg)                \
  X(image_bmp)                 \
  X(image_gif)                 \
  X(npy)                       \
  X(config_toml)               \
  X(config_set)                \
  X(checkpoint)                \
  X(classifier)                \
  X(state_dict)                \
  X(mask)                      \
  X(metrics_log)               \
  X(tensorboard)

namespace gankit::fuzz {

using Body = void (*)(const uint8_t* data, size_t size);

#define GANKIT_FUZZ_DECLARE(name) void name(const uint8_t* data, size_t size);
GANKIT_FUZZ_TARGETS(GANKIT_FUZZ_DECLARE)
#undef GANKIT_FUZZ_DECLARE

/// A file of this process for parsers that take a path: /dev/shm (or the temp folder) plus the
/// pid and `name` (which may carry the extension a parser looks at), rewritten on every input
/// and removed when the process exits.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  /// Replaces the file's contents with data[0..size) and returns its path.
  const std::filesystem::path& write(const uint8_t* data, size_t size);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};


}  // namespace gankit::fuzz

#ifdef GANKIT_LIBFUZZER
#define GANKIT_FUZZ_ENTRY(name)                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {      \
    gankit::fuzz::name(data, size);                                              \
    return 0;                                                                    \
  }
#else
#define GANKIT_FUZZ_ENTRY(name)
#endif

#define GANKIT_FUZZ_TARGET(name)                                                 \
  GANKIT_FUZZ_ENTRY(name)                                                        \
  void gankit::fuzz::name(const uint8_t* data, size_t size)
