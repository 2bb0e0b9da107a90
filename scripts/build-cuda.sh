#!/usr/bin/env bash
# Builds gankit against a CUDA LibTorch 2.x (instead of Debian's CPU-only libtorch 1.13) into
# build-cuda/, beside the default build/. Then train on the GPU with
#   build-cuda/gankit train dcgan-fashion-mnist --set train.device=cuda
# (train.device = auto, the default, also picks CUDA when LibTorch sees a GPU).
#
# LibTorch comes from, in this order:
#   LIBTORCH=/path/to/libtorch   the unzipped C++ distribution from pytorch.org (a cuXXX build), or
#   $PYTHON (default python3)    a Python with a CUDA PyTorch wheel: torch.utils.cmake_prefix_path
#                                (pip's torch is a complete LibTorch: headers, CMake files, .so).
# CMake's CUDA support finds nvcc (a CUDA toolkit of the same major version as LibTorch's CUDA); it
# looks on PATH, then in /usr/local/cuda. Only headers and libraries are used: gankit has no .cu files.
#
# The other dependencies (CLI11, toml++, nlohmann-json, fmt, zlib, libjpeg, stb through pkg-config) come
# from the system (scripts/setup.sh installs them on Debian), or from GANKIT_DEPS_PREFIX: a folder
# laid out like /usr (include/, lib/x86_64-linux-gnu/{cmake,pkgconfig}/, share/...), e.g. Debian's
# packages unpacked with `dpkg -x PKG.deb DIR` (then GANKIT_DEPS_PREFIX=DIR/usr; their .pc files
# must not say prefix=/usr: `sed -i 's|^prefix=/usr$|prefix=${pcfiledir}/../../..|'`).
#
# Usage: scripts/build-cuda.sh [extra CMake arguments]
#   e.g. scripts/build-cuda.sh -DGANKIT_BUILD_TESTS=OFF
#        scripts/build-cuda.sh -DGANKIT_FMT_HEADER_ONLY=ON   (fmt header-only: no libfmt to link)
# Environment: LIBTORCH, PYTHON, GANKIT_DEPS_PREFIX, GANKIT_BUILD_DIR (default build-cuda),
#              JOBS (default: all cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${GANKIT_BUILD_DIR:-$root/build-cuda}
say() { printf '[build-cuda] %s\n' "$*"; }

if [ -n "${LIBTORCH:-}" ]; then
  torch_prefix=$LIBTORCH
else
  python=${PYTHON:-python3}
  torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)') || {
    say "no LibTorch: set LIBTORCH=/path/to/libtorch or PYTHON to a python with torch"; exit 1; }
  say "LibTorch from $python: torch $("$python" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)')"
fi
[ -d "$torch_prefix" ] || { say "$torch_prefix: no such folder"; exit 1; }

prefix_path=$torch_prefix
if [ -n "${GANKIT_DEPS_PREFIX:-}" ]; then
  deps=$(cd "$GANKIT_DEPS_PREFIX" && pwd)
  prefix_path="$prefix_path;$deps"
  for pc in "$deps"/lib/x86_64-linux-gnu/pkgconfig "$deps"/lib/pkgconfig "$deps"/share/pkgconfig; do
    [ -d "$pc" ] && PKG_CONFIG_PATH="$pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  done
  export PKG_CONFIG_PATH
fi

if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi
command -v nvcc >/dev/null 2>&1 || say "warning: no nvcc on PATH; a CUDA LibTorch's CMake files need the CUDA toolkit"

# LibTorch 2.x ships fmt headers that hide the system's: use fmt header-only (the headers
# LibTorch brings) rather than link a libfmt of another version. A later -D in "$@" wins.
fmt=()
for inc in "$torch_prefix/include" "$torch_prefix/../../include"; do
  if [ -f "$inc/fmt/format.h" ]; then fmt=(-DGANKIT_FMT_HEADER_ONLY=ON); break; fi
done

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
say "configuring $build (CMAKE_PREFIX_PATH=$prefix_path)"
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_PREFIX_PATH=$prefix_path" "${fmt[@]}" "$@"
say "building"
cmake --build "$build" -j "${JOBS:-$(nproc 2>/dev/null || echo 2)}"
say "done: $build/gankit (try: $build/gankit train dcgan-fashion-mnist --set train.device=cuda)"
