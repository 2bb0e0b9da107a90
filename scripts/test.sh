#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (GoogleTest through CTest).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
ctest --test-dir "${GANKIT_BUILD_DIR:-$root/build}" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
