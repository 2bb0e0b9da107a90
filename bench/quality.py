#!/usr/bin/python3
"""Score (Fashion-)MNIST and CIFAR-10 sample sets several independent ways, each figure a mean over seeds.

    /usr/bin/python3 bench/quality.py --dataset mnist --set gankit=g0.npy,g1.npy,g2.npy \\
        --set pytorch=p0.npy,p1.npy,p2.npy --json out.json
    /usr/bin/python3 bench/quality.py --dataset cifar10 --set dcgan=c0.npy,c1.npy,c2.npy
    /usr/bin/python3 bench/quality.py --self-test
    /usr/bin/python3 bench/quality.py --sanity mnist fashion-mnist cifar10   # bench/results/quality-judge.md

Why: one small CNN's feature FID ranked two weak GANs the opposite way to an outside judge
(issue 19).  This script reports several judges side by side and every figure with its spread
over the training seeds, so a ranking can be seen to hold or not.

Input.  `--set NAME=a.npy,b.npy,...` (repeatable); each file is one training seed's samples:
uint8 .npy of shape (N,H,W) or (N,H,W,1), for cifar10 (N,H,W,3) (`gankit sample -o X.npy` and
bench/reference/train_gan.py --out write (N,H,W,C)), or a folder of PNGs (read as greyscale, for
cifar10 as RGB, sorted by name).  Labels for conditional models are read from `<stem>.labels.npy`
beside the file (for a folder: `<folder>.labels.npy`), one int per sample.  Sizes other than the
data set's (28x28; CIFAR-10 32x32) are resized to it as bench/score_samples.py does, and the real
references (test set, training set) are sent 28 -> S -> 28 (32 -> S -> 32) the same way.  The
first --n-fake samples of each file are used (default 10,000).

Judges: feature networks, each trained separately here on the real training set and cached
(never on GAN samples) with AdamW or Adam and a OneCycle schedule; the default three are cnn,
resnet and lenet (--judges picks others).  Each takes its data set's images at their own size:
1x28x28 in [-1,1], or 3x32x32 normalised by CIFAR-10's channel means and stds.
  cnn     bench/score_samples.py's classifier (3 conv layers 32/64/128, FC 128: 128-d features,
          seed 0; flips on Fashion-MNIST, random crops (pad 4) + flips on CIFAR-10; its own cache
          bench/.cache/score/).
  resnet  a small residual net (stem + 2 residual blocks, global average pool, 64-d features),
          seed 1.  (Fashion-)MNIST: stride-2 stem of 24 channels, blocks 24->32 and 32->64/s2,
          random affine augmentation (+-10 deg, +-2 px, flips on Fashion-MNIST).  CIFAR-10:
          stride-1 stem of 16 channels, blocks 16->32/s2 and 32->64/s2, random crops (pad 4) +
          flips.
  lenet   LeNet-5 (two 5x5 conv layers of 6 and 16 channels, FC 120, FC 84: 84-d features),
          seed 3, no augmentation; 28x28 input is padded by 2 (LeNet-5's 32x32), CIFAR-10's not.
          On CIFAR-10 each conv is followed by BatchNorm: without it uniform noise landed among
          the real images' k-NN balls (density 1.4x real's, coverage 0.12; with BN 0.03, 0.01).
  mlp     a fully connected net 784-512-128-10 (CIFAR-10: 3072-512-128-10; 128-d features),
          seed 2, no augmentation.  Not a default judge: the sanity table shows it blind to pixel
          noise (on MNIST Gaussian noise sigma=32 scores a lower FID than real images, and
          uniform noise lands inside the real k-NN balls, precision ~0.9; on CIFAR-10 a sigma=0.5
          blur scores a lower FID than real images and uniform noise keeps coverage ~0.4), kept to
          show why one network's feature space is no judge.
Epochs, test accuracies and training times are in bench/results/quality-judge.md and in each
checkpoint (bench/.cache/quality/judge-<name>-<dataset>.pt, classifier-<dataset>.pt for cnn).
For each judge, on its penultimate features against the real test set (its first --n-real images,
10k by default; CIFAR-10's test set, stored sorted by class, is first put in a fixed random order):
  fid, kid      Frechet distance and unbiased KID (cubic polynomial kernel, 100 subsets of
                1000; score_samples.py's functions).  Lower is better.  FIDs from different
                judges live in different feature spaces: compare sets within one judge, never
                across judges, and never with Inception FID.
  precision, recall   Kynkaenniemi et al. 2019 with k=3: share of samples inside some real
                image's 3-NN ball / share of real images inside some sample's 3-NN ball.
  density, coverage   Naeem et al. 2020 with k=5: mean number of real 5-NN balls holding a
                sample, divided by 5 (can exceed 1) / share of real images whose 5-NN ball
                holds at least one sample.
                k-NN radii exclude the point itself; "inside" is strict (d < radius), as in the
                papers' code.  Distances are float64, computed in chunks with torch.cdist;
                N_real = N_fake = 10,000 by default (--n-real, --n-fake).
  class_acc, intra_fid   only with labels: share of samples the judge assigns to their label;
                per-class FID against that class's test images, averaged over the classes.
Judge-independent (or using the strongest judge, the one with the highest test accuracy):
  class_kl      KL(data || samples) = sum_k p_k ln(p_k / q_k), p = the strongest judge's
                predicted-class histogram of the real test set, q = its predicted-class
                histogram of the samples, q smoothed as (q + 1e-6) / (1 + 10e-6).  This
                direction because a missing class (q_k = 0 where p_k = 0.1) must cost a lot
                (0.1 * ln(0.1/1e-6) = 1.15 per class): dropping 5 of 10 classes gives
                0.5 ln(0.1/q_missing) - 0.35, 5.4 with a perfect judge and still ~2 when the
                judge misreads 0.1% of the samples into each missing class, while the reverse
                KL(q || p) would give only ln 2 = 0.69 for the same loss.
                Using the judge's predictions on real test images for p (not the true labels)
                cancels the judge's own confusions, so real images score ~0.
  class_entropy entropy (nats) of the samples' predicted-class histogram (ln 10 = 2.303 is
                uniform).
  memorised     share of samples whose nearest training image (pixel space, 4x4-average-pooled
                per channel: 28x28 to 7x7, CIFAR-10's 32x32x3 to 8x8x3 = 192 values; Euclidean)
                is closer than the 1st percentile of the real test images' nearest-training-image
                distances.  Unseen real images score ~1%, copies of training images ~100%.
                (Pooling cuts the cost of 10k x 60k distances 16x and makes a copy with pixel
                noise still a near copy.)
Every figure of a set is reported as mean +- std (sample std, ddof=1) and min..max over the
set's files; a single file is reported with n=1.

--sanity DATASET...: real images that must come out in the right order, 3 seeds each (the seed
picks the images and the noise); writes these data sets' sections of bench/results/quality-judge.md
and .json, keeping the other data sets' sections there.
--self-test: the formulas against plain brute-force versions on tiny arrays (a few seconds).
"""
import argparse
import functools
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "reference"))
from score_samples import (DATASETS, IMAGE, blur, features, fid_from_feats, fid_from_moments,  # noqa: E402
                           get_classifier, kid_from_feats, labels_beside, load_samples, nchw, random_crop_flip,
                           random_flip, resize, to_input)
import train_gan  # noqa: E402

