#!/usr/bin/python3
"""The machine's limit for GAN training, and how close gankit and PyTorch come to it.

    /usr/bin/python3 bench/roofline.py             # measure peaks, count FLOPs, read suite.json
    /usr/bin/python3 bench/roofline.py --peaks     # only the peak rates (about a minute)

1. Peak rates, measured through the libraries both tools run on (Debian's LibTorch 1.13: OpenBLAS for
   float32 GEMMs, oneDNN for convolutions and bf16): a 1024^3 GEMM and DCGAN's largest discriminator
   convolution (64x128x8x8 -> 256 channels, k4 s2), in float32 and bf16, on all cores, best of
   several runs. float32 GEMMs are measured twice: with the kernels OpenBLAS picks by itself and with
   the widest kernels the CPU supports (OPENBLAS_CORETYPE), each in its own process.
2. Training FLOPs per image of each model (multiply-adds x 2, forward F, backward 2F):
   a D step runs G forward once and D forward and backward on real and fake images (F_G + 6 F_D);
   a G step runs D forward and its input gradient (2 F_D) and G forward-backward's backward (2 F_G).
   Per image: 3 F_G + 8 F_D. Work that a tool does beyond that (PyTorch's reference also computes
   D's weight gradients in the G step) is not counted: the limit is for the useful work.
3. Each training case of bench/results/suite.json (bench/suite.py) as img/s, x tuned PyTorch, and %
   of the limit = peak FLOP/s / FLOPs per image, for float32 and, where the CPU has bf16 units, bf16.

Writes bench/results/roofline.md and roofline.json. Quote the CPU (lscpu) and OpenBLAS core with
every figure: both are in the output.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
sys.path.insert(0, os.path.join(ROOT, "bench"))

PEAK_PROBE = r"""
import ctypes, json, os, sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(len(os.sched_getaffinity(0)))
def best_rate(fn, flops, repeats=7, inner=5):
    fn(); fn()
    best = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner): fn()
        best = max(best, flops * inner / (time.perf_counter() - t))
    return best / 1e9
out = {}
lib = ctypes.CDLL("libopenblas.so.0"); lib.openblas_get_corename.restype = ctypes.c_char_p
out["core"] = lib.openblas_get_corename().decode()
n = 1024
a, b = torch.randn(n, n), torch.randn(n, n)
out["gemm_fp32"] = best_rate(lambda: torch.mm(a, b), 2 * n ** 3)
x, w = torch.randn(64, 128, 8, 8), torch.randn(256, 128, 4, 4)
conv_flops = 2 * 64 * 256 * 128 * 16 * 4 * 4
out["conv_fp32"] = best_rate(lambda: F.conv2d(x, w, stride=2, padding=1), conv_flops)
if sys.argv[1] == "bf16":
    a16, b16, x16, w16 = a.bfloat16(), b.bfloat16(), x.bfloat16(), w.bfloat16()
    out["gemm_bf16"] = best_rate(lambda: torch.mm(a16, b16), 2 * n ** 3)
    out["conv_bf16"] = best_rate(lambda: F.conv2d(x16, w16, stride=2, padding=1), conv_flops)
