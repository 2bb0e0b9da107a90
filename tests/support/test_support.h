// Helpers shared by all tests: a temporary folder that cleans up after itself, file writing, and
// a check that code fails with a gankit::Error saying the right thing.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

#include "gankit/error.h"

namespace gankit::test {

/// A fresh folder under the system temp folder, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gankit-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// The whole content of a file ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Writes `bytes` to `path`, creating parent folders.
inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

/// Success when `action` throws gankit::Error whose message contains every one of `parts`.
template <typename Action>
::testing::AssertionResult fails_with(Action&& action,
                                      std::initializer_list<std::string_view> parts) {
  try {
    action();
  } catch (const gankit::Error& error) {
    const std::string message = error.what();
    for (auto part : parts) {
      if (message.find(part) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "message \"" << message << "\" lacks \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& other) {
    return ::testing::AssertionFailure() << "threw a non-gankit exception: " << other.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

/// Whether two tensors have the same shape, dtype and values.
inline ::testing::AssertionResult same_tensor(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.defined() != b.defined()) return ::testing::AssertionFailure() << "one is undefined";
  if (!a.defined()) return ::testing::AssertionSuccess();
  if (a.sizes() != b.sizes() || a.scalar_type() != b.scalar_type()) {
    return ::testing::AssertionFailure()
           << a.sizes() << " " << a.scalar_type() << " vs " << b.sizes() << " " << b.scalar_type();
  }
  if (!torch::equal(a, b)) return ::testing::AssertionFailure() << "values differ";
  return ::testing::AssertionSuccess();
}

/// The project's shared data folder (tests using it skip when it is absent).
inline std::filesystem::path shared_data_dir() { return GANKIT_SHARED_DATA_DIR; }

}  // namespace gankit::test