CACHE = os.path.join(HERE, ".cache", "quality")
RESULTS = os.path.join(HERE, "results")
KL_EPS = 1e-6
K_PR, K_DC = 3, 5


def log(*a):
    print(*a, file=sys.stderr, flush=True)


@functools.lru_cache(maxsize=None)
def load_images(dataset, split):
    """train_gan.load_images, once per process (CIFAR-10 decodes 60,000 JPEGs); read-only.  A set
    stored sorted by class (CIFAR-10's JPEG folders) is put in a fixed random order, so that its
    first N images (--n-real) are a fair sample, as in the (Fashion-)MNIST IDX files."""
    x, y = train_gan.load_images(dataset, split)
    if np.all(np.diff(y) >= 0):
        perm = np.random.RandomState(0).permutation(len(y))
        x, y = x[perm], y[perm]
    return x, y


# ----------------------------------------------------------------------------------------------
# The judges' networks (cnn is score_samples.Classifier).  Each forward returns (features, logits)
# so that score_samples.features() runs them all.


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = (nn.Identity() if cin == cout and stride == 1 else
                      nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.short(x))


class ResNetJudge(nn.Module):
    """Shapes for the (Fashion-)MNIST default; CIFAR-10 (widths 16,32,64, strides 1,2,2):
    [N,3,32,32] -> stem [N,16,32,32] -> [N,32,16,16] -> [N,64,8,8]."""

    def __init__(self, n_classes=10, channels=1, size=28, widths=(24, 32, 64), strides=(2, 1, 2)):
        super().__init__()
        w0, w1, w2 = widths
        self.stem = nn.Sequential(nn.Conv2d(channels, w0, 3, stride=strides[0], padding=1, bias=False),
                                  nn.BatchNorm2d(w0), nn.ReLU())  # [N,1,28,28] -> [N,24,14,14]
        self.blocks = nn.Sequential(ResBlock(w0, w1, strides[1]),  # -> [N,32,14,14]
                                    ResBlock(w1, w2, strides[2]))  # -> [N,64,7,7]
        self.head = nn.Linear(w2, n_classes)

    def forward(self, x):
        f = self.blocks(self.stem(x)).mean((2, 3))  # global average pool -> [N,64], post-ReLU
        return f, self.head(f)


class MLPJudge(nn.Module):
    def __init__(self, n_classes=10, channels=1, size=28):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(channels * size * size, 512), nn.ReLU(),
                                  nn.Dropout(0.2), nn.Linear(512, 128), nn.ReLU())  # -> [N,128] features
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(128, n_classes)

    def forward(self, x):
        f = self.body(x)
        return f, self.head(self.drop(f))


