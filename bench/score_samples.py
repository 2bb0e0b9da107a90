#!/usr/bin/python3
"""Score GAN samples on (Fashion-)MNIST or CIFAR-10 with a small CNN classifier as the feature extractor.

    /usr/bin/python3 bench/score_samples.py --dataset fashion-mnist a.npy b.npy
    /usr/bin/python3 bench/score_samples.py --dataset mnist --sanity
    /usr/bin/python3 bench/score_samples.py --dataset cifar10 c.npy

An independent-ish judge for "gankit's samples are at least as good as the PyTorch reference's":
the Inception network is replaced by a CNN trained here on the real training set (once; cached
as bench/.cache/score/classifier-<dataset>.pt, which git ignores via bench/.gitignore).

The classifier: 3x(conv3x3+BN+ReLU+maxpool), FC 128, seed 0, OneCycle; on CIFAR-10 (3x32x32 input,
normalised by the training set's channel means and stds) trained with random crops (pad 4) and
horizontal flips, on Fashion-MNIST with flips.

For each samples file (uint8, (N,H,W,C) with C=1, or (N,H,W); CIFAR-10: (N,H,W,3)) one JSON line on
stdout:
  fid         Fréchet distance of the classifier's penultimate features (128-d, post-ReLU)
              against the real test set (10k).  Lower is better; not comparable to Inception FID.
  kid         kernel inception distance on the same features (cubic polynomial kernel,
              100 subsets of 1000, unbiased MMD^2), mean and std.  Lower is better.
  is          classifier-based Inception Score exp(E KL(p(y|x) || p(y))), 10 splits; max 10.
  class_entropy  entropy (nats) of the histogram of predicted classes; ln 10 = 2.303 is uniform
              coverage; class_coverage = class_entropy / ln 10; class_hist = the counts.
  confidence  mean max softmax probability (how recognisable the samples are to the judge).
  class_accuracy  when <stem>.labels.npy lies beside a samples file (gankit writes it for
              conditional models): the share of samples the judge assigns to their label, overall
              and per class (class_accuracy_per_class).  The conditional GANs' acceptance check.
Samples whose size is not the data set's (28x28; CIFAR-10 32x32) are resized with antialiased
bilinear; the real test set is then sent the same way round (28 -> S bilinear, as the GAN's training
data was, rounded to uint8, then S -> 28) so that a perfect S-pixel generator still scores FID ~ 0.

--sanity scores real images that must come out in the right order: a 10k train subset (FID ~ 0),
the same subset at 32 px round trip (CIFAR-10: 64 px), a blurred copy, a single class, uniform noise.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "reference"))
from train_gan import load_images  # noqa: E402  (the same IDX reader and data locations)

CACHE = os.path.join(HERE, ".cache", "score")
IMAGE = {"mnist": (28, 1), "fashion-mnist": (28, 1), "cifar10": (32, 3)}  # data set -> (side, channels)
DATASETS = list(IMAGE)
TARGET_ACC = {"fashion-mnist": 0.90, "mnist": 0.98, "cifar10": 0.75}
EPOCHS = {"fashion-mnist": 8, "mnist": 3, "cifar10": 12}
# CIFAR-10's channel means and stds (of the JPEG training set, ../shared/data/cifar10-jpeg.tar.gz)
RGB_MEAN, RGB_STD = (0.4913, 0.4821, 0.4465), (0.2452, 0.2428, 0.2606)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Classifier(nn.Module):
    def __init__(self, n_classes=10, feat=128, channels=1, size=28):
        super().__init__()
        self.body = nn.Sequential(  # shapes for [N,1,28,28] (CIFAR-10: [N,3,32,32] -> ... -> [N,128,4,4])
            nn.Conv2d(channels, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),  # -> [N,32,28,28]
            nn.MaxPool2d(2),  # -> [N,32,14,14]
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),  # -> [N,64,14,14]
            nn.MaxPool2d(2),  # -> [N,64,7,7]
            nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(),  # -> [N,128,7,7]
            nn.MaxPool2d(2),  # -> [N,128,3,3]
            nn.Flatten(),  # -> [N,1152]
            nn.Linear(128 * (size // 8) ** 2, feat), nn.ReLU(),  # -> [N,128]  (the feature space)
        )
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(feat, n_classes)  # -> [N,10] logits

    def forward(self, x):
        f = self.body(x)
        return f, self.head(self.drop(f))


def nchw(a):
    """Images [N,H,W] or [N,H,W,C] (uint8 or float 0..255) -> float32 tensor [N,C,H,W]."""
    x = torch.from_numpy(np.array(a, dtype=np.float32))
    return x.unsqueeze(1) if x.dim() == 3 else x.permute(0, 3, 1, 2).contiguous()


def from_nchw(x, ndim):
    """nchw()'s inverse: float tensor [N,C,H,W] -> numpy [N,H,W] (ndim 3) or [N,H,W,C] (ndim 4)."""
    return x[:, 0].numpy() if ndim == 3 else x.permute(0, 2, 3, 1).contiguous().numpy()


