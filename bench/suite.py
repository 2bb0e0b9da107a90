#!/usr/bin/python3
"""gankit's benchmark suite: training and sampling speed and memory next to PyTorch Python
references of the same models, data and hyper-parameters, run in this one invocation.

    /usr/bin/python3 bench/suite.py              # the whole suite (about 40 min on 2 cores)
    /usr/bin/python3 bench/suite.py --quick      # every case at a tenth of the steps
    /usr/bin/python3 bench/suite.py --only dcgan-fashion-mnist-b64

Training: `gankit train CONFIG` (whole process: start-up, data loading, grids, report,
checkpoints) against bench/reference/train_gan.py, once as a user writes it by default (torch's
default threads, a Dataset with per-item torchvision transforms or ImageFolder) and once tuned
(threads = cores, the data decoded once into a float tensor in memory; DataLoader workers only
lose on 2 cores, see train_gan.py). Ratios are against the tuned run. Each number is the
process's own: training images/s as the tool reports it over its training loop, wall time and
peak RSS of the whole process (os.wait4).
Rows: gankit in float32 and, on a CPU with bf16 units, as a user gets it (train.precision = auto);
PyTorch by default, tuned, and at its best: tuned with the widest OpenBLAS kernels the CPU runs
(OPENBLAS_CORETYPE, as gankit picks them) in float32, and with bf16 autocast where the CPU has bf16
units. Every process starts without OPENBLAS_CORETYPE unless its row sets it. Training tables add
each row's share of the machine's float32 and bf16 limit (bench/roofline.py, measured first).
Sampling: `gankit sample CKPT -n 10000 -o X.npy` against bench/reference/sample_gan.py, whole
processes.
Evaluation: `gankit eval --samples A.npy --real B.npy --features inception:W --metrics fid`
against bench/reference/eval_fid.py (pytorch-fid's way), whole processes, on EVAL_N generated and
EVAL_N real images (throughput counts both). The Inception weights are random (the real file
cannot be downloaded here; speed does not depend on the values), made by
tests/data/make_inception_reference.py; the two FIDs must agree.
Writes bench/results/suite.md and suite.json. Run it on a quiet machine: two-thread runs
collapse when another process takes a core, and single runs vary by about 10% here.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from train_vs_pytorch import run  # one process, measured: (stdout, wall s, peak RSS MiB)
from roofline import best_core, case_model, cpu_flags, measure_peaks, training_flops

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GANKIT = os.path.join(ROOT, "build", "gankit")
PYTHON = "/usr/bin/python3"

# name, model, dataset, gankit config, batch, steps, extra gankit settings for parity
TRAIN_CASES = [
    ("mlp-mnist-b64", "mlp", "mnist", "gan-mnist", 64, 1000),
    ("mlp-mnist-b256", "mlp", "mnist", "gan-mnist", 256, 250),
    ("dcgan-fashion-mnist-b64", "dcgan", "fashion-mnist", "dcgan-fashion-mnist", 64, 937),  # the goal: 1 epoch
    ("dcgan-fashion-mnist-b256", "dcgan", "fashion-mnist", "dcgan-fashion-mnist", 256, 100),
    ("dcgan-cifar10-b64", "dcgan", "cifar10", "dcgan-cifar10", 64, 300),
    ("dcgan-cifar10-b256", "dcgan", "cifar10", "dcgan-cifar10", 256, 75),
]
SAMPLE_CASES = [("dcgan-fashion-mnist", "dcgan", 1), ("dcgan-cifar10", "dcgan", 3), ("mlp-mnist", "mlp", 1)]
SAMPLES = 10000
EVAL_N = 500
# Every tool starts as on a fresh machine: the libraries pick their kernels themselves (this
# workplace's shells may preset OPENBLAS_CORETYPE). PyTorch "at its best" gets the widest OpenBLAS
# kernels the CPU runs, as gankit picks them, and bf16 autocast where the CPU has bf16 units.
FRESH_ENV = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
CPU_FLAGS = cpu_flags()
BF16_UNITS = bool({"avx512_bf16", "amx_bf16"} & CPU_FLAGS)
PYTHON_STYLES = ["default", "tuned", "best fp32"] + (["best bf16"] if BF16_UNITS else [])


def gankit_train(case, steps, work, precision):
    name, model, dataset, config, batch, _ = case
    run_dir = os.path.join(work, f"{name}-gankit-{precision}")
    subprocess.run(["rm", "-rf", run_dir], check=True)
    # Same hyper-parameters as the reference: the configs' own, minus the weight average the MLP
    # configs add (the reference keeps none).
    out, wall, rss = run([GANKIT, "train", config, "--out", run_dir, "--set", f"train.steps={steps}",
                          "--set", f"train.batch_size={batch}", "--set", "train.ema=0",
                          "--set", f"train.precision={precision}"],
                         os.path.join(work, f"{name}-gankit-{precision}.log"), env=FRESH_ENV)
    done = [line for line in out.splitlines() if line.startswith("done:")][-1]
    chosen = next(l.split()[1] for l in out.splitlines() if l.startswith("precision "))
    tool = "gankit" if precision == "fp32" else f"gankit ({precision}: {chosen})"
    return {"tool": tool, "images_per_s": float(done.split(",")[1].split()[0]), "process_wall_s": wall,
            "peak_rss_mb": rss, "checkpoint": os.path.join(run_dir, "checkpoints", "latest.pt")}


def gankit_rows(case, steps, work):
    """gankit in float32, and as a user gets it (train.precision = auto) where that differs."""
    rows = [gankit_train(case, steps, work, "fp32")]
    if BF16_UNITS:
        rows.append(gankit_train(case, steps, work, "auto"))
    return rows


def python_train(case, steps, style, work):
    name, model, dataset, _, batch, _ = case
    best = style.startswith("best")
    env = {**FRESH_ENV, "OPENBLAS_CORETYPE": best_core(CPU_FLAGS)} if best else FRESH_ENV
    extra = ["--autocast", "bf16"] if style == "best bf16" else []
    out, wall, rss = run([PYTHON, "bench/reference/train_gan.py", "--model", model, "--dataset", dataset,
                          "--style", "tuned" if best else style, "--steps", str(steps), "--batch-size", str(batch),
                          "--log-every", "0"] + extra,
                         os.path.join(work, f"{name}-{style.replace(' ', '-')}.log"), env=env)
    result = json.loads(out.strip().splitlines()[-1])
    return {"tool": f"pytorch ({style})", "images_per_s": result["train_images_per_s"], "process_wall_s": wall,
            "peak_rss_mb": rss, "threads": result["threads"]}


def sample_rows(name, model, channels, checkpoint, work):
    rows = []
    out_path = os.path.join(work, f"{name}-samples.npy")
    _, wall, rss = run([GANKIT, "sample", checkpoint, "-n", str(SAMPLES), "-o", out_path],
                       os.path.join(work, f"{name}-sample-gankit.log"), env=FRESH_ENV)
    rows.append({"tool": "gankit", "images_per_s": SAMPLES / wall, "process_wall_s": wall, "peak_rss_mb": rss})
    for style in ("default", "tuned"):
        _, wall, rss = run([PYTHON, "bench/reference/sample_gan.py", "--model", model, "--channels", str(channels),
                            "-n", str(SAMPLES), "--out", out_path, "--style", style],
                           os.path.join(work, f"{name}-sample-{style}.log"))
        rows.append({"tool": f"pytorch ({style})", "images_per_s": SAMPLES / wall, "process_wall_s": wall,
                     "peak_rss_mb": rss})
    return rows


def eval_rows(work):
    """FID of two sets of EVAL_N smooth random 32x32 RGB images, gankit next to pytorch-fid's way."""
    import numpy as np
    inception = os.path.join(work, "inception")
    weights = os.path.join(inception, "weights_zip.pth")
    if not os.path.exists(weights):
        subprocess.run([PYTHON, "tests/data/make_inception_reference.py", inception], check=True, cwd=ROOT)
    paths = []
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        coarse = rng.integers(0, 256, size=(EVAL_N, 8, 8, 3)).astype(np.uint8)
        path = os.path.join(work, f"eval-{seed}.npy")
        np.save(path, coarse.repeat(4, axis=1).repeat(4, axis=2))
        paths.append(path)
    rows = []
    out, wall, rss = run([GANKIT, "eval", "--samples", paths[0], "--real", paths[1], "--features",
                          f"inception:{weights}", "--metrics", "fid", "--no-cache", "-q"],
                         os.path.join(work, "eval-gankit.log"))
    result = json.loads(out.strip().splitlines()[-1])
    rows.append({"tool": "gankit", "images_per_s": 2 * EVAL_N / wall, "process_wall_s": wall, "peak_rss_mb": rss,
                 "fid": result["fid"], "features_s": result["seconds"]["features"] + result["seconds"]["real_features"],
                 "statistics_s": result["seconds"]["statistics"]})
    for style in ("default", "tuned"):
        out, wall, rss = run([PYTHON, "bench/reference/eval_fid.py", "--weights", weights, "--samples", paths[0],
                              "--real", paths[1], "--style", style], os.path.join(work, f"eval-{style}.log"))
        result = json.loads(out.strip().splitlines()[-1])
        rows.append({"tool": f"pytorch ({style})", "images_per_s": 2 * EVAL_N / wall, "process_wall_s": wall,
                     "peak_rss_mb": rss, "fid": result["fid"], "features_s": result["features_s"],
                     "statistics_s": result["statistics_s"]})
    return rows


