#!/usr/bin/python3
"""Trains one GAN with gankit and with the PyTorch reference, same model, data and
hyper-parameters, in one invocation; samples 10,000 images from each; scores them with
bench/score_samples.py; prints a Markdown table and writes it (plus JSON) to bench/results/.

    /usr/bin/python3 bench/train_vs_pytorch.py dcgan            # DCGAN, Fashion-MNIST, 937 steps
    /usr/bin/python3 bench/train_vs_pytorch.py mlp              # MLP GAN, MNIST, 3000 steps
    /usr/bin/python3 bench/train_vs_pytorch.py dcgan --steps 200 --styles tuned

Measured the same way for every run: training images/s (the tool's own figure over its training
loop), whole-process wall time, and peak RSS of the process (os.wait4). Run it on a quiet
machine: two-thread OpenMP runs collapse when another process takes a core.
Needs Debian's python3-torch, python3-numpy and python3-torchvision (for --styles default).
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = {
    "dcgan": {"config": "dcgan-fashion-mnist", "dataset": "fashion-mnist", "steps": 937},
    "mlp": {"config": "gan-mnist", "dataset": "mnist", "steps": 3000},
}


def run(cmd, log_path, env=None):
    """Runs cmd (in `env`, default this one), returns (stdout, wall seconds, peak RSS MiB) of that process alone."""
    start = time.time()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT, env=env)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({log_path}): {' '.join(cmd)}")
    return out, time.time() - start, usage.ru_maxrss / 1024


def gankit_run(spec, steps, work):
    run_dir = os.path.join(work, "gankit")
    subprocess.run(["rm", "-rf", run_dir], check=True)
    out, wall, rss = run([os.path.join(ROOT, "build/gankit"), "train", spec["config"], "--out", run_dir,
                          "--set", f"train.steps={steps}"], os.path.join(work, "gankit.log"))
    done = [line for line in out.splitlines() if line.startswith("done:")][-1]
    images_per_s = float(done.split(",")[1].split()[0])
    samples = os.path.join(work, "gankit.npy")
    subprocess.run([os.path.join(ROOT, "build/gankit"), "sample", f"{run_dir}/checkpoints/latest.pt", "-n", "10000",
                    "-o", samples], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return {"tool": "gankit", "images_per_s": images_per_s, "process_wall_s": wall, "peak_rss_mb": rss,
            "samples": samples}


def python_run(model, spec, steps, style, work):
    samples = os.path.join(work, f"pytorch-{style}.npy")
    out, wall, rss = run(["/usr/bin/python3", "bench/reference/train_gan.py", "--model", model, "--dataset",
                          spec["dataset"], "--style", style, "--steps", str(steps), "--out", samples],
                         os.path.join(work, f"pytorch-{style}.log"))
    result = json.loads(out.strip().splitlines()[-1])
    return {"tool": f"pytorch ({style})", "images_per_s": result["train_images_per_s"], "process_wall_s": wall,
            "peak_rss_mb": rss, "samples": samples}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(RUNS))
    ap.add_argument("--steps", type=int)
    ap.add_argument("--styles", default="tuned,default", help="PyTorch styles to run: tuned,default")
    ap.add_argument("--no-score", action="store_true")
    args = ap.parse_args()
    spec = RUNS[args.model]
    steps = args.steps or spec["steps"]
    work = os.path.join(ROOT, "bench/.cache/compare", f"{args.model}-{steps}")
    os.makedirs(work, exist_ok=True)

    rows = [gankit_run(spec, steps, work)]
    for style in filter(None, args.styles.split(",")):
        rows.append(python_run(args.model, spec, steps, style, work))
    if not args.no_score:
        scored = subprocess.run(["/usr/bin/python3", "bench/score_samples.py", "--dataset", spec["dataset"]] +
                                [r["samples"] for r in rows], check=True, capture_output=True, text=True, cwd=ROOT)
        scores = [json.loads(line) for line in scored.stdout.splitlines() if line.startswith("{")]
        for row, score in zip(rows, scores):
            row.update({k: score[k] for k in ("fid", "kid", "is") if k in score})

    reference = next((r for r in rows if r["tool"] == "pytorch (tuned)"), None)
    lines = [f"## {args.model} on {spec['dataset']}, {steps} steps of batch 64 ({time.strftime('%Y-%m-%d')})", "",
             "| tool | train img/s | vs tuned PyTorch | process wall s | peak RSS MiB | FID (judge CNN) | IS |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['images_per_s'] / reference['images_per_s']:.2f}x" if reference else "-"
        lines.append(f"| {r['tool']} | {r['images_per_s']:.0f} | {ratio} | {r['process_wall_s']:.0f} | "
                     f"{r['peak_rss_mb']:.0f} | {r.get('fid', float('nan')):.1f} | {r.get('is', float('nan')):.2f} |")
    table = "\n".join(lines)
    print(table)
    os.makedirs(os.path.join(ROOT, "bench/results"), exist_ok=True)
    stem = os.path.join(ROOT, "bench/results", f"train-{args.model}-{steps}")
    with open(stem + ".md", "w") as f:
        f.write(table + "\n")
    with open(stem + ".json", "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