def to_input(u8):
    """uint8 [N,H,W] (or float 0..255) -> float [N,1,H,W] in [-1,1]; RGB [N,H,W,3] -> [N,3,H,W]
    normalised by CIFAR-10's channel means and stds."""
    x = nchw(u8)
    if x.shape[1] == 1:
        return (x / 255.0 - 0.5) / 0.5
    return (x / 255.0 - torch.tensor(RGB_MEAN).view(1, 3, 1, 1)) / torch.tensor(RGB_STD).view(1, 3, 1, 1)


def random_flip(xb, gen=None):
    """Horizontal flip of each image of [N,C,H,W] with probability 1/2."""
    flip = torch.rand(len(xb), generator=gen) < 0.5
    return torch.where(flip[:, None, None, None], xb.flip(3), xb)


def random_crop_flip(xb, gen=None, pad=4):
    """CIFAR augmentation of normalised [N,C,H,W]: pad by `pad` with zeros (the mean colour), take a
    random HxW crop per image, then random_flip."""
    n, _, h, w = xb.shape
    off = torch.randint(0, 2 * pad + 1, (n, 2), generator=gen)
    rows = (off[:, :1] + torch.arange(h))[:, :, None]  # [N,H,1]
    cols = (off[:, 1:] + torch.arange(w))[:, None, :]  # [N,1,W]
    crop = F.pad(xb, (pad,) * 4)[torch.arange(n)[:, None, None], :, rows, cols]  # -> [N,H,W,C]
    return random_flip(crop.permute(0, 3, 1, 2).contiguous(), gen)


def evaluate_acc(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            _, logits = model(to_input(x[i:i + 1000]))
            correct += (logits.argmax(1).numpy() == y[i:i + 1000]).sum()
    return correct / len(x)


def get_classifier(dataset, retrain=False):
    path = os.path.join(CACHE, f"classifier-{dataset}.pt")
    side, channels = IMAGE[dataset]
    model = Classifier(channels=channels, size=side)
    if os.path.exists(path) and not retrain:
        ck = torch.load(path)
        model.load_state_dict(ck["state_dict"])
        model.eval()
        return model, ck["test_acc"], path
    torch.manual_seed(0)
    xtr, ytr = load_images(dataset, "train")
    xte, yte = load_images(dataset, "test")
    xtr_t = to_input(xtr)
    ytr_t = torch.from_numpy(ytr)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    epochs = EPOCHS[dataset]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * (len(xtr) // 128))
    t0, cpu0 = time.time(), time.process_time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr) - 127, 128):
            idx = perm[i:i + 128]
            xb = xtr_t[idx]
            if dataset == "fashion-mnist":  # horizontal flips are label-preserving here
                xb = random_flip(xb)
            elif dataset == "cifar10":
                xb = random_crop_flip(xb)
            _, logits = model(xb)
            loss = F.cross_entropy(logits, ytr_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc = evaluate_acc(model, xte, yte)
        log(f"classifier {dataset} epoch {ep + 1}/{epochs}: test acc {acc:.4f} ({time.time() - t0:.0f}s, "
            f"{time.process_time() - cpu0:.0f}s CPU)")
    model.eval()
    if acc < TARGET_ACC[dataset]:
        log(f"warning: classifier test accuracy {acc:.4f} below the target {TARGET_ACC[dataset]}")
    os.makedirs(CACHE, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "test_acc": float(acc), "epochs": epochs,
                "train_seconds": round(time.time() - t0), "train_cpu_seconds": round(time.process_time() - cpu0)},
               path)
    return model, float(acc), path


