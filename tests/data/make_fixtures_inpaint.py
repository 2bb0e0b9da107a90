#!/usr/bin/python3
"""Reference numbers for the image-quality tests (tests/metrics/image_quality_test.cpp).

SSIM and PSNR from scikit-image, nearest-known-pixel fills from scipy.ndimage, on small seeded
images; saved as float32 .npy under tests/data/image_quality/ and read back by the C++ tests.
Needs Debian's python3-skimage (which brings python3-scipy), not python3-torch. Re-run after
changing a case:  /usr/bin/python3 tests/data/make_fixtures_inpaint.py
"""
import os

import numpy as np
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "image_quality")


def save(name, array):
    os.makedirs(FOLDER, exist_ok=True)
    np.save(os.path.join(FOLDER, name + ".npy"), np.ascontiguousarray(np.atleast_1d(array).astype(np.float32)))


def skimage_ssim(x, y):
    """One [C,H,W] pair, with the settings gankit matches (Wang et al. 2004)."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    if x.shape[0] == 1:
        return structural_similarity(x[0], y[0], gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                     data_range=1.0)
    return structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=1.0, channel_axis=0)


def valid_window_ssim(x, y):
    """The same from its definition, over windows wholly inside the image only: checks the claim
    that skimage's border crop (5 pixels) makes its 'reflect' padding irrelevant to the mean."""
    r = 5
    t = np.arange(-r, r + 1)
    g = np.exp(-0.5 * t ** 2 / 1.5 ** 2)
    g /= g.sum()

    def filt(img):
        rows = sum(g[k] * img[k:img.shape[0] - 2 * r + k, :] for k in range(2 * r + 1))
        return sum(g[k] * rows[:, k:rows.shape[1] - 2 * r + k] for k in range(2 * r + 1))

    scores = []
    for xc, yc in zip(x.astype(np.float64), y.astype(np.float64)):
        mx, my = filt(xc), filt(yc)
        vx, vy, vxy = filt(xc * xc) - mx * mx, filt(yc * yc) - my * my, filt(xc * yc) - mx * my
        c1, c2 = 0.01 ** 2, 0.03 ** 2
        s = (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        scores.append(s.mean())
    return float(np.mean(scores))


def ssim_case(name, x, y):
    x, y = x.astype(np.float32), y.astype(np.float32)
    scores = np.array([skimage_ssim(a, b) for a, b in zip(x, y)])
    for a, b, s in zip(x, y, scores):
        assert abs(valid_window_ssim(a, b) - s) < 1e-12, (name, s)
    save(name + "_x", x)
    save(name + "_y", y)
    save(name + "_ssim", scores)
    psnr = [peak_signal_noise_ratio(a.astype(np.float64), b.astype(np.float64), data_range=1.0) for a, b in zip(x, y)]
    save(name + "_psnr", np.array(psnr))


def make_ssim():
    rng = np.random.default_rng(41)
    # RGB 16x16: noisy copy, smooth ramp vs noisy ramp, inverted image (negative structure term).
    x = rng.uniform(0, 1, size=(3, 3, 16, 16))
    ramp = np.linspace(0, 1, 16)[None, :] * np.linspace(0.2, 1, 16)[:, None]
    x[1] = np.stack([ramp, ramp.T, 0.5 * ramp])
    y = np.clip(x + rng.normal(0, 0.1, size=x.shape), 0, 1)
    y[2] = 1 - x[2]
    ssim_case("rgb", x, y)
    # Gray, not square: 13x20.
    x = rng.uniform(0, 1, size=(2, 1, 13, 20))
    y = np.clip(0.8 * x + 0.1 + rng.normal(0, 0.05, size=x.shape), 0, 1)
    ssim_case("gray", x, y)


def make_nearest_fill():
    """Images [3,2,12,14] of distinct values and masks (1 = hole); scipy's fill, a brute-force fill
    that breaks ties by row-major order (gankit's rule), and where ties occur (scipy breaks them its
    own way, so the two are compared only where the nearest known pixel is unique)."""
    rng = np.random.default_rng(42)
    n, c, h, w = 3, 2, 12, 14
    image = rng.permutation(n * c * h * w).reshape(n, c, h, w) / (n * c * h * w)
    mask = np.zeros((n, 1, h, w))
    mask[0, 0, 3:9, 4:11] = 1  # a rectangle
    mask[1, 0] = ndimage.gaussian_filter(rng.normal(size=(h, w)), 1.5) > 0  # blobs
    mask[2, 0] = rng.uniform(size=(h, w)) > 0.1  # a few scattered known pixels
    scipy_fill = np.empty_like(image)
    brute_fill = np.empty_like(image)
    tied = np.zeros_like(mask)
    for i in range(n):
        hole = mask[i, 0] > 0.5
        _, (rows, cols) = ndimage.distance_transform_edt(hole, return_indices=True)
        scipy_fill[i] = image[i][:, rows, cols]
        known = np.argwhere(~hole)  # row-major order
        brute_fill[i] = image[i]
        for r, q in np.argwhere(hole):
            d = (known[:, 0] - r) ** 2 + (known[:, 1] - q) ** 2
            nearest = np.flatnonzero(d == d.min())
            tied[i, 0, r, q] = len(nearest) > 1
            brute_fill[i][:, r, q] = image[i][:, known[nearest[0], 0], known[nearest[0], 1]]
    assert 0 < tied.sum() < mask.sum()
    save("fill_image", image)
    save("fill_mask", mask)
    save("fill_scipy", scipy_fill)
    save("fill_brute", brute_fill)
    save("fill_tied", tied)


if __name__ == "__main__":
    make_ssim()
    make_nearest_fill()
