#!/usr/bin/python3
"""bf16 against fp32 at the same steps: does mixed precision cost sample quality?

    /usr/bin/python3 bench/precision_quality.py            # 4 configs x 2 precisions x 2 seeds
    /usr/bin/python3 bench/precision_quality.py --quick    # a tenth of the steps (smoke run)

Each run: `gankit train CONFIG --set train.precision=P --set train.seed=S`, then 10,000 samples at
the same precision, scored by two judges trained independently of each other and of gankit's
runs:
  - a domain-classifier FID: `gankit eval --features classifier:FILE` with a classifier from
    `gankit classifier train --data DATASET` (cached in bench/.cache/precision/);
  - for MNIST and Fashion-MNIST, bench/score_samples.py's CNN FID (a separately trained PyTorch
    network).
Writes bench/results/precision-quality.md and .json: every run, then per config and precision the
mean and the seed range, and whether bf16's mean lies within (or below) fp32's seed range.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from train_vs_pytorch import run  # noqa: E402

# GANKIT=path runs a copy, so a rebuild while this runs does not swap the binary under it.
GANKIT = os.environ.get("GANKIT", os.path.join(ROOT, "build", "gankit"))
PYTHON = "/usr/bin/python3"
# config, data set, settings beyond the config's own: every run shortened to fit a 2-core session
CASES = [
    ("dcgan-fashion-mnist", "fashion-mnist", ["train.steps=300"]),
    ("gan-mnist", "mnist", ["train.steps=1500"]),
    ("sn-dcgan-cifar10", "cifar10", ["train.steps=300"]),
    ("wgan-gp-cifar10", "cifar10", ["train.steps=60"]),
]
SEEDS = [0, 1, 2]
PRECISIONS = ["fp32", "bf16"]
SAMPLES = 10000


def classifier(dataset, work):
    path = os.path.join(work, f"classifier-{dataset}.pt")
    if not os.path.exists(path):
        # 600 steps of 64 (under an epoch): a judge of ~88% test accuracy on Fashion-MNIST, in a minute.
        run([GANKIT, "classifier", "train", "--data", dataset, "--steps", "600", "-o", path],
            os.path.join(work, f"classifier-{dataset}.log"))
    return path


def run_settings(settings, precision, seed, quick):
    # One thread: this runs beside other work, where two-thread OpenMP teams collapse.
    sets = settings + [f"train.precision={precision}", f"train.seed={seed}", "train.sample_every=0", "train.threads=1"]
    return sets + ["train.steps=60"] if quick else sets


def train_and_score(config, dataset, settings, precision, seed, work, quick):
    name = f"{config}-{precision}-s{seed}"
    run_dir = os.path.join(work, name)
    subprocess.run(["rm", "-rf", run_dir], check=True)
    sets = run_settings(settings, precision, seed, quick)
    cmd = [GANKIT, "train", config, "--out", run_dir]
    for s in sets:
        cmd += ["--set", s]
    out, wall, _ = run(cmd, os.path.join(work, name + ".log"))
    done = [line for line in out.splitlines() if line.startswith("done:")][-1]
    row = {"config": config, "precision": precision, "seed": seed, "settings": sets,
           "images_per_s": float(done.split(",")[1].split()[0]), "train_wall_s": round(wall, 1)}
    samples = os.path.join(work, name + ".npy")
    subprocess.run(["rm", "-f", samples], check=True)  # gankit refuses to replace an existing file
    run([GANKIT, "sample", os.path.join(run_dir, "checkpoints", "latest.pt"), "-n", str(SAMPLES), "-o", samples,
         "--precision", precision], os.path.join(work, name + "-sample.log"))
    out, _, _ = run([GANKIT, "eval", "--samples", samples, "--real", dataset, "--features",
                     f"classifier:{classifier(dataset, work)}", "--metrics", "fid", "-q"],
                    os.path.join(work, name + "-eval.log"))
    row["classifier_fid"] = json.loads(out.strip().splitlines()[-1])["fid"]
    if dataset in ("mnist", "fashion-mnist"):
        out, _, _ = run([PYTHON, "bench/score_samples.py", "--dataset", dataset, samples],
                        os.path.join(work, name + "-score.log"))
        row["cnn_fid"] = json.loads(out.strip().splitlines()[-1])["fid"]
    print(json.dumps(row), flush=True)
    return row


def summary(rows):
    lines = ["| config | judge | fp32 mean (seed range) | bf16 mean (seed range) | bf16 within fp32's range or better |",
             "|---|---|---|---|---|"]
    verdicts = []
    for config, *_ in CASES:
        for judge in ("classifier_fid", "cnn_fid"):
            by = {p: [r[judge] for r in rows if r["config"] == config and r["precision"] == p and judge in r]
                  for p in PRECISIONS}
            if not by["fp32"] or not by["bf16"]:
                continue
            mean = {p: sum(v) / len(v) for p, v in by.items()}
            ok = mean["bf16"] <= max(by["fp32"])
            verdicts.append(ok)
            lines.append(f"| {config} | {judge} | {mean['fp32']:.2f} ({min(by['fp32']):.2f}–{max(by['fp32']):.2f}) | "
                         f"{mean['bf16']:.2f} ({min(by['bf16']):.2f}–{max(by['bf16']):.2f}) | {'yes' if ok else 'NO'} |")
    return "\n".join(lines), all(verdicts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated configs")
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="comma-separated seeds")
    ap.add_argument("--keep", action="store_true",
                    help="reuse the runs already in the results file (same config, precision, seed and settings)")
    args = ap.parse_args()
    work = os.path.join(ROOT, "bench", ".cache", "precision")
    os.makedirs(work, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    rows = previous_rows(args.quick) if args.keep else []
    for config, dataset, settings in CASES:
        if only and config not in only:
            continue
        for seed in map(int, args.seeds.split(",")):
            for precision in PRECISIONS:  # alternating, so load on the machine hits both alike
                if any(r["config"] == config and r["precision"] == precision and r["seed"] == seed
                       and r["settings"] == run_settings(settings, precision, seed, args.quick) for r in rows):
                    continue
                rows.append(train_and_score(config, dataset, settings, precision, seed, work, args.quick))
                write(rows, args.quick)  # after every run: a cut-short session keeps what it measured


def results_stem(quick):
    return os.path.join(ROOT, "bench", "results", "precision-quality" + ("-quick" if quick else ""))


def previous_rows(quick):
    try:
        with open(results_stem(quick) + ".json") as f:
            return json.load(f)["rows"]
    except (OSError, ValueError, KeyError):
        return []


def write(rows, quick):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    table, all_ok = summary(rows)
    stem = results_stem(quick)
    with open(stem + ".json", "w") as f:
        json.dump({"cpu": cpu, "date": time.strftime("%Y-%m-%d"), "rows": rows}, f, indent=1)
    run_lines = ["| config | precision | seed | train img/s | classifier FID | CNN FID |", "|---|---|---|---|---|---|"]
    for r in rows:
        cnn = f"{r['cnn_fid']:.2f}" if "cnn_fid" in r else "–"
        run_lines.append(f"| {r['config']} | {r['precision']} | {r['seed']} | {r['images_per_s']:.0f} | "
                         f"{r['classifier_fid']:.2f} | {cnn} |")
    with open(stem + ".md", "w") as f:
        f.write(f"## bf16 against fp32 at equal steps ({cpu}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})\n\n"
                f"Command: `/usr/bin/python3 bench/precision_quality.py{' --quick' if quick else ''}`. Lower FID is "
                f"better. Settings beyond each config: see precision-quality.json. Training img/s here are not "
                f"speed figures (the machine was shared while this ran).\n\n{table}\n\n"
                f"bf16 {'stays' if all_ok else 'does NOT stay'} within fp32's seed range on every judge measured.\n\n"
                "### Every run\n\n" + "\n".join(run_lines) + "\n")
    print(f"wrote {stem}.md", file=sys.stderr)


if __name__ == "__main__":
    main()