def load_samples(path, channels=1):
    """uint8 samples: (N,H,W) from (N,H,W) or (N,H,W,1); with channels=3, (N,H,W,3) as stored."""
    a = np.load(path)
    if a.dtype != np.uint8:
        raise ValueError(f"{path}: expected uint8 samples, got {a.dtype}")
    if channels != 1:
        if a.ndim != 4 or a.shape[3] != channels:
            raise ValueError(f"{path}: expected (N,H,W,{channels}), got {a.shape}")
        return a
    if a.ndim == 4:
        if a.shape[3] != 1:
            raise ValueError(f"{path}: expected (N,H,W,1), got {a.shape}")
        a = a[..., 0]
    if a.ndim != 3:
        raise ValueError(f"{path}: expected (N,H,W,C) or (N,H,W), got {a.shape}")
    return a


def resize(u8_or_float, size, round_u8=False):
    """[N,H,W] -> [N,size,size] (or [N,H,W,C] -> [N,size,size,C]) float 0..255, bilinear (antialiased
    when shrinking)."""
    x = nchw(u8_or_float)
    if x.shape[-1] != size or x.shape[-2] != size:
        shrink = size < x.shape[-1]
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=shrink)
    if round_u8:
        x = x.round().clamp(0, 255)
    return from_nchw(x, np.ndim(u8_or_float))


def features(model, imgs):
    """(penultimate features, softmax probabilities), float64, of images at the model's native size."""
    fs, ps = [], []
    with torch.no_grad():
        for i in range(0, len(imgs), 1000):
            f, logits = model(to_input(imgs[i:i + 1000]))
            fs.append(f.double().numpy())
            ps.append(F.softmax(logits.double(), 1).numpy())
    return np.concatenate(fs), np.concatenate(ps)


def fid_from_feats(f1, f2):
    return fid_from_moments(f1.mean(0), np.cov(f1, rowvar=False), f2.mean(0), np.cov(f2, rowvar=False))


def fid_from_moments(mu1, s1, mu2, s2):
    """|mu1-mu2|^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2), float64."""
    mu1, s1, mu2, s2 = (np.asarray(a, dtype=np.float64) for a in (mu1, s1, mu2, s2))
    # tr sqrt(S1 S2) = tr sqrt(A S2 A) with A = S1^(1/2); both symmetric PSD, so use eigh.
    w, v = np.linalg.eigh(s1)
    a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = a @ s2 @ a
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt)


def kid_from_feats(f1, f2, n_subsets=100, subset_size=1000, seed=0):
    rng = np.random.RandomState(seed)
    d = f1.shape[1]
    m = min(subset_size, len(f1), len(f2))
    vals = []
    for _ in range(n_subsets):
        x = f1[rng.choice(len(f1), m, replace=False)]
        y = f2[rng.choice(len(f2), m, replace=False)]
        kxx = (x @ x.T / d + 1) ** 3
        kyy = (y @ y.T / d + 1) ** 3
        kxy = (x @ y.T / d + 1) ** 3
        mmd = ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
               - 2 * kxy.mean())
        vals.append(mmd)
    return float(np.mean(vals)), float(np.std(vals))


def inception_score(p, splits=10):
    scores = []
    for part in np.array_split(p, splits):
        py = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(py + 1e-12))).sum(1).mean()
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


