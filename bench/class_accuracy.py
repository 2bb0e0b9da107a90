#!/usr/bin/python3
"""How often an independent classifier recognises a conditional GAN's class-K samples as K.

    /usr/bin/python3 bench/class_accuracy.py runs/cgan-mnist/checkpoints/latest.pt --dataset mnist

Draws --per-class samples of every class with `gankit sample --class K` (each class its own
noise seed), classifies them with the judge CNN of bench/score_samples.py (trained on the real
training set, cached) and prints one JSON line: overall and per-class accuracy, the minimum over
classes, and the judge's own test accuracy.  The conditional GANs' acceptance check.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from score_samples import Judge, features, load_samples, resize  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    ap.add_argument("--per-class", type=int, default=500)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--gankit", default=os.path.join(HERE, "..", "build", "gankit"))
    args = ap.parse_args()
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    judge = Judge(args.dataset)
    per_class = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.classes):
            out = os.path.join(tmp, f"class{k}.npy")
            subprocess.run([args.gankit, "sample", args.checkpoint, "-n", str(args.per_class), "--class", str(k),
                            "--seed", str(1000 + k), "-o", out], check=True, stdout=subprocess.DEVNULL)
            samples = load_samples(out)
            x28 = resize(samples, 28) if samples.shape[1] != 28 else samples
            _, p = features(judge.model, x28)
            per_class[k] = float((p.argmax(1) == k).mean())
    print(json.dumps({
        "checkpoint": args.checkpoint, "per_class_n": args.per_class,
        "accuracy": round(float(np.mean(list(per_class.values()))), 4),
        "min_class_accuracy": round(min(per_class.values()), 4),
        "per_class": {k: round(v, 4) for k, v in per_class.items()},
        "judge_test_accuracy": round(judge.acc, 4),
    }))


if __name__ == "__main__":
    main()
