#!/usr/bin/python3
"""Reference numbers for the GAN metric tests (tests/metrics/gan_metrics_test.cpp).

Seeded random features and logits, saved as float32 .npy under tests/data/metrics/ (the values
gankit reads back); the expected metrics, computed in float64 from those float32 values the
reference way, go to tests/data/metrics/expected.json:
  - FD: pytorch-fid's calculate_frechet_distance, copied below (scipy.linalg.sqrtm, its offset
    fallback and .real), on numpy.mean / numpy.cov(rowvar=False) statistics; and the same
    distance in 50-digit arithmetic (mpmath), the exact value that float64 approximates;
  - KID: the unbiased MMD^2 with the cubic polynomial kernel, on the whole sets;
  - IS: the original (improved-GAN) split loop;
  - precision/recall: brute-force distances, every pair;
  - density/coverage: Naeem et al. 2020's definitions on the same brute-force distances;
  - intra-class FID: pytorch-fid's distance per class (labels i % 3 of each set), averaged.
Needs Debian's python3-numpy, python3-scipy and python3-mpmath. Re-run after changing a case:
  /usr/bin/python3 tests/data/make_fixtures_metrics.py
"""
import json
import os

import mpmath as mp
import numpy as np
from scipy import linalg

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "metrics")


def save(name, array):
    """float32: the dtype gankit's read_npy takes; the returned float64 copy is what references use."""
    os.makedirs(FOLDER, exist_ok=True)
    array = np.ascontiguousarray(array.astype(np.float32))
    np.save(os.path.join(FOLDER, name + ".npy"), array)
    return array.astype(np.float64)


def calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid 0.3.0 (src/pytorch_fid/fid_score.py), unchanged but for the messages."""
    mu1 = np.atleast_1d(mu1)
    mu2 = np.atleast_1d(mu2)
    sigma1 = np.atleast_2d(sigma1)
    sigma2 = np.atleast_2d(sigma2)
    assert mu1.shape == mu2.shape
    assert sigma1.shape == sigma2.shape
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        print("fid: product might be almost singular; adding %s to the diagonal" % eps)
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component {}".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    tr_covmean = np.trace(covmean)
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean


def statistics(x):
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet_distance(x, y):
    return float(calculate_frechet_distance(*statistics(x), *statistics(y)))


def frechet_distance_exact(x, y):
    """The same in 50-digit arithmetic (mpmath), from the float32 features themselves: the
    covariances' null spaces are then exact (rank N - 1 when D >= N), so this value is free of the
    rounding that float64 sqrtm or eigh turn into ~1e-8 per null eigenvalue."""
    def stats(rows):
        n, d = rows.shape
        mean = [mp.fsum(mp.mpf(v) for v in rows[:, j]) / n for j in range(d)]
        centred = mp.matrix([[mp.mpf(rows[i, j]) - mean[j] for j in range(d)] for i in range(n)])
        return mean, (centred.T * centred) / (n - 1)

    def positive(values):  # the exact null space shows as |eigenvalue| ~ 1e-45
        return [v if v > mp.mpf(10) ** -35 else mp.mpf(0) for v in values]

    with mp.workdps(50):
        (mu1, s1), (mu2, s2) = stats(x), stats(y)
        w, v = mp.eigsy(s1)
        root = v * mp.diag([mp.sqrt(e) for e in positive(w)]) * v.T
        m = root * s2 * root
        w2, _ = mp.eigsy((m + m.T) / 2)
        d = s1.rows
        value = (mp.fsum((a - b) ** 2 for a, b in zip(mu1, mu2)) + mp.fsum(s1[i, i] for i in range(d))
                 + mp.fsum(s2[i, i] for i in range(d)) - 2 * mp.fsum(mp.sqrt(e) for e in positive(w2)))
        return float(value)


def mmd2_unbiased(x, y):
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3; sets of sizes n and m (n = m in KID)."""
    d = x.shape[1]
    n, m = len(x), len(y)
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.sum() / (n * m))


def inception_score(logits, splits):
    """The original split loop (openai/improved-gan, inception_score.py) on softmax probabilities."""
    z = logits - logits.max(axis=1, keepdims=True)
    preds = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    scores = []
    for i in range(splits):
        part = preds[(i * preds.shape[0] // splits):((i + 1) * preds.shape[0] // splits), :]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        kl = np.mean(np.sum(kl, 1))
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


def distances(a, b):
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))


