#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (GoogleTest through CTest).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
# Test-only: the report tests render report.html in headless Chromium.
if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "[test] installing chromium (the report tests render report.html headless)"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends chromium
fi
# Test-only: the Inception-v3 test builds pytorch-fid's network in PyTorch
# (tests/data/make_inception_reference.py) and compares outputs.
if ! /usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "[test] installing python3-torch and python3-torchvision (the Inception-v3 reference)"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    python3-torch python3-torchvision
fi
# Test-only: the export tests run exported models in ONNX Runtime (the npm package onnxruntime-node,
# whose CPU binaries ship inside it; --ignore-scripts skips its post-install download of others)
# and in OpenCV's dnn reader (python3-opencv).
if ! dpkg-query -W -f='${Status}' python3-opencv 2>/dev/null | grep -q "install ok installed"; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "[test] installing python3-opencv (the export tests read ONNX files with cv2.dnn)"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends python3-opencv
fi
ort_dir="$root/.tools/onnxruntime"
if [ ! -f "$ort_dir/node_modules/onnxruntime-node/package.json" ]; then
  echo "[test] installing onnxruntime-node 1.30.0 into $ort_dir (the export tests run ONNX files in it)"
  mkdir -p "$ort_dir"
  npm install --prefix "$ort_dir" --ignore-scripts --no-audit --no-fund onnxruntime-node@1.30.0
fi
build_dir="${GANKIT_BUILD_DIR:-$root/build}"
if [ "${1:-}" = "--sanitize" ]; then
  # The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its own build folder
  # (a full build: about an hour on 2 cores, so not part of CI). -O1 -g1 is enough for ASan's
  # line-numbered reports and compiles faster than -O2 -g. LibTorch's own allocations are
  # reachable at exit, hence no leak check.
  build_dir="$root/build-sanitize"
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGANKIT_SANITIZE=ON \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
  cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)"
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:verify_asan_link_order=0:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
