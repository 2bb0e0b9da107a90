#!/usr/bin/python3
"""PyTorch reference for gankit's sampling benchmark: draws N images from the `mlp` or `dcgan`
generator of DESIGN.md (as bench/reference/train_gan.py defines them) in eval mode, in batches,
converts them to uint8 (N,H,W,C) and saves an .npy, as `gankit sample CKPT -n N -o OUT.npy` does.
Speed does not depend on the weights, so the generator keeps its initial ones.

    /usr/bin/python3 bench/reference/sample_gan.py --model dcgan --channels 1 -n 10000 --out /tmp/s.npy

Prints ONE JSON line: images_per_s over the sampling loop and process_wall_s.
"""
import time
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_gan  # noqa: E402  (the model definitions)


def main():
    t0 = train_gan.process_start_time()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["mlp", "dcgan"], required=True)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("-n", type=int, default=10000)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--out", required=True)
    p.add_argument("--style", choices=["default", "tuned"], default="tuned")
    args = p.parse_args()
    if args.style == "tuned":
        torch.set_num_threads(len(os.sched_getaffinity(0)))
    z_dim = 100
    if args.model == "dcgan":
        net = train_gan.DcganGenerator(z_dim, args.channels)
    else:
        net = train_gan.MlpGenerator(z_dim, (args.channels, 28, 28), "torch")  # train_gan's default
    net.eval()
    gen = torch.Generator().manual_seed(0)
    start = time.time()
    chunks = []
    with torch.no_grad():
        for i in range(0, args.n, args.batch_size):
            x = net(torch.randn(min(args.batch_size, args.n - i), z_dim, generator=gen))
            x = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
            chunks.append(x.permute(0, 2, 3, 1).contiguous().numpy())
    out = np.concatenate(chunks)
    np.save(args.out, out)
    seconds = time.time() - start
    print(json.dumps({"images_per_s": round(args.n / seconds, 1), "process_wall_s": round(time.time() - t0, 3),
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