def coverage(balls, points, k):
    """Fraction of `points` within the k-NN ball (k-th nearest other member) of some `balls` row.
    Asserts that no distance lies within 1e-9 (relative) of a radius, so that rounding in another
    order of operations (gankit's Gram-matrix distances) cannot flip a verdict."""
    within = distances(balls, balls)
    np.fill_diagonal(within, np.inf)
    radii = np.sort(within, axis=1)[:, k - 1]
    across = distances(points, balls)  # [points, balls]
    margin = np.abs(across - radii[None, :]) / radii[None, :]
    assert margin.min() > 1e-9, margin.min()
    return float((across <= radii[None, :]).any(axis=1).mean())


def density_coverage(real, fake, k):
    """Naeem et al. 2020, eqs. for density and coverage, written as loops over the real samples:
    density = (1 / kM) * sum_j sum_i [fake_j in ball(real_i)], coverage = (1 / N) * sum_i
    [some fake_j in ball(real_i)], where ball(real_i) has the distance to real_i's k-th nearest
    other real sample as radius. Same 1e-9 margin assertion as coverage()."""
    within = distances(real, real)
    np.fill_diagonal(within, np.inf)
    radii = np.sort(within, axis=1)[:, k - 1]
    across = distances(real, fake)  # [N, M]
    margin = np.abs(across - radii[:, None]) / radii[:, None]
    assert margin.min() > 1e-9, margin.min()
    hits, covered = 0, 0
    for i in range(len(real)):
        inside = int((across[i] <= radii[i]).sum())
        hits += inside
        covered += inside > 0
    return hits / (k * len(fake)), covered / len(real)


def main():
    rng = np.random.RandomState(2024)
    expected = {}

    # Two Gaussian clouds, D = 24: correlated reals, shifted and rescaled fakes.
    mixing = rng.randn(24, 24) / np.sqrt(24)
    real = save("real", rng.randn(300, 24) @ mixing + 0.2)
    fake = save("fake", 1.1 * rng.randn(250, 24) @ mixing.T + 0.35)
    expected["fd"] = frechet_distance(real, fake)
    expected["fd_exact"] = frechet_distance_exact(real, fake)
    expected["mmd2"] = mmd2_unbiased(real, fake)
    expected["mmd2_equal_sizes"] = mmd2_unbiased(real[:250], fake)  # KID's own case: n = m
    for k in (3, 5):
        expected["precision_k%d" % k] = coverage(real, fake, k)
        expected["recall_k%d" % k] = coverage(fake, real, k)
        expected["density_k%d" % k], expected["coverage_k%d" % k] = density_coverage(real, fake, k)
    # Row i of each set belongs to class i % 3: per-class FID, then the mean and the worst.
    per_class = [frechet_distance(real[np.arange(len(real)) % 3 == c], fake[np.arange(len(fake)) % 3 == c])
                 for c in range(3)]
    expected["intra_fid_mean"] = float(np.mean(per_class))
    expected["intra_fid_max"] = float(np.max(per_class))
    expected["intra_fid_worst"] = float(np.argmax(per_class))

    # D = 64 > N = 40: both covariances have rank <= 39, their product is singular.
    wide_real = save("wide_real", rng.randn(40, 64))
    wide_fake = save("wide_fake", 0.9 * rng.randn(40, 64) + 0.1)
    expected["fd_wide"] = frechet_distance(wide_real, wide_fake)
    expected["fd_wide_exact"] = frechet_distance_exact(wide_real, wide_fake)

    # Logits N = 103, K = 10: 103 / 10 is not whole, so the chunk bounds i * N / splits matter.
    logits = save("logits", 3.0 * rng.randn(103, 10) + np.linspace(0, 2, 10))
    expected["is_mean"], expected["is_std"] = inception_score(logits, 10)
    expected["is_mean_splits3"], expected["is_std_splits3"] = inception_score(logits, 3)

    for key, value in expected.items():
        print("%-20s %.17g" % (key, value))
    with open(os.path.join(FOLDER, "expected.json"), "w") as out:
        json.dump(expected, out, indent=2, sort_keys=True)
        out.write("\n")


if __name__ == "__main__":
    main()
