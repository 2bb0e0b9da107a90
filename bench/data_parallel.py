#!/usr/bin/python3
"""Data-parallel scaling of `gankit train` on this machine: images/s with 1 process (all cores)
and with `--nproc 2` (cores split between the workers), at the same global batch and at the same
per-process batch, with per-rank and synchronised BatchNorm.

    /usr/bin/python3 bench/data_parallel.py [--steps 200]

Each figure is the trainer's own images/s over its training loop (all ranks' images), plus the
whole command's wall time. Writes bench/results/data-parallel.md. Run on a quiet machine.
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GANKIT = os.path.join(ROOT, "build", "gankit")

# label, processes, batch per process, extra settings
CASES = [
    ("1 process, batch 32 (1 thread): one worker's share alone", 1, 32, ["train.threads=1"]),
    ("1 process, batch 64 (2 threads)", 1, 64, []),
    ("2 processes x 32 = 64 (1 thread each)", 2, 32, []),
    ("2 processes x 32 = 64, sync_bn", 2, 32, ["train.sync_bn=true"]),
    ("1 process, batch 128 (2 threads)", 1, 128, []),
    ("2 processes x 64 = 128 (1 thread each)", 2, 64, []),
]


def run_case(processes, batch, extra, steps, out):
    args = [GANKIT, "train", "dcgan-fashion-mnist", "--out", out, "--set", f"train.steps={steps}",
            "--set", f"train.batch_size={batch}", "--set", "train.log_every=50",
            "--set", f"train.sample_every={steps}", "--set", f"train.checkpoint_every={steps}"]
    for setting in extra:
        args += ["--set", setting]
    if processes > 1:
        args += ["--nproc", str(processes)]
    start = time.time()
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    wall = time.time() - start
    rate = float(re.search(r"done: \d+ steps, (\d+) images/s", done.stdout).group(1))
    return rate, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    rows = []
    work = tempfile.mkdtemp(prefix="gankit-dp-")
    try:
        for i, (label, processes, batch, extra) in enumerate(CASES):
            rate, wall = run_case(processes, batch, extra, args.steps, os.path.join(work, str(i)))
            rows.append((label, rate, wall))
            print(f"{label}: {rate:.0f} images/s, {wall:.1f} s wall", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = ["# Data-parallel training on this machine (`bench/data_parallel.py`)", "",
             f"DCGAN on Fashion-MNIST, {args.steps} steps; {os.cpu_count()} cores. `--nproc 2` gives each "
             "worker one thread.", "",
             "| run | images/s | wall s |", "|---|---:|---:|"]
    lines += [f"| {label} | {rate:.0f} | {wall:.1f} |" for label, rate, wall in rows]
    path = os.path.join(ROOT, "bench", "results", "data-parallel.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
