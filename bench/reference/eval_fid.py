#!/usr/bin/python3
"""PyTorch reference for `gankit eval`: pytorch-fid's FID of two image arrays, computed the way
pytorch-fid computes it (its Inception-v3 in eval mode, batches of 50, resize to 299 bilinear,
pool3 features; mean and covariance with numpy; scipy.linalg.sqrtm of the covariance product).

    /usr/bin/python3 bench/reference/eval_fid.py --weights W.pth --samples FAKE.npy --real REAL.npy \
        [--style default|tuned]

The network's definition is the one the tests check gankit against
(tests/data/make_inception_reference.py). Arrays are uint8 (N,H,W,C), as `gankit sample` writes.
default: torch's default threads, as a user's script runs; tuned: threads = cores. Prints one JSON
line: fid, n, and the seconds spent on features and on statistics.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import scipy.linalg
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data"))
from make_inception_reference import fid_inception_v3, pool3  # noqa: E402


def features(net, array, batch_size):
    out = []
    with torch.no_grad():
        for start in range(0, len(array), batch_size):
            batch = torch.from_numpy(array[start:start + batch_size]).permute(0, 3, 1, 2).float() / 255
            out.append(pool3(net, batch).numpy().astype(np.float64))
    return np.concatenate(out)


def frechet_distance(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():  # pytorch-fid's fallback for singular products
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = scipy.linalg.sqrtm((s1 + offset).dot(s2 + offset))
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--real", required=True)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--style", choices=["default", "tuned"], default="tuned")
    args = ap.parse_args()
    if args.style == "tuned":
        torch.set_num_threads(os.cpu_count())
    net = fid_inception_v3()
    net.load_state_dict(torch.load(args.weights))
    net.eval()
    fake, real = np.load(args.samples), np.load(args.real)
    start = time.perf_counter()
    f_fake, f_real = features(net, fake, args.batch_size), features(net, real, args.batch_size)
    features_s = time.perf_counter() - start
    start = time.perf_counter()
    fid = frechet_distance(f_real, f_fake)
    print(json.dumps({"fid": fid, "n": len(fake), "n_real": len(real), "threads": torch.get_num_threads(),
                      "features_s": features_s, "statistics_s": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