class Judge:
    def __init__(self, dataset, retrain=False):
        self.dataset = dataset
        self.model, self.acc, self.path = get_classifier(dataset, retrain)
        self.side = IMAGE[dataset][0]
        self.real_test, _ = load_images(dataset, "test")
        self._ref = {}  # sample size -> real test features through the same pipeline

    def ref_feats(self, size):
        if size not in self._ref:
            real = self.real_test
            if size != self.side:  # 28 -> size (as the GAN's training data) -> 28
                real = resize(resize(real, size, round_u8=True), self.side)
            self._ref[size] = features(self.model, real)[0]
        return self._ref[size]

    def score(self, samples, name, labels=None):
        n, h, w = samples.shape[:3]
        if h != w:
            raise ValueError(f"{name}: non-square samples {h}x{w}")
        x = resize(samples, self.side) if h != self.side else samples
        f, p = features(self.model, x)
        ref = self.ref_feats(h)
        kid, kid_std = kid_from_feats(f, ref)
        is_mean, is_std = inception_score(p)
        hist = np.bincount(p.argmax(1), minlength=p.shape[1])
        q = hist / hist.sum()
        ent = float(-(q[q > 0] * np.log(q[q > 0])).sum()) + 0.0  # no "-0.0"
        return {
            "samples": name, "dataset": self.dataset, "n": int(n), "size": int(h),
            "fid": round(fid_from_feats(f, ref), 4),
            "kid": round(kid, 6), "kid_std": round(kid_std, 6),
            "is": round(is_mean, 4), "is_std": round(is_std, 4),
            "class_entropy": round(ent, 4), "class_coverage": round(ent / np.log(p.shape[1]), 4),
            "class_hist": hist.tolist(),
            "confidence": round(float(p.max(1).mean()), 4),
            "classifier_test_acc": round(self.acc, 4),
            **({} if labels is None else class_accuracy(p.argmax(1), labels)),
        }


def class_accuracy(predicted, labels):
    labels = np.asarray(labels).reshape(-1)
    if labels.shape[0] != predicted.shape[0]:
        raise ValueError(f"{labels.shape[0]} labels for {predicted.shape[0]} samples")
    per_class = {int(k): round(float((predicted[labels == k] == k).mean()), 4) for k in np.unique(labels)}
    return {"class_accuracy": round(float((predicted == labels).mean()), 4), "class_accuracy_per_class": per_class}


def labels_beside(path):
    stem = path[:-4] if path.endswith(".npy") else path
    labels_path = stem + ".labels.npy"
    return np.load(labels_path) if os.path.exists(labels_path) else None


def blur(u8, sigma=1.0):
    """Gaussian blur of uint8 [N,H,W] or [N,H,W,C] (each channel on its own), rounded to uint8."""
    r = int(3 * sigma + 0.5)
    k = torch.exp(-torch.arange(-r, r + 1).float() ** 2 / (2 * sigma ** 2))
    k = k / k.sum()
    x = nchw(u8)
    n, c, h, w = x.shape
    x = x.reshape(n * c, 1, h, w)
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1))
    x = F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1))
    return from_nchw(x.reshape(n, c, h, w).round().clamp(0, 255), np.ndim(u8)).astype(np.uint8)


def sanity(judge):
    rng = np.random.RandomState(1)
    xtr, ytr = load_images(judge.dataset, "train")
    idx = rng.choice(len(xtr), 10000, replace=False)
    sub = xtr[idx]
    up = 32 if judge.side != 32 else 64
    up_u8 = resize(sub, up, round_u8=True).astype(np.uint8)
    one = xtr[ytr == 0][:10000]
    cases = [
        ("real-train-10k", sub),
        (f"real-train-10k@{up}px", up_u8),
        ("real-train-10k-blur-sigma1", blur(sub, 1.0)),
        ("real-train-class0-only", one),
        ("uniform-noise", rng.randint(0, 256, size=sub.shape).astype(np.uint8)),
    ]
    out = []
    for name, arr in cases:
        r = judge.score(arr, name)
        print(json.dumps(r), flush=True)
        out.append(r)
    fids = [r["fid"] for r in out]
    ok = fids[0] < 0.05 * min(fids[2], fids[4]) and fids[1] < 0.05 * min(fids[2], fids[4])
    print(json.dumps({"sanity": "ok" if ok else "FAILED", "fid": dict(zip([c[0] for c in cases], fids))}),
          flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", choices=DATASETS, required=True)
    ap.add_argument("samples", nargs="*", help=".npy files, uint8 (N,H,W,1) (cifar10: (N,H,W,3))")
    ap.add_argument("--sanity", action="store_true", help="score real/blurred/noise references")
    ap.add_argument("--retrain", action="store_true", help="retrain the cached classifier")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    if not args.samples and not args.sanity:
        ap.error("give samples .npy files and/or --sanity")
    judge = Judge(args.dataset, args.retrain)
    log(f"classifier {judge.path}: test acc {judge.acc:.4f}")
    ok = True
    if args.sanity:
        ok = sanity(judge)
    for path in args.samples:
        samples = load_samples(path, IMAGE[args.dataset][1])
        print(json.dumps(judge.score(samples, path, labels_beside(path))), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
