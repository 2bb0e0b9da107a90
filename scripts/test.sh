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
ctest --test-dir "${GANKIT_BUILD_DIR:-$root/build}" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
