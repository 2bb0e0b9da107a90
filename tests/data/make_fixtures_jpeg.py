#!/usr/bin/python3
"""JPEG fixtures for tests/io/jpeg_decoder_test.cpp: each tests/data/jpeg/NAME.jpg with NAME.png,
the pixels Pillow (Debian's python3-pil, over the same libjpeg-turbo) decodes from it, converted to
RGB or L as gankit keeps them. Run from the repository root: /usr/bin/python3 tests/data/make_fixtures_jpeg.py
"""
import pathlib
import shutil

import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SEEDS = ROOT / "tests/fuzz/seeds/image"
OUT = ROOT / "tests/data/jpeg"


def reference(name):
    """NAME.png: Pillow's pixels of NAME.jpg, gray kept gray, anything else RGB."""
    image = Image.open(OUT / f"{name}.jpg")
    image.load()
    image.convert("L" if image.mode == "L" else "RGB").save(OUT / f"{name}.png")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("rgb", "gray", "progressive", "subsampled"):
        shutil.copyfile(SEEDS / f"{name}.jpg", OUT / f"{name}.jpg")
    # An Adobe CMYK JPEG (Pillow writes it inverted, as Photoshop does) of random colours.
    rng = np.random.default_rng(7)
    cmyk = (rng.random((24, 40, 4)) * 255).astype(np.uint8)
    Image.fromarray(cmyk, "CMYK").save(OUT / "cmyk.jpg", quality=90)
    for name in ("rgb", "gray", "progressive", "subsampled", "cmyk"):
        reference(name)


if __name__ == "__main__":
    main()