class LeNetJudge(nn.Module):
    def __init__(self, n_classes=10, channels=1, size=28, bn=False):
        super().__init__()

        def norm(c):  # CIFAR-10: BN after each conv (without it uniform noise lands among real images)
            return [nn.BatchNorm2d(c)] if bn else []
        self.body = nn.Sequential(  # 28x28 is padded by 2 (as LeNet-5's 32x32 input); CIFAR-10's 32x32 is not
            nn.Conv2d(channels, 6, 5, padding=(32 - size) // 2), *norm(6), nn.ReLU(), nn.MaxPool2d(2),  # -> [N,6,14,14]
            nn.Conv2d(6, 16, 5), *norm(16), nn.ReLU(), nn.MaxPool2d(2),  # -> [N,16,10,10] -> [N,16,5,5]
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU())  # -> [N,84] features
        self.head = nn.Linear(84, n_classes)

    def forward(self, x):
        f = self.body(x)
        return f, self.head(f)


def random_affine(xb, flips, gen):
    """Per-sample rotation (+-10 deg) and integer-ish shift (+-2 px) of normalised [N,1,28,28]."""
    n = xb.shape[0]
    ang = (torch.rand(n, generator=gen) * 2 - 1) * (10 * np.pi / 180)
    shift = (torch.randint(-2, 3, (n, 2), generator=gen).float()) * (2.0 / 28)
    cos, sin = torch.cos(ang), torch.sin(ang)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(xb.shape), align_corners=False)
    out = F.grid_sample(xb + 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1
    return random_flip(out, gen) if flips else out


CROP_FLIP = "random crop (pad 4) + flips"
# name -> how it is built and trained (cnn: score_samples.py decides).  An entry that is a dict keyed
# by data set is per data set ("*": any data set not named); judge_spec() resolves them.
JUDGES = {
    "cnn": {"arch": {"*": "score_samples.Classifier: 3x(conv3x3+BN+ReLU+maxpool), FC 128",
                     "cifar10": "score_samples.Classifier: 3x(conv3x3 32/64/128+BN+ReLU+maxpool), FC 128"},
            "seed": 0, "augment": {"*": "flips (fashion-mnist only)", "cifar10": CROP_FLIP}},
    "resnet": {"arch": {"*": "stem conv24/s2 + ResBlock(24->32) + ResBlock(32->64,s2), GAP 64",
                        "cifar10": "stem conv16 + ResBlock(16->32,s2) + ResBlock(32->64,s2), GAP 64"},
               "seed": 1,
               "augment": {"*": "random affine +-10deg +-2px (+flips on fashion-mnist)", "cifar10": CROP_FLIP},
               "augment_fn": {"mnist": lambda xb, gen: random_affine(xb, False, gen),
                              "fashion-mnist": lambda xb, gen: random_affine(xb, True, gen),
                              "cifar10": random_crop_flip},
               "make": ResNetJudge, "net": {"*": {}, "cifar10": {"widths": (16, 32, 64), "strides": (1, 2, 2)}},
               "epochs": {"mnist": 1, "fashion-mnist": 2, "cifar10": 15}, "lr": 3e-3},
    "lenet": {"arch": {"*": "LeNet-5: conv5x5 6, conv5x5 16, FC 120, FC 84",
                       "cifar10": "LeNet-5 + BN: conv5x5 6+BN, conv5x5 16+BN, FC 120, FC 84"},
              "seed": 3, "augment": "none", "make": LeNetJudge, "net": {"*": {}, "cifar10": {"bn": True}},
              "epochs": {"mnist": 3, "fashion-mnist": 5, "cifar10": 15}, "lr": 3e-3},
    "mlp": {"arch": {"*": "MLP 784-512-128-10, dropout 0.2", "cifar10": "MLP 3072-512-128-10, dropout 0.2"},
            "seed": 2, "augment": "none",
            "make": MLPJudge, "epochs": {"mnist": 6, "fashion-mnist": 8, "cifar10": 10}, "lr": 2e-3},
}
DEFAULT_JUDGES = ["cnn", "resnet", "lenet"]  # mlp: see the docstring (blind to pixel noise)


def judge_spec(name, dataset):
    """JUDGES[name] for one data set: per-data-set entries resolved (missing: None)."""
    return {k: v.get(dataset, v.get("*")) if isinstance(v, dict) else v for k, v in JUDGES[name].items()}


def make_judge(name, dataset):
    spec = judge_spec(name, dataset)
    side, channels = IMAGE[dataset]
    return spec["make"](channels=channels, size=side, **(spec.get("net") or {}))


def test_accuracy(model, x, y):
    _, p = features(model, x)
    return float((p.argmax(1) == y).mean())


def train_judge(name, dataset):
    spec = judge_spec(name, dataset)
    torch.manual_seed(spec["seed"])
    gen = torch.Generator().manual_seed(spec["seed"])
    model = make_judge(name, dataset)
    xtr, ytr = load_images(dataset, "train")
    xte, yte = load_images(dataset, "test")
    xtr_t, ytr_t = to_input(xtr), torch.from_numpy(ytr)
    epochs, bs = spec["epochs"], 128
    opt = torch.optim.AdamW(model.parameters(), lr=spec["lr"] / 3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=spec["lr"], total_steps=epochs * (len(xtr) // bs))
    t0, cpu0 = time.time(), time.process_time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        for i in range(0, len(xtr) - bs + 1, bs):
            idx = perm[i:i + bs]
            xb = xtr_t[idx]
            if spec.get("augment_fn"):
                xb = spec["augment_fn"](xb, gen)
            _, logits = model(xb)
            loss = F.cross_entropy(logits, ytr_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        acc = test_accuracy(model, xte, yte)
        log(f"judge {name} {dataset} epoch {ep + 1}/{epochs}: test acc {acc:.4f} ({time.time() - t0:.0f}s, "
            f"{time.process_time() - cpu0:.0f}s CPU)")
    times = {"train_seconds": round(time.time() - t0), "train_cpu_seconds": round(time.process_time() - cpu0)}
    return model, acc, times


def get_judge(name, dataset, retrain=False):
    """(model in eval mode, test accuracy, checkpoint path); trains and caches on first use."""
    if name == "cnn":
        return get_classifier(dataset, retrain)
    path = os.path.join(CACHE, f"judge-{name}-{dataset}.pt")
    if os.path.exists(path) and not retrain:
        ck = torch.load(path)
        model = make_judge(name, dataset)
        model.load_state_dict(ck["state_dict"])
        model.eval()
        return model, ck["test_acc"], path
    model, acc, times = train_judge(name, dataset)
    os.makedirs(CACHE, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "test_acc": acc, "seed": JUDGES[name]["seed"],
                "epochs": judge_spec(name, dataset)["epochs"], **times}, path)
    return model, acc, path


# ----------------------------------------------------------------------------------------------
# Metrics


def knn_radius(x, k, chunk=1000):
    """Distance from each row of x (float64 tensor) to its k-th nearest *other* row."""
    n = x.shape[0]
    out = torch.empty(n, dtype=torch.float64)
    for i in range(0, n, chunk):
        d = torch.cdist(x[i:i + chunk], x)
        rows = torch.arange(d.shape[0])
        d[rows, rows + i] = float("inf")
        out[i:i + chunk] = d.topk(k, dim=1, largest=False).values[:, k - 1]
    return out


def prdc(real, fake, real_radii=None, k_pr=K_PR, k_dc=K_DC, chunk=1000):
    """Precision/recall (k_pr) and density/coverage (k_dc) of fake against real features.
    real_radii: (k_pr radii, k_dc radii) of real, if already known."""
    real = torch.as_tensor(real, dtype=torch.float64)
    fake = torch.as_tensor(fake, dtype=torch.float64)
    if real_radii is None:
        real_radii = real_knn_radii(real, k_pr, k_dc)
    r_pr, r_dc = real_radii
    f_pr = knn_radius(fake, k_pr, chunk)
    n, m = real.shape[0], fake.shape[0]
    prec_hit = torch.zeros(m, dtype=torch.bool)
    dens = torch.zeros(m, dtype=torch.float64)
    recalled = torch.zeros(n, dtype=torch.bool)
    nearest_fake = torch.full((n,), float("inf"), dtype=torch.float64)
    for j in range(0, m, chunk):
        d = torch.cdist(fake[j:j + chunk], real)  # [c, n]
        prec_hit[j:j + chunk] = (d < r_pr[None]).any(1)
        dens[j:j + chunk] = (d < r_dc[None]).sum(1).double()
        recalled |= (d < f_pr[j:j + chunk, None]).any(0)
        nearest_fake = torch.minimum(nearest_fake, d.min(0).values)
    return {"precision": float(prec_hit.double().mean()), "recall": float(recalled.double().mean()),
            "density": float(dens.mean() / k_dc), "coverage": float((nearest_fake < r_dc).double().mean())}


def real_knn_radii(real, k_pr=K_PR, k_dc=K_DC, chunk=1000):
    real = torch.as_tensor(real, dtype=torch.float64)
    n = real.shape[0]
    kmax = max(k_pr, k_dc)
    vals = torch.empty(n, kmax, dtype=torch.float64)
    for i in range(0, n, chunk):
        d = torch.cdist(real[i:i + chunk], real)
        rows = torch.arange(d.shape[0])
        d[rows, rows + i] = float("inf")
        vals[i:i + chunk] = d.topk(kmax, dim=1, largest=False).values
    return vals[:, k_pr - 1].clone(), vals[:, k_dc - 1].clone()


def class_kl(p_hist, q_hist, eps=KL_EPS):
    """KL(p || q) in nats between two class histograms (counts or shares); q smoothed by eps."""
    p = np.asarray(p_hist, dtype=np.float64)
    q = np.asarray(q_hist, dtype=np.float64)
    p, q = p / p.sum(), q / q.sum()
    q = (q + eps) / (1 + eps * len(q))
    nz = p > 0
    return float((p[nz] * np.log(p[nz] / q[nz])).sum())


def entropy(hist):
    q = np.asarray(hist, dtype=np.float64)
    q = q[q > 0] / q.sum()
    return float(-(q * np.log(q)).sum()) + 0.0


def pooled_pixels(u8_or_float):
    """Pixel vectors, float32, 4x4 average pooled per channel: [N,28,28] -> [N,49] (7x7),
    [N,32,32,3] -> [N,192] (8x8x3)."""
    return F.avg_pool2d(nchw(u8_or_float), 4).flatten(1)


def nearest_dist(q, ref, ref_sq=None, chunk=1000):
    """Euclidean distance from each row of q to its nearest row of ref (float32 matmul form)."""
    if ref_sq is None:
        ref_sq = (ref * ref).sum(1)
    out = torch.empty(q.shape[0])
    for i in range(0, q.shape[0], chunk):
        a = q[i:i + chunk]
        d2 = (a * a).sum(1, keepdim=True) + ref_sq[None] - 2 * a @ ref.T
        out[i:i + chunk] = d2.min(1).values.clamp_min(0).sqrt()
    return out


# ----------------------------------------------------------------------------------------------
# Scoring


class Context:
    """The judges and the real references of one dataset (test set features per sample size,
    the training set in pixel space for memorisation)."""

    def __init__(self, dataset, n_real=10000, retrain=False, train_ref=None):
        self.dataset = dataset
        self.side, self.channels = IMAGE[dataset]
        self.judges = {}
        for name in JUDGES:
            model, acc, path = get_judge(name, dataset, retrain)
            self.judges[name] = {"model": model, "test_acc": round(float(acc), 4), "path": os.path.relpath(path, HERE)}
            log(f"judge {name}: {path} test acc {acc:.4f}")
        self.strongest = max(self.judges, key=lambda k: self.judges[k]["test_acc"])
        xte, yte = load_images(dataset, "test")
        self.real_test, self.real_labels = xte[:n_real], yte[:n_real]
        self.train = load_images(dataset, "train")[0] if train_ref is None else train_ref
        self._ref = {}
        self._mem = {}

    def set_train_ref(self, train_u8):
        self.train = train_u8
        self._mem = {}

    def _through(self, u8, size):
        """Real images as a GAN trained at `size` shows them: native -> size (uint8) -> native."""
        return u8 if size == self.side else resize(resize(u8, size, round_u8=True), self.side)

    def ref(self, size, jn):
        """Judge jn's real test features, probabilities and k-NN radii, for samples of this size."""
        if (size, jn) not in self._ref:
            f, p = features(self.judges[jn]["model"], self._through(self.real_test, size))
            self._ref[size, jn] = {"f": f, "p": p, "radii": real_knn_radii(f)}
        return self._ref[size, jn]

    def mem_ref(self, size):
        """Training images (pooled pixels) and the memorisation threshold for this size."""
        if size not in self._mem:
            train = pooled_pixels(self._through(self.train, size))
            train_sq = (train * train).sum(1)
            d_test = nearest_dist(pooled_pixels(self._through(self.real_test, size)), train, train_sq)
            thr = float(torch.quantile(d_test.double(), 0.01))
            self._mem[size] = (train, train_sq, thr)
        return self._mem[size]

    def judge_part(self, jn, x, size, labels, kid_subsets, name):
        t0 = time.time()
        ref = self.ref(size, jn)
        f, p = features(self.judges[jn]["model"], x)
        kid, kid_std = kid_from_feats(f, ref["f"], n_subsets=kid_subsets)
        r = {"fid": fid_from_feats(f, ref["f"]), "kid": kid, "kid_std": kid_std}
        r.update(prdc(ref["f"], f, ref["radii"]))
        if labels is not None:
            r["class_acc"] = float((p.argmax(1) == labels).mean())
            r["intra_fid"], r["intra_fid_classes"] = intra_class_fid(f, labels, ref["f"], self.real_labels)
        r["hist"] = np.bincount(p.argmax(1), minlength=p.shape[1]).tolist()
        r["hist_real"] = np.bincount(ref["p"].argmax(1), minlength=p.shape[1]).tolist()
        log(f"  {name} {jn}: fid {r['fid']:.3f} P {r['precision']:.3f} R {r['recall']:.3f} "
            f"D {r['density']:.3f} C {r['coverage']:.3f} ({time.time() - t0:.1f}s)")
        return r

    def memorised(self, x, size):
        train, train_sq, thr = self.mem_ref(size)
        d = nearest_dist(pooled_pixels(x), train, train_sq)
        return {"memorised": float((d < thr).double().mean()), "memorised_threshold": thr}

    def score(self, samples, name, labels=None, n_fake=10000, kid_subsets=100, cache=None):
        """Every figure for one sample file.  cache(part, fn) may return a stored result of fn()
        (the sanity run keeps each judge's part and the memorisation part apart)."""
        cache = cache or (lambda part, fn: fn())
        n0, h, w = samples.shape[:3]
        if h != w:
            raise ValueError(f"{name}: non-square samples {h}x{w}")
        if samples.shape[3:] != ((self.channels,) if self.channels > 1 else ()):
            want = "(N,H,W)" if self.channels == 1 else f"(N,H,W,{self.channels})"
            raise ValueError(f"{name}: samples of shape {samples.shape}, {self.dataset} wants {want}")
        samples = samples[:n_fake]
        if labels is not None:
            labels = np.asarray(labels).reshape(-1)
            if labels.shape[0] != n0:
                raise ValueError(f"{name}: {labels.shape[0]} labels for {n0} samples")
            labels = labels[:n_fake].astype(np.int64)
        x = resize(samples, self.side) if h != self.side else samples
        out = {"samples": name, "n": int(len(samples)), "size": int(h)}
        for jn in self.judges:
            out[jn] = cache(jn, lambda: self.judge_part(jn, x, h, labels, kid_subsets, name))
        s = out[self.strongest]
        out["class_judge"] = self.strongest
        out["class_kl"] = class_kl(s["hist_real"], s["hist"])
        out["class_entropy"] = entropy(s["hist"])
        out["class_hist"] = s["hist"]
        out.update(cache("memorised", lambda: self.memorised(x, h)))
        return out


def intra_class_fid(f, labels, real_f, real_labels, min_count=10):
    vals = {}
    for k in np.unique(labels):
        a, b = f[labels == k], real_f[real_labels == k]
        if len(a) >= min_count and len(b) >= min_count:
            vals[int(k)] = fid_from_feats(a, b)
    return (float(np.mean(list(vals.values()))) if vals else float("nan")), vals


def flat_numbers(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            if k in JUDGES:
                out.update(flat_numbers(v, f"{prefix}{k}."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and k not in ("n", "size"):
            out[prefix + k] = float(v)
    return out


def summarise(files):
    """Per numeric figure: mean, std (ddof=1; 0 for n=1), min, max, n over the files of a set."""
    flats = [flat_numbers(f) for f in files]
    keys = [k for k in flats[0] if all(k in fl for fl in flats)]
    out = {}
    for k in keys:
        v = np.array([fl[k] for fl in flats])
        out[k] = {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                  "min": float(v.min()), "max": float(v.max()), "n": int(len(v))}
    return out


# ----------------------------------------------------------------------------------------------
# Loading and reporting


def load_any(path, channels=1):
    """uint8 [N,H,W] (channels=3: [N,H,W,3]) and labels (or None) from a .npy or a folder of PNGs."""
    if os.path.isdir(path):
        from PIL import Image
        names = sorted(f for f in os.listdir(path) if f.lower().endswith(".png"))
        if not names:
            raise ValueError(f"{path}: no .png files")
        mode = "L" if channels == 1 else "RGB"
        imgs = np.stack([np.asarray(Image.open(os.path.join(path, f)).convert(mode)) for f in names])
        lp = path.rstrip("/") + ".labels.npy"
        return imgs, (np.load(lp) if os.path.exists(lp) else None)
    return load_samples(path, channels), labels_beside(path)


def fmt(s, key, scale=1.0, digits=3):
    if key not in s:
        return "–"
    e = s[key]
    m, sd, lo, hi = (e[x] * scale for x in ("mean", "std", "min", "max"))
    if np.isnan(m):
        return "–"
    if e["n"] == 1:
        return f"{m:.{digits}f} (n=1)"
    return f"{m:.{digits}f} ± {sd:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"


def sig_digits(s, key, sig=3):
    """Decimals that give the mean `sig` significant digits (FID and KID span orders of magnitude)."""
    m = abs(s.get(key, {}).get("mean", 0.0))
    if not np.isfinite(m) or m == 0:
        return 3
    return int(min(8, max(0, sig - 1 - np.floor(np.log10(m)))))


def markdown_tables(result, ctx_info):
    """Markdown: the judges, one table per judge, then classes and memorisation."""
    sets = result["sets"]
    judges = list(ctx_info["judges"])
    lines = ["| judge | architecture | seed | augmentation | test acc | checkpoint |", "|---|---|---|---|---|---|"]
    for name, j in ctx_info["judges"].items():
        lines.append(f"| {name} | {j['arch']} | {j['seed']} | {j['augment']} | {j['test_acc']:.4f} | "
                     f"`bench/{j['path']}` |")
    any_labels = any(f"{judges[0]}.class_acc" in s["summary"] for s in sets.values())
    for jn in judges:
        lines += ["", f"**{jn}** feature space (FID/KID against the real test set)", ""]
        head = "| set | n | FID | KID | precision | recall | density | coverage |"
        sep = "|---|---|---|---|---|---|---|---|"
        if any_labels:
            head += " class acc | intra-class FID |"
            sep += "---|---|"
        lines += [head, sep]
        for sn, s in sets.items():
            su = s["summary"]
            row = (f"| {sn} | {len(s['files'])} | {fmt(su, jn + '.fid', digits=sig_digits(su, jn + '.fid'))} | "
                   f"{fmt(su, jn + '.kid', digits=sig_digits(su, jn + '.kid'))} | {fmt(su, jn + '.precision')} | "
                   f"{fmt(su, jn + '.recall')} | "
                   f"{fmt(su, jn + '.density')} | {fmt(su, jn + '.coverage')} |")
            if any_labels:
                row += (f" {fmt(su, jn + '.class_acc')} | "
                        f"{fmt(su, jn + '.intra_fid', digits=sig_digits(su, jn + '.intra_fid'))} |")
            lines.append(row)
    lines += ["", f"Classes (predicted by the strongest judge, **{ctx_info['strongest']}**) and memorisation", "",
              "| set | n | class KL(data‖samples) | class entropy (ln 10 = 2.303) | memorised |",
              "|---|---|---|---|---|"]
    for sn, s in sets.items():
        su = s["summary"]
        lines.append(f"| {sn} | {len(s['files'])} | {fmt(su, 'class_kl')} | {fmt(su, 'class_entropy')} | "
                     f"{fmt(su, 'memorised')} |")
    return "\n".join(lines)


def overview_table(sets, js):
    """One line per set, means only: every judge's FID, the first judge's P/R/D/C, class KL, memorised."""
    head = ("| set | " + " | ".join(f"FID {j}" for j in js) + f" | P / R / D / C ({js[0]}) | class KL | memorised |")
    lines = [head, "|" + "---|" * (len(js) + 4)]
    for sn, s in sets.items():
        su = s["summary"]
        fids = " | ".join(f"{su[j + '.fid']['mean']:.{sig_digits(su, j + '.fid')}f}" for j in js)
        prdc_ = " / ".join(f"{su[js[0] + '.' + k]['mean']:.2f}" for k in ("precision", "recall", "density", "coverage"))
        lines.append(f"| {sn} | {fids} | {prdc_} | {su['class_kl']['mean']:.3f} | "
                     f"{100 * su['memorised']['mean']:.1f}% |")
    return "\n".join(lines)


def ctx_info(ctx):
    return {"dataset": ctx.dataset, "strongest": ctx.strongest,
            "judges": {k: {"test_acc": v["test_acc"], "path": v["path"],
                           **{a: b for a, b in judge_spec(k, ctx.dataset).items() if a in ("arch", "seed", "augment")}}
                       for k, v in ctx.judges.items()}}


def parse_sets(specs):
    sets = {}
    for spec in specs:
        if "=" not in spec:
            raise SystemExit(f"--set {spec!r}: expected NAME=file[,file...]")
        name, files = spec.split("=", 1)
        files = [f for f in files.split(",") if f]
        if not name or not files:
            raise SystemExit(f"--set {spec!r}: expected NAME=file[,file...]")
        if name in sets:
            raise SystemExit(f"--set {name}: given twice")
        sets[name] = files
    return sets


def score_sets(ctx, sets, n_fake, kid_subsets=100):
    result = {"sets": {}}
    for name, files in sets.items():
        scored = []
        for path in files:
            imgs, labels = load_any(path, ctx.channels)
            log(f"set {name}: {path} {imgs.shape}{' with labels' if labels is not None else ''}")
            scored.append(ctx.score(imgs, path, labels, n_fake, kid_subsets))
        result["sets"][name] = {"files": scored, "summary": summarise(scored)}
    return result


# ----------------------------------------------------------------------------------------------
# Sanity: real images in known degradations, 3 seeds

SANITY_CASES = ["real (held-out train)", "mild: blur σ=0.5", "blur σ=1", "gaussian noise σ=32",
                "uniform noise", "mode dropping (classes 0–4)", "memorised (training copies)"]


def sanity_sets(dataset, seed, n=10000, held=25000):
    """The cases for one seed.  The training set is split: `held` images stand in for a GAN's
    unseen output (real, blurred, noisy, mode-dropped versions of them), the rest is the
    training set the GAN 'saw' (the memorisation reference; the memorised case copies it)."""
    xtr, ytr = load_images(dataset, "train")
    rng = np.random.RandomState(seed)
    perm = rng.permutation(len(xtr))
    held_idx, seen_idx = perm[:held], perm[held:]
    sub = held_idx[:n]
    x, y = xtr[sub], ytr[sub]
    gauss = np.clip(x.astype(np.float32) + rng.normal(0, 32, x.shape), 0, 255).round().astype(np.uint8)
    uniform = rng.randint(0, 256, size=x.shape).astype(np.uint8)
    drop = held_idx[ytr[held_idx] < 5][:n]
    mem = seen_idx[:n]
    cases = {
        SANITY_CASES[0]: (x, y),
        SANITY_CASES[1]: (blur(x, 0.5), y),
        SANITY_CASES[2]: (blur(x, 1.0), y),
        SANITY_CASES[3]: (gauss, y),
        SANITY_CASES[4]: (uniform, rng.randint(0, 10, size=len(x))),
        SANITY_CASES[5]: (xtr[drop], ytr[drop]),
        SANITY_CASES[6]: (xtr[mem], ytr[mem]),
    }
    return cases, xtr[seen_idx]


# How far mode dropping must move recall, coverage and class KL.  CIFAR-10 gets smaller margins: each
# dropped class (0-4: airplane, automobile, bird, cat, deer) has a look-alike among the kept ones
# (ship, truck, frog, dog, horse), so the missing classes' real images keep near neighbours among
# the samples in any judge's feature space, and the strongest judge (~80% test accuracy) reads a few
# percent of the samples as the missing look-alikes (class KL ~0.5 instead of ~4).
DROP_MARGINS = {"*": {"recall": 0.1, "coverage": 0.2, "class_kl": 1.0},
                "cifar10": {"recall": 0.05, "coverage": 0.1, "class_kl": 0.3}}


def sanity_checks(dataset, sets, judges):
    """The orderings the table must show; list of (ok, text)."""
    dm = DROP_MARGINS.get(dataset, DROP_MARGINS["*"])
    S = {c: sets[c]["summary"] for c in SANITY_CASES}
    real, mild, blur1, gauss, unif, drop, mem = (S[c] for c in SANITY_CASES)
    m = lambda s, k: s[k]["mean"]  # noqa: E731
    checks = []

    def check(ok, text):
        checks.append((bool(ok), text))

    for j in judges:
        fids = [m(S[c], j + ".fid") for c in SANITY_CASES]
        check(fids[0] < min(fids[1:6]), f"{j}: real has the lowest FID of real/degraded/mode-dropped")
        check(fids[0] < fids[1] < fids[2], f"{j}: FID real < mild blur < blur σ=1")
        check(fids[4] == max(fids), f"{j}: uniform noise has the highest FID")
        check(m(unif, j + ".recall") < 0.05 and m(unif, j + ".coverage") < 0.05,
              f"{j}: uniform noise recall and coverage ~0 (< 0.05)")
        check(m(unif, j + ".density") < 0.75 * m(real, j + ".density"),
              f"{j}: uniform noise density below 3/4 of real's")
        check(m(drop, j + ".recall") < m(real, j + ".recall") - dm["recall"]
              and m(drop, j + ".coverage") < m(real, j + ".coverage") - dm["coverage"],
              f"{j}: mode dropping lowers recall (by >{dm['recall']:g}) and coverage (by >{dm['coverage']:g})")
        check(m(drop, j + ".precision") > m(real, j + ".precision") - 0.1,
              f"{j}: mode dropping keeps precision (within 0.1 of real)")
        check(abs(fids[6] - fids[0]) < 0.5 * fids[1],
              f"{j}: memorised copies score like real images on FID (|diff| < half the mild blur's FID)")
        for k in ("precision", "recall", "density", "coverage"):
            check(abs(m(mem, j + "." + k) - m(real, j + "." + k)) < 0.1, f"{j}: memorised ~ real on {k} (±0.1)")
    check(m(real, "class_kl") < 0.05, "class KL of real < 0.05")
    check(m(drop, "class_kl") > max(dm["class_kl"], 20 * m(real, "class_kl")),
          f"class KL of mode dropping > {dm['class_kl']:g} and > 20x real's")
    check(m(mem, "class_kl") < 0.05, "class KL of memorised < 0.05")
    check(m(real, "memorised") < 0.1, "memorised share of unseen real images < 10%")
    check(m(mem, "memorised") > 0.95, "memorised share of training copies > 95%")
    check(max(m(S[c], "memorised") for c in SANITY_CASES[1:6]) < 0.1,
          "memorised share of every degraded / mode-dropped case < 10%")
    return checks


def part_cache(ctx, key):
    """cache(part, fn) for Context.score: JSON files under bench/.cache/quality/sanity/, a judge's
    part keyed by its checkpoint's time too, so that a rerun of the sanity table (or one with a
    judge added) computes only what is missing."""
    def cache(part, fn):
        stamp = ""
        if part in ctx.judges:
            stamp = f"-{os.path.getmtime(os.path.join(HERE, ctx.judges[part]['path'])):.0f}"
        slug = "".join(c if c.isalnum() else "_" for c in f"{key} {part}")
        path = os.path.join(CACHE, "sanity", f"{slug}{stamp}.json")
        if os.path.exists(path):
            with open(path) as fh:
                return json.load(fh)
        r = fn()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as fh:
            json.dump(r, fh)
        os.replace(path + ".tmp", path)
        return r
    return cache


def sanity_command(datasets, seeds, n, n_real, kid_subsets, threads):
    nice = os.nice(0)
    cmd = (f"nice -n {nice} " if nice else "") + "/usr/bin/python3 bench/quality.py --sanity " + " ".join(datasets)
    for flag, value, default in (("--sanity-seeds", seeds, 3), ("--n-fake", n, 10000), ("--n-real", n_real, 10000),
                                 ("--kid-subsets", kid_subsets, 100), ("--threads", threads, 2)):
        if value != default:
            cmd += f" {flag} {value}"
    if list(JUDGES) != DEFAULT_JUDGES:
        cmd += f" --judges {','.join(JUDGES)}"
    return cmd


def sanity_dataset(ds, seeds, n, n_real, retrain, kid_subsets):
    """One data set's entry of the sanity report: its judges, the cases' figures and the checks."""
    t0 = time.time()
    ctx = Context(ds, n_real, retrain)
    per_case = {c: [] for c in SANITY_CASES}
    for seed in range(seeds):
        cases, seen = sanity_sets(ds, seed, n)
        ctx.set_train_ref(seen)
        for c, (imgs, labels) in cases.items():
            log(f"sanity {ds} seed {seed}: {c}")
            r = ctx.score(imgs, f"{c} seed {seed}", labels, n, kid_subsets,
                          part_cache(ctx, f"{ds} {c} seed{seed} n{n} r{n_real} kid{kid_subsets}"))
            r["seed"] = seed
            per_case[c].append(r)
    sets = {c: {"files": v, "summary": summarise(v)} for c, v in per_case.items()}
    # Checks on a judge outside the default set are reported but do not fail the run.
    extra = [j for j in JUDGES if j not in DEFAULT_JUDGES]
    checks = [{"ok": a, "check": b, "binding": not any(b.startswith(j + ":") for j in extra)}
              for a, b in sanity_checks(ds, sets, list(JUDGES))]
    entry = {**ctx_info(ctx), "sets": sets, "seconds": round(time.time() - t0, 1), "checks": checks}
    log(f"sanity {ds}: {'ok' if checks_hold(entry) else 'FAILED'} ({time.time() - t0:.0f}s)")
    return entry


def checks_hold(entry):
    return all(c["ok"] for c in entry["checks"] if c["binding"])


def render_dataset(ds, entry):
    """Markdown section of one data set of the sanity report (from its JSON entry)."""
    judges, sets, checks = list(entry["judges"]), entry["sets"], entry["checks"]
    binding = [c for c in checks if c["binding"]]
    ok = checks_hold(entry)
    md = [f"## {ds}", "", "Overview (means over the seeds; the tables below give mean ± std (min–max)):", "",
          overview_table(sets, judges), "", markdown_tables({"sets": sets}, entry), "",
          f"Checks (the default judges {', '.join(j for j in judges if j in DEFAULT_JUDGES)} and the "
          f"judge-independent columns): {sum(c['ok'] for c in binding)}/{len(binding)} hold"
          + ("." if ok else " — FAILED:"), ""]
    md += [f"- FAILED: {c['check']}" for c in binding if not c["ok"]]
    nb = [c for c in checks if not c["binding"]]
    if nb:
        extra = [j for j in judges if j not in DEFAULT_JUDGES]
        md += [f"Checks on {', '.join(extra)} (not a default judge, not binding): "
               f"{sum(c['ok'] for c in nb)}/{len(nb)} hold" + ("." if all(c["ok"] for c in nb) else "; failed:"), ""]
        md += [f"- failed: {c['check']}" for c in nb if not c["ok"]]
    return md + ["", f"({entry['seconds']:.0f} s for {ds})", ""]


def per_dataset(report, key):
    """A run setting as text: its value where every data set shares it, else "v (data sets) / ..."."""
    by = {}
    for ds, e in report["datasets"].items():
        by.setdefault(e["run"][key], []).append(ds)
    if len(by) == 1:
        return str(next(iter(by)))
    return " / ".join(f"{v} ({', '.join(d)})" for v, d in by.items())


def render_sanity(report):
    md = ["# Sample-quality judge: sanity table (bench/quality.py)", ""]
    for ds, entry in report["datasets"].items():
        md += render_dataset(ds, entry)
    p = {k: per_dataset(report, k) for k in ("n", "seeds", "n_real", "kid_subsets")}
    md += [SANITY_TEXT.format(**p), ""]
    if any(e["run"]["n"] != 10000 for e in report["datasets"].values()):
        md += [f"The rows hold {p['n']} images each, not the tool's default 10,000, to fit a 2-core machine shared "
               f"with a C++ build; FID's small-sample bias is then larger, the same for every row.", ""]
    runs = {}
    for e in report["datasets"].values():
        runs.setdefault(e["run"]["command"], e["run"])
    for cmd, run in runs.items():
        md += [f"Command: `{cmd}` ({run['seconds']:.0f} s for this run; every scored part is cached in "
               f"bench/.cache/quality/sanity/, so a rerun computes only what is missing).  ",
               f"CPU: {run['cpu']}.  ", f"{run['versions']}.", ""]
    return md


def load_report(path):
    """The sanity report at path, {"datasets": {}} if there is none."""
    if not os.path.exists(path):
        return {"datasets": {}}
    with open(path) as fh:
        return json.load(fh)


def run_sanity(datasets, seeds, n, n_real, retrain, out_md, threads, kid_subsets):
    """Score the sanity cases of these data sets and write them into out_md (+ .json), replacing
    these data sets' sections and keeping the others'.  True if every binding check holds."""
    t_start = time.time()
    run = {"command": sanity_command(datasets, seeds, n, n_real, kid_subsets, threads),
           "cpu": f"{cpu_model()} ({os.cpu_count()} cores, shared with other jobs: timings are not benchmarks)",
           "versions": f"Python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}",
           "n": n, "seeds": seeds, "n_real": n_real, "kid_subsets": kid_subsets}
    entries = {ds: sanity_dataset(ds, seeds, n, n_real, retrain, kid_subsets) for ds in datasets}
    run["seconds"] = round(time.time() - t_start, 1)
    report = load_report(out_md[:-3] + ".json")
    for ds, e in entries.items():
        report["datasets"][ds] = {**e, "run": run}
    report["all_checks_hold"] = all(checks_hold(e) for e in report["datasets"].values())
    md = render_sanity(report)
    os.makedirs(os.path.dirname(out_md), exist_ok=True)
    with open(out_md, "w") as fh:
        fh.write("\n".join(md))
    with open(out_md[:-3] + ".json", "w") as fh:
        json.dump(report, fh, indent=1)
    print("\n".join(md))
    log(f"wrote {out_md} and {out_md[:-3]}.json")
    return all(checks_hold(e) for e in entries.values())


SANITY_TEXT = """### How to read it

Each row is one kind of sample set, {n} images, mean ± std (min–max) over {seeds} seeds; the seed
picks which training images play the samples and which noise is drawn.  The training set is split
per seed: 25,000 images stand in for a GAN's *unseen* output (the real, blurred, noisy and
mode-dropped rows are made from them), the rest (35,000 on (Fashion-)MNIST, 25,000 on CIFAR-10)
are the training set the GAN "saw" (the memorisation reference; the memorised row copies {n} of
them exactly).  The reference for every judge is the real test set (the first {n_real} images;
CIFAR-10's in a fixed random order); KID averages {kid_subsets} subsets of 1000.
Class accuracy and intra-class FID use the images' own labels, as a conditional model's
`<stem>.labels.npy` would (uniform noise gets random labels).

- **FID / KID** (per judge) catch whatever moves the feature distribution: blur, noise, missing
  classes; memorised copies score like real images.  Each judge's FID lives in its own feature
  space (cnn 128-d, resnet 64-d, lenet 84-d, mlp 128-d), so FIDs of different judges are **not
  comparable with each other, nor with Inception FID**: read each judge's column on its own.  The
  judges agree on the ends (real ≈ memorised best, uniform noise worst) but weigh blur, pixel noise
  and missing classes differently — the reason to report several.
- **precision** (k=3) / **density** (k=5): are the samples inside the real data's manifold?  Pixel
  noise drives them down, but **precision is not a noise detector**: on Fashion-MNIST the judges map
  all uniform-noise images to nearly one point, which lands inside the large 3-NN balls of a few
  outlying real images, so precision stays at 0.34 (cnn), 0.80 (lenet), 0.94 (resnet) while density
  (which counts balls, Naeem et al.'s fix) falls and recall/coverage go to 0.  Blurred images can stay inside too (precision
  kept, density even > 1 where they crowd the dense middle): blur shows in recall and coverage.
  Mode dropping keeps both.
- **recall** (k=3) / **coverage** (k=5): is the real data's variety covered?  Mode dropping halves
  coverage (~0.5) and cuts recall while precision stays: the signature of missing modes.
- **class KL(data‖samples)** (strongest judge's predicted classes): ~0.002 for real and memorised
  images, ≤0.4 for blur and pixel noise, 3.6–4.0 when half of the classes are missing, 8–10 for
  uniform noise, which the judge reads as one or two classes.  Intra-class FID and class accuracy do not see mode dropping (each
  present class is real); they are the conditional models' per-class checks.
- **memorised**: share of samples whose nearest "seen" training image (7×7 pooled pixels;
  CIFAR-10: 8×8×3) is closer than the 1st percentile of test images' nearest-training distances.
  Only the memorised row is caught (100%); unseen real images score 0.6–1.1%, degraded or
  mode-dropped ones 0–1.3% (CIFAR-10: 1.1% and 0–1.4%).  Memorised copies look perfect in every
  other column — which is why this column exists.
- **mlp** (not a default judge) is blind to pixel noise on MNIST: Gaussian noise σ=32 and a σ=0.5
  blur get a lower FID than real images, and uniform noise lands inside the real k-NN balls
  (precision 0.91, density 1.04); on Fashion-MNIST uniform noise still keeps recall 0.19.  Its
  first linear layer averages the noise away.  One network's feature space is not a judge.
- **CIFAR-10** (3×32×32 judges, see `--help`): every default judge puts real ≈ memorised first and
  uniform noise last, and they weigh the rest differently (cnn: mode dropping 27 < blur σ=1 79 <
  Gaussian noise 133; resnet: mode dropping 1.7 ≈ mild blur 1.6 < blur σ=1 16 < Gaussian noise 21;
  lenet: mode dropping 13 < Gaussian noise 30 < blur σ=1 45).  Mode dropping moves less than on
  (Fashion-)MNIST: each dropped class has a look-alike among the kept ones (airplane/ship,
  automobile/truck, bird/frog, cat/dog, deer/horse), so coverage falls to 0.72–0.80 (real
  0.96–0.97), recall to 0.65–0.76 (real 0.80–0.85), class KL rises to 0.50 (real 0.002); its checks
  use smaller margins there (recall −0.05, coverage −0.1, class KL > 0.3; `DROP_MARGINS`).  Uniform
  noise lies far outside the real images (precision 0.01–0.05, density ≤ 0.03) once lenet has
  BatchNorm: the plain LeNet-5 put it among them (density 1.41× real's, coverage 0.12).  mlp is
  blind here too: a σ=0.5 blur gets a lower FID than real images, uniform noise precision 0.99,
  density 3.2, coverage 0.38.  (The first full CIFAR-10 run took 565 s; the time above is a rerun
  that reused every cached part but lenet's, retrained with BatchNorm.)"""


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or "unknown"


# ----------------------------------------------------------------------------------------------
# Self-test: the formulas against plain brute-force versions


def self_test():
    rng = np.random.RandomState(0)
    fails = []

    def expect(name, got, want, tol):
        ok = abs(got - want) <= tol
        log(f"self-test {name}: {got:.6g} vs {want:.6g} {'ok' if ok else 'MISMATCH'}")
        if not ok:
            fails.append(name)

    # FID: two Gaussians with diagonal covariances, closed form |mu1-mu2|^2 + sum (s1 - s2)^2.
    d = 6
    mu1, mu2 = rng.randn(d), rng.randn(d)
    sd1, sd2 = rng.uniform(0.5, 2, d), rng.uniform(0.5, 2, d)
    closed = float(((mu1 - mu2) ** 2).sum() + ((sd1 - sd2) ** 2).sum())
    expect("fid_from_moments diagonal", fid_from_moments(mu1, np.diag(sd1 ** 2), mu2, np.diag(sd2 ** 2)), closed, 1e-9)
    # Full covariances: tr sqrt(S1 S2) as the sum of sqrt eigenvalues of the (non-symmetric) S1 S2.
    a, b = rng.randn(d, d), rng.randn(d, d)
    s1, s2 = a @ a.T + 0.1 * np.eye(d), b @ b.T + 0.1 * np.eye(d)
    ev = np.linalg.eigvals(s1 @ s2)
    brute = float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(ev.real).sum())
    expect("fid_from_moments full", fid_from_moments(mu1, s1, mu2, s2), brute, 1e-7 * abs(brute))
    # From samples: whiten exactly so that the sample moments are the diagonal Gaussians' moments.
    def exact_samples(mu, sd, n=500):
        z = rng.randn(n, d)
        z -= z.mean(0)
        c = np.cov(z, rowvar=False)
        w, v = np.linalg.eigh(c)
        z = z @ (v / np.sqrt(w)) @ v.T  # sample covariance exactly I
        return z * sd + mu
    expect("fid_from_feats", fid_from_feats(exact_samples(mu1, sd1), exact_samples(mu2, sd2)), closed, 1e-8)

    # KID: one subset holding every row is the plain unbiased MMD^2 with k(x,y) = (x.y/d + 1)^3.
    x, y = rng.randn(40, 5), rng.randn(40, 5) + 0.3
    k = lambda u, v: (u @ v / 5 + 1) ** 3  # noqa: E731
    m = len(x)
    sxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    syy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    sxy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    expect("kid", kid_from_feats(x, y, n_subsets=1, subset_size=m)[0], sxx + syy - 2 * sxy, 1e-9)

    # Precision/recall/density/coverage against loops written from the papers' definitions.
    real, fake = rng.randn(60, 4), rng.randn(50, 4) * 1.3 + 0.4
    fake[:5] = real[:5]  # exact copies: distance 0
    dist = lambda u, v: float(np.sqrt(((u - v) ** 2).sum()))  # noqa: E731

    def kth(points, i, kk):
        return sorted(dist(points[i], points[j]) for j in range(len(points)) if j != i)[kk - 1]
    rr3 = [kth(real, i, 3) for i in range(len(real))]
    rr5 = [kth(real, i, 5) for i in range(len(real))]
    fr3 = [kth(fake, j, 3) for j in range(len(fake))]
    prec = np.mean([any(dist(f, r) < rr3[i] for i, r in enumerate(real)) for f in fake])
    rec = np.mean([any(dist(r, f) < fr3[j] for j, f in enumerate(fake)) for r in real])
    dens = np.mean([sum(dist(f, r) < rr5[i] for i, r in enumerate(real)) for f in fake]) / 5
    cov = np.mean([min(dist(r, f) for f in fake) < rr5[i] for i, r in enumerate(real)])
    got = prdc(real, fake, chunk=7)
    for name, want in (("precision", prec), ("recall", rec), ("density", dens), ("coverage", cov)):
        expect(name, got[name], float(want), 1e-12)
    got_pre = prdc(real, fake, real_knn_radii(real, chunk=11), chunk=13)
    expect("prdc with cached radii", sum(got_pre.values()), sum(got.values()), 1e-12)

    # Class KL against hand values.
    expect("class_kl", class_kl([1, 1], [1, 3]), 0.5 * np.log(2) + 0.5 * np.log(2 / 3), 1e-5)
    expect("class_kl identical", class_kl([5, 5, 5], [2, 2, 2]), 0.0, 1e-9)
    hand = 0.5 * np.log(0.5 / ((1 + KL_EPS) / (1 + 2 * KL_EPS))) + 0.5 * np.log(0.5 / (KL_EPS / (1 + 2 * KL_EPS)))
    expect("class_kl missing class", class_kl([1, 1], [7, 0]), hand, 1e-9)
    expect("entropy", entropy([1, 1, 1, 1, 0]), np.log(4), 1e-12)

    # Nearest training image (memorisation) against a loop.
    q, ref = rng.rand(23, 9).astype(np.float32) * 255, rng.rand(31, 9).astype(np.float32) * 255
    q[3] = ref[7]
    nd = nearest_dist(torch.from_numpy(q), torch.from_numpy(ref), chunk=5).numpy()
    brute_nd = np.array([min(dist(a, r) for r in ref) for a in q])
    expect("nearest_dist", float(np.abs(nd - brute_nd).max()), 0.0, 1e-2)
    expect("nearest_dist copy", float(nd[3]), 0.0, 1e-1)

    # Summary: mean and sample std over files.
    s = summarise([{"cnn": {"fid": 1.0}}, {"cnn": {"fid": 2.0}}, {"cnn": {"fid": 4.0}}])["cnn.fid"]
    expect("summary std", s["std"], float(np.std([1, 2, 4], ddof=1)), 1e-12)
    if fails:
        log(f"self-test FAILED: {', '.join(fails)}")
        return False
    log("self-test ok")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--dataset", choices=DATASETS)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=a.npy,b.npy",
                    help="a sample set: one file (or PNG folder) per training seed; repeatable")
    ap.add_argument("--json", help="write every figure per file and per set here")
    ap.add_argument("--n-fake", type=int, default=10000, help="samples used per file (the first N)")
    ap.add_argument("--n-real", type=int, default=10000, help="real test images used as the reference")
    ap.add_argument("--kid-subsets", type=int, default=100, help="KID: subsets of 1000 (default 100)")
    ap.add_argument("--self-test", action="store_true", help="check the formulas and exit")
    ap.add_argument("--sanity", nargs="+", choices=DATASETS, metavar="DATASET",
                    help="write the sanity table (bench/results/quality-judge.md) for these datasets")
    ap.add_argument("--sanity-seeds", type=int, default=3)
    ap.add_argument("--sanity-out", default=os.path.join(RESULTS, "quality-judge.md"))
    ap.add_argument("--retrain", action="store_true", help="retrain the cached judges")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--judges", default=",".join(DEFAULT_JUDGES),
                    help=f"comma-separated subset of {','.join(JUDGES)} (default {','.join(DEFAULT_JUDGES)})")
    args = ap.parse_args()
    chosen = [j for j in args.judges.split(",") if j]
    if not chosen or any(j not in JUDGES for j in chosen):
        ap.error(f"--judges: choose from {','.join(JUDGES)}")
    for j in list(JUDGES):
        if j not in chosen:
            del JUDGES[j]
    torch.set_num_threads(args.threads)
    if args.self_test:
        return 0 if self_test() else 1
    if args.sanity:
        return 0 if run_sanity(args.sanity, args.sanity_seeds, args.n_fake, args.n_real, args.retrain,
                               args.sanity_out, args.threads, args.kid_subsets) else 1
    if not args.set or not args.dataset:
        ap.error("give --dataset and at least one --set NAME=a.npy[,b.npy...] (or --self-test / --sanity)")
    sets = parse_sets(args.set)
    ctx = Context(args.dataset, args.n_real, args.retrain)
    result = {**ctx_info(ctx), **score_sets(ctx, sets, args.n_fake, args.kid_subsets), "n_real": args.n_real, "n_fake": args.n_fake}
    print(f"# {args.dataset}: {len(sets)} set(s)\n")
    print(markdown_tables(result, ctx_info(ctx)))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