print(json.dumps(out))
"""


def cpu_flags():
    for line in open("/proc/cpuinfo"):
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def best_core(flags):
    """The widest OpenBLAS kernel family this CPU runs (gankit's compute/blas_kernels.cpp rule)."""
    if "avx512_bf16" in flags:
        return "Cooperlake"
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"} <= flags:
        return "SkylakeX"
    if "avx2" in flags and "fma" in flags:
        return "Haswell"
    return "Sandybridge" if "avx" in flags else ""


def measure_peaks():
    flags = cpu_flags()
    has_bf16 = bool({"avx512_bf16", "amx_bf16"} & flags)
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    runs = {}
    for label, extra in (("library", {}), ("best", {"OPENBLAS_CORETYPE": best_core(flags)})):
        out = subprocess.run([PYTHON, "-c", PEAK_PROBE, "bf16" if has_bf16 else "fp32"], env={**env, **extra},
                             capture_output=True, text=True, check=True).stdout
        runs[label] = json.loads(out.strip().splitlines()[-1])
    peaks = {"openblas_core_library": runs["library"]["core"], "openblas_core_best": runs["best"]["core"],
             "gemm_fp32_library": runs["library"]["gemm_fp32"], "gemm_fp32_best": runs["best"]["gemm_fp32"],
             "conv_fp32": max(r["conv_fp32"] for r in runs.values())}
    peaks["fp32"] = max(peaks["gemm_fp32_library"], peaks["gemm_fp32_best"], peaks["conv_fp32"])
    if has_bf16:
        peaks["gemm_bf16"] = max(r["gemm_bf16"] for r in runs.values())
        peaks["conv_bf16"] = max(r["conv_bf16"] for r in runs.values())
        peaks["bf16"] = max(peaks["gemm_bf16"], peaks["conv_bf16"])
    return peaks


def conv_flops(cin, cout, k, out_hw):
    return 2 * cin * cout * k * k * out_hw * out_hw


def conv_transpose_flops(cin, cout, k, in_hw):
    return 2 * cin * cout * k * k * in_hw * in_hw


def model_flops(model, channels, width=64, z_dim=100):
    """(F_G, F_D): forward FLOPs per image of the reference models (DESIGN.md), at 32x32 / 28x28."""
    if model == "dcgan":
        w = width
        g = (conv_transpose_flops(z_dim, 4 * w, 4, 1) + conv_transpose_flops(4 * w, 2 * w, 4, 4) +
             conv_transpose_flops(2 * w, w, 4, 8) + conv_transpose_flops(w, channels, 4, 16))
        d = (conv_flops(channels, w, 4, 16) + conv_flops(w, 2 * w, 4, 8) + conv_flops(2 * w, 4 * w, 4, 4) +
             conv_flops(4 * w, 1, 4, 1))
        return g, d
    pixels = 28 * 28 * channels
    g_sizes, d_sizes = [z_dim, 256, 512, 1024, pixels], [pixels, 512, 256, 1]
    mlp = lambda sizes: sum(2 * a * b for a, b in zip(sizes, sizes[1:]))
    return mlp(g_sizes), mlp(d_sizes)


def training_flops(model, channels):
    g, d = model_flops(model, channels)
    return 3 * g + 8 * d


def lscpu_model():
    return next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")


def case_model(name):
    model = "dcgan" if name.startswith("dcgan") else "mlp"
    return model, 3 if "cifar10" in name else 1


def markdown(peaks, suite):
    lines = [f"## Roofline: {lscpu_model()}, {os.cpu_count()} cores", "",
             f"Command: `/usr/bin/python3 bench/roofline.py` ({time.strftime('%Y-%m-%d')}); training figures from "
             f"the suite results ({suite.get('cpu', '?')}, {suite.get('date', '?')}, `bench/suite.py`).", "",
             "### Peak rates (GFLOP/s, all cores, LibTorch 1.13's kernels)", "",
             "| op | float32 | bf16 |", "|---|---|---|",
             f"| GEMM 1024³, OpenBLAS as it picks ({peaks['openblas_core_library']}) | {peaks['gemm_fp32_library']:.0f} | |",
             f"| GEMM 1024³, OpenBLAS {peaks['openblas_core_best']} / oneDNN bf16 | {peaks['gemm_fp32_best']:.0f} | "
             f"{peaks.get('gemm_bf16', float('nan')):.0f} |",
             f"| conv 64×128×8×8→256 k4 s2 (oneDNN) | {peaks['conv_fp32']:.0f} | {peaks.get('conv_bf16', float('nan')):.0f} |",
             f"| **limit used below** | **{peaks['fp32']:.0f}** | **{peaks.get('bf16', float('nan')):.0f}** |", "",
             "### Training cases against the limit", "",
             "FLOPs per image = 3 F_G + 8 F_D (see the script). % of limit = img/s × FLOPs per image / peak.", "",
             "| case | tool | img/s | × tuned | GFLOP/s | % of fp32 limit | % of bf16 limit |",
             "|---|---|---|---|---|---|---|"]
    for name, case in suite.get("train", {}).items():
        flops = training_flops(*case_model(name))
        for r in case["rows"]:
            rate = r["images_per_s"] * flops / 1e9
            bf16 = f"{100 * rate / peaks['bf16']:.0f}%" if "bf16" in peaks else "–"
            lines.append(f"| {name} ({flops / 1e6:.0f} MFLOP/img) | {r['tool']} | {r['images_per_s']:.0f} | "
                         f"{r.get('speed_vs_tuned', float('nan')):.2f} | {rate:.1f} | {100 * rate / peaks['fp32']:.0f}% | {bf16} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peaks", action="store_true", help="only measure and print the peak rates")
    ap.add_argument("--suite", default=os.path.join(ROOT, "bench", "results", "suite.json"),
                    help="the suite results to place against the limit (e.g. bench/results/suite-scaled.json)")
    args = ap.parse_args()
    peaks = measure_peaks()
    print(json.dumps(peaks, indent=1))
    if args.peaks:
        return
    suite = json.load(open(args.suite)) if os.path.exists(args.suite) else {}
    out = os.path.join(ROOT, "bench", "results", "roofline")
    with open(out + ".md", "w") as f:
        f.write(markdown(peaks, suite))
    flops = {name: training_flops(*case_model(name)) for name in suite.get("train", {})}
    with open(out + ".json", "w") as f:
        json.dump({"cpu": lscpu_model(), "date": time.strftime("%Y-%m-%d"), "peaks": peaks,
                   "training_flops_per_image": flops}, f, indent=1)
    print(f"wrote {out}.md and {out}.json", file=sys.stderr)


if __name__ == "__main__":
    main()
