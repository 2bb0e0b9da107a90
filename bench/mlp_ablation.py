#!/usr/bin/python3
"""Ablation of the MLP GAN's training choices (issue 19): one factor at a time, in PyTorch.

The loop is bench/reference/train_gan.py's (D on real, D on fake, G on the same fake scored by
the updated D; Adam, BCE), which is also gankit's AdversarialGan step.  Each flag switches one
choice that differs between gankit's `gan-mnist` and the PyTorch reference an outside judge
preferred:

    --init     glorot (Keras, gankit) | torch (nn.Linear's default, kaiming_uniform a=sqrt(5))
    --bn       keras (momentum 0.8 in Keras terms = 0.2 in torch's, eps 1e-3) | torch (0.1, 1e-5)
    --ema      decay of an exponential moving average of G (0 = off), with gankit's warm-up
               min(decay, (1+u)/(10+u))
    --sample-bn  running (G.eval() with the running statistics, as the reference samples) |
               precise (statistics recomputed over 50 batches of 64, as gankit samples) |
               batch (G.train(): each batch of 1000 samples uses its own statistics)

    /usr/bin/python3 bench/mlp_ablation.py --init torch --bn torch --seed 0 --out /tmp/a.npy

Prints one JSON line (the settings) on stdout; samples are uint8 (N,28,28,1) as gankit writes.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
import train_gan as ref  # noqa: E402


def build(args):
    shape = (1, 28, 28)
    g = ref.MlpGenerator(100, shape, flavour=args.bn)
    d = ref.MlpDiscriminator(shape)
    if args.init == "glorot":
        g.apply(ref.keras_init)
        d.apply(ref.keras_init)
    return g, d


def ema_update(avg, src, decay, updates):
    d = min(decay, (1.0 + updates) / (10.0 + updates))
    with torch.no_grad():
        for a, w in zip(avg.parameters(), src.parameters()):
            a.mul_(d).add_(w, alpha=1.0 - d)
        for a, w in zip(avg.buffers(), src.buffers()):
            a.copy_(w)


def precise_bn(g, gen, batches=50, batch_size=64):
    bns = [m for m in g.modules() if isinstance(m, nn.BatchNorm1d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    g.train()
    with torch.no_grad():
        for _ in range(batches):
            g(torch.randn(batch_size, 100, generator=gen))


def sample(g, args):
    gen = torch.Generator().manual_seed(args.seed + 1)
    if args.sample_bn == "precise":
        precise_bn(g, torch.Generator().manual_seed(args.seed + 2))
    g.train(args.sample_bn == "batch")
    chunks = []
    with torch.no_grad():
        for i in range(0, args.n_samples, 1000):
            x = g(torch.randn(min(1000, args.n_samples - i), 100, generator=gen))
            x = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
            chunks.append(x.permute(0, 2, 3, 1).contiguous().numpy())
    return np.concatenate(chunks)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    p.add_argument("--init", choices=["glorot", "torch"], default="glorot")
    p.add_argument("--bn", choices=["keras", "torch"], default="keras")
    p.add_argument("--ema", type=float, default=0.0)
    p.add_argument("--sample-bn", choices=["running", "precise", "batch"], default="running")
    p.add_argument("--lr-g", type=float, default=2e-4)
    p.add_argument("--lr-d", type=float, default=2e-4)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n-samples", type=int, default=10000)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    images, labels = ref.load_images(args.dataset, "train")
    batches = ref.tuned_batches(images, labels, 28, args.batch_size)
    g, d = build(args)
    avg = None
    if args.ema > 0:
        avg = ref.MlpGenerator(100, (1, 28, 28), flavour=args.bn)
        avg.load_state_dict(g.state_dict())
    bce = nn.BCEWithLogitsLoss()
    opt_d = torch.optim.Adam(d.parameters(), lr=args.lr_d, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(g.parameters(), lr=args.lr_g, betas=(0.5, 0.999))
    ones, zeros = torch.ones(args.batch_size), torch.zeros(args.batch_size)
    g.train()
    d.train()
    for step in range(args.steps):
        real, _ = next(batches)
        opt_d.zero_grad()
        bce(d(real), ones).backward()
        fake = g(torch.randn(args.batch_size, 100))
        bce(d(fake.detach()), zeros).backward()
        opt_d.step()
        opt_g.zero_grad()
        bce(d(fake), ones).backward()
        opt_g.step()
        if avg is not None:
            ema_update(avg, g, args.ema, step)
    out = sample(avg if avg is not None else g, args)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.save(args.out, out)
    print(json.dumps(vars(args)), flush=True)


if __name__ == "__main__":
    main()
