// Atomic writes on a disk that fills up: one gankit::Error naming the target and the system's
// reason, the earlier file untouched, no temp file left. A file-size limit (RLIMIT_FSIZE) stands in
// for a full disk: write(2) then fails mid-file with EFBIG just as it fails with ENOSPC.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include "gankit/io/atomic_file.h"
#include "support/test_support.h"

namespace gankit::io {
namespace {

namespace fs = std::filesystem;

/// Limits the size of files this process writes while it lives (and ignores SIGXFSZ, whose default
/// would kill the process).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, previous_);
  }

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

int files_in(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, AFullDiskIsOneErrorNamingTheFileAndLeavesNoTemp) {
  test::TempDir dir;
  const auto target = dir / "latest.pt";
  write_file_atomically(target, "the previous checkpoint");
  const std::string large(1 << 20, 'x');
  {
    FileSizeLimit limit(64 << 10);
    EXPECT_TRUE(test::fails_with([&] { write_file_atomically(target, large); },
                                 {target.string() + ": cannot write (File too large)"}));
    EXPECT_TRUE(test::fails_with(
        [&] {
          write_pieces_atomically(target, [&](const AppendBytes& append) {
            for (int i = 0; i < 32; ++i) append(std::string(8 << 10, 'y'));
          });
        },
        {target.string() + ": cannot write (File too large)"}));
  }
  EXPECT_EQ(test::slurp(target), "the previous checkpoint");
  EXPECT_EQ(files_in(dir.path()), 1);
}

TEST(AtomicFile, WritesPiecesInOrder) {
  test::TempDir dir;
  write_pieces_atomically(dir / "f", [](const AppendBytes& append) {
    append("one ");
    append("");
    append("two");
  });
  EXPECT_EQ(test::slurp(dir / "f"), "one two");
  EXPECT_EQ(files_in(dir.path()), 1);
}

TEST(AtomicFile, AnUnwritableFolderIsOneError) {
  test::TempDir dir;
  test::write_file(dir / "file", "x");
  EXPECT_TRUE(test::fails_with([&] { write_file_atomically(dir / "file/below", "y"); }, {"file"}));
}

}  // namespace
}  // namespace gankit::io