def with_ratios(rows):
    tuned = next(r for r in rows if r["tool"] == "pytorch (tuned)")
    for r in rows:
        r["speed_vs_tuned"] = r["images_per_s"] / tuned["images_per_s"]
        r["wall_vs_tuned"] = tuned["process_wall_s"] / r["process_wall_s"]  # > 1: faster than tuned
    return rows


def table(title, rows, what, peaks=None, flops=None):
    """A case's rows; for training cases with the machine's peaks, % of its float32/bf16 limit
    (img/s x training FLOPs per image / peak FLOP/s, bench/roofline.py)."""
    limit = peaks is not None and flops is not None
    extra = " % of fp32 limit | % of bf16 limit |" if limit else ""
    lines = [f"### {title}", "", f"| tool | {what} img/s | × tuned | process wall s | × tuned (wall) | peak RSS MiB |{extra}",
             "|---|---|---|---|---|---|" + ("---|---|" if limit else "")]
    for r in rows:
        cells = ""
        if limit:
            rate = r["images_per_s"] * flops
            bf16 = f"{100 * rate / (peaks['bf16'] * 1e9):.0f}%" if "bf16" in peaks else "–"
            cells = f" {100 * rate / (peaks['fp32'] * 1e9):.0f}% | {bf16} |"
        lines.append(f"| {r['tool']} | {r['images_per_s']:.0f} | {r['speed_vs_tuned']:.2f} | {r['process_wall_s']:.1f} | "
                     f"{r['wall_vs_tuned']:.2f} | {r['peak_rss_mb']:.0f} |{cells}")
    return "\n".join(lines) + "\n"


