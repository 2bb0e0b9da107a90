#!/usr/bin/env bash
# The main job: install what is missing, build, train the default GAN (DCGAN on Fashion-MNIST,
# one epoch) and write a 10x10 grid of its samples.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
cd "$root"
run="runs/dcgan-fashion-mnist-$(date +%Y%m%d-%H%M%S)"
./build/gankit train dcgan-fashion-mnist --out "$run" "$@"
./build/gankit sample "$run/checkpoints/latest.pt" -n 100 -o "$run/samples.png" >/dev/null
cat <<MSG

Trained: $root/$run
  samples grid  $root/$run/samples.png   (100 images from the final generator)
  report        $root/$run/report.html   (curves, grids, progress GIF, metrics, config)
  progress      $root/$run/progress.gif  (the fixed-noise grids of $root/$run/samples/, animated)
  plots         $root/$run/plots/        (losses, D outputs, throughput as PNG)
  metrics       $root/$run/metrics.jsonl (TensorBoard: tensorboard --logdir $root/$run)
  checkpoint    $root/$run/checkpoints/latest.pt
More samples:   ./build/gankit sample $run/checkpoints/latest.pt -n 10000 -o samples.npy
MSG
