// ONNX Runtime for the tests: the npm package onnxruntime-node (CPU binaries inside), run from
// tests/support/run_onnx.js by node. Found in $GANKIT_ONNXRUNTIME_DIR (a node_modules folder) or in
// the checkout's .tools/onnxruntime/node_modules, where scripts/test.sh installs it.
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "gankit/io/npy.h"
#include "support/test_support.h"

namespace gankit::test {

inline std::filesystem::path source_root() {
  return std::filesystem::path(GANKIT_TEST_DATA_DIR).parent_path().parent_path();
}

/// The node_modules folder holding onnxruntime-node, or nothing (with `why`).
inline std::optional<std::filesystem::path> find_onnxruntime(std::string& why) {
  if (std::system("node --version >/dev/null 2>&1") != 0) {
    why = "node is not installed (scripts/test.sh installs nodejs and onnxruntime-node)";
    return std::nullopt;
  }
  const char* env = std::getenv("GANKIT_ONNXRUNTIME_DIR");
  const std::filesystem::path dir = env != nullptr ? std::filesystem::path(env)
                                                   : source_root() / ".tools/onnxruntime/node_modules";
  if (!std::filesystem::exists(dir / "onnxruntime-node/package.json")) {
    why = "onnxruntime-node is not in " + dir.string() + " (scripts/test.sh installs it)";
    return std::nullopt;
  }
  return dir;
}

#define GANKIT_REQUIRE_ONNXRUNTIME(dir)                     \
  std::string ort_missing_;                                 \
  const auto dir = gankit::test::find_onnxruntime(ort_missing_); \
  if (!dir) GTEST_SKIP() << ort_missing_

/// Runs `model` in ONNX Runtime on the named inputs (float32 or int64); its first output. A failure
/// is a test failure carrying ORT's message.
inline torch::Tensor run_in_onnxruntime(const std::filesystem::path& node_modules, const std::filesystem::path& model,
                                        const std::map<std::string, torch::Tensor>& inputs,
                                        const std::filesystem::path& scratch) {
  std::string command = "NODE_PATH='" + node_modules.string() + "' node '" +
                        (source_root() / "tests/support/run_onnx.js").string() + "' '" + model.string() + "' '" +
                        (scratch / "ort_out.npy").string() + "'";
  for (const auto& [name, tensor] : inputs) {
    const auto file = scratch / ("ort_in_" + name + ".npy");
    io::write_npy(file, tensor.contiguous());
    command += " '" + name + "=" + file.string() + "'";
  }
  command += " 2>'" + (scratch / "ort_err.txt").string() + "'";
  const int status = std::system(command.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "ONNX Runtime failed on " << model << ": " << slurp(scratch / "ort_err.txt");
    return {};
  }
  return io::read_npy(scratch / "ort_out.npy");
}

/// Whether Debian's python3-opencv (cv2.dnn, a second ONNX reader) is there.
inline bool opencv_available() {
  return std::system("/usr/bin/python3 -c 'import cv2' >/dev/null 2>&1") == 0;
}

/// Runs `model` with OpenCV's dnn module (tests/support/run_opencv.py) on the named inputs; its
/// first output, or an undefined tensor with OpenCV's message in `error`.
inline torch::Tensor run_in_opencv(const std::filesystem::path& model, const std::map<std::string, torch::Tensor>& inputs,
                                   const std::filesystem::path& scratch, std::string& error) {
  std::string command = "OMP_NUM_THREADS=1 /usr/bin/python3 '" + (source_root() / "tests/support/run_opencv.py").string() +
                        "' '" + model.string() + "' '" + (scratch / "cv_out.npy").string() + "'";
  for (const auto& [name, tensor] : inputs) {
    const auto file = scratch / ("cv_in_" + name + ".npy");
    io::write_npy(file, tensor.contiguous());
    command += " '" + name + "=" + file.string() + "'";
  }
  command += " 2>'" + (scratch / "cv_err.txt").string() + "'";
  const int status = std::system(command.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = slurp(scratch / "cv_err.txt");
    return {};
  }
  return io::read_npy(scratch / "cv_out.npy");
}

}  // namespace gankit::test