def markdown(results, command):
    peaks = results.get("peaks")
    report = [f"## gankit benchmark suite ({results['cores']} cores, {results['cpu']})", "",
              f"Command: `{command}`; each case as last measured ({results['date']} or earlier, see suite.json).",
              f"Kernels: {results.get('kernels', '?')}. Machine limit (bench/roofline.py): "
              + (f"{peaks['fp32']:.0f} GFLOP/s float32, {peaks.get('bf16', float('nan')):.0f} bf16." if peaks else "not measured."),
              ""]
    for name, case in results["train"].items():
        report.append(table(f"train {name}: {case['steps']} steps of batch {case['batch']}", case["rows"], "train",
                            peaks, training_flops(*case_model(name))))
    for name, rows in results["sample"].items():
        report.append(table(f"sample {name}: {SAMPLES} images to .npy", rows, "sample"))
    if "eval" in results:
        rows = results["eval"]
        report.append(table(f"eval: Inception-v3 FID of {EVAL_N} generated + {EVAL_N} real images", rows, "eval"))
        report.append("| tool | FID (random weights) | features s | statistics s |\n|---|---|---|---|\n" + "".join(
            f"| {r['tool']} | {r['fid']:.6g} | {r['features_s']:.1f} | {r['statistics_s']:.2f} |\n" for r in rows))
    return "\n".join(report)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a tenth of the steps (a smoke run, not figures)")
    ap.add_argument("--only", default="", help="comma-separated case names; the other cases keep their last figures")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="steps x SCALE (e.g. 0.25; written to suite-scaled.md/json, not suite.md)")
    args = ap.parse_args()
    if not os.path.exists(GANKIT):
        sys.exit(f"{GANKIT} not found: build first (bash scripts/setup.sh)")
    work = os.path.join(ROOT, "bench", ".cache", "suite")
    os.makedirs(work, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    variant = "-quick" if args.quick else "-scaled" if args.scale != 1.0 else ""
    stem = os.path.join(ROOT, "bench", "results", "suite" + variant)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    results = {"train": {}, "sample": {}}
    if only and os.path.exists(stem + ".json"):
        with open(stem + ".json") as f:
            results = json.load(f)
    results.update({"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "cpu": cpu})
    results["kernels"] = json.loads(subprocess.run([GANKIT, "info", "--kernels"], env=FRESH_ENV, capture_output=True,
                                                   text=True, check=True).stdout)["blas"]["line"]
    print("[suite] peak rates (bench/roofline.py)", file=sys.stderr, flush=True)
    results["peaks"] = measure_peaks()
    checkpoints = {}
    for case in TRAIN_CASES:
        name, steps = case[0], max(1, case[5] // 10) if args.quick else max(1, round(case[5] * args.scale))
        if only and name not in only:
            continue
        print(f"[suite] train {name}: {steps} steps", file=sys.stderr, flush=True)
        rows = gankit_rows(case, steps, work) + [python_train(case, steps, s, work) for s in PYTHON_STYLES]
        checkpoints.setdefault(f"{case[1]}-{case[2]}", rows[0]["checkpoint"])
        results["train"][name] = {"steps": steps, "batch": case[4], "rows": with_ratios(rows)}
        print(table(f"train {name}: {steps} steps of batch {case[4]}", rows, "train"), flush=True)
    for name, model, channels in SAMPLE_CASES:
        if name not in checkpoints:
            continue
        print(f"[suite] sample {name}", file=sys.stderr, flush=True)
        rows = with_ratios(sample_rows(name, model, channels, checkpoints[name], work))
        results["sample"][name] = rows
        print(table(f"sample {name}: {SAMPLES} images to .npy", rows, "sample"), flush=True)
    if not only or "eval" in only:
        print("[suite] eval", file=sys.stderr, flush=True)
        results["eval"] = with_ratios(eval_rows(work))
        print(table(f"eval: Inception-v3 FID of {EVAL_N} generated + {EVAL_N} real images", results["eval"], "eval"),
              flush=True)
    os.makedirs(os.path.dirname(stem), exist_ok=True)
    with open(stem + ".md", "w") as f:
        f.write(markdown(results, "/usr/bin/python3 bench/suite.py" + (" --quick" if args.quick else "") +
                         (f" --scale {args.scale}" if args.scale != 1.0 else "") + (f" --only {args.only}" if only else "")))
    with open(stem + ".json", "w") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {stem}.md and {stem}.json", file=sys.stderr)


if __name__ == "__main__":
    main()
