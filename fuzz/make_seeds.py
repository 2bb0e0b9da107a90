#!/usr/bin/python3
"""Seeds for the fuzz targets, from real files: build-fuzz/seeds/TARGET/ (scripts/fuzz.sh adds them
to the corpus; not committed) and, with --commit, the small set kept in tests/fuzz/seeds/TARGET/
(replayed by CTest; under 100 KB a target).

  /usr/bin/python3 fuzz/make_seeds.py [--commit] [--run RUN_DIR] [--classifier FILE]

Sources: Fashion-MNIST's IDX files (dataset-fashion-mnist), ../shared/data's image archives
(cifar10-jpeg, celeba, sketch-pairs), configs/*.toml, tests/data fixtures (.npy, .pth), a run
directory (metrics.jsonl, events, config.toml; make one with `build/gankit train
dcgan-fashion-mnist --set train.steps=2 --set model.width=8 --set train.batch_size=8 --set
train.sample_every=0 --out RUN`), a classifier file (`build/gankit classifier train --data
fashion-mnist --steps 1 --width 1 --feature-dim 2 --batch-size 8 -o FILE`), and files written here
with numpy, torch and PIL (PNG/JPEG/BMP/GIF variants, .npy, .pth, a small checkpoint-shaped
archive).
"""
import argparse
import gzip
import io
import pathlib
import struct
import sys
import tarfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")
SHARED = ROOT.parent / "shared" / "data"


class Seeds:
    def __init__(self, commit):
        self.commit = commit
        self.counts = {}

    def add(self, target, name, data, keep=False):
        """A seed for `target`; `keep` also commits it (with --commit)."""
        if isinstance(data, str):
            data = data.encode()
        folders = [ROOT / "build-fuzz" / "seeds" / target]
        if keep and self.commit:
            folders.append(ROOT / "tests" / "fuzz" / "seeds" / target)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1


def fashion(name):
    return gzip.decompress((FASHION / name).read_bytes())


def idx_seeds(s):
    images, labels = fashion("t10k-images-idx3-ubyte.gz"), fashion("t10k-labels-idx1-ubyte.gz")
    two = struct.pack(">IIII", 0x803, 2, 28, 28) + images[16:16 + 2 * 784]
    s.add("idx", "images_2.idx", two, keep=True)
    s.add("idx", "images_2.idx.gz", gzip.compress(two, mtime=0), keep=True)
    s.add("idx", "labels_5.idx", struct.pack(">II", 0x801, 5) + labels[8:13], keep=True)
    s.add("idx", "images_8x4x3.idx", struct.pack(">IIII", 0x803, 8, 4, 3) + bytes(range(96)), keep=True)
    s.add("idx", "images_10.idx", struct.pack(">IIII", 0x803, 10, 28, 28) + images[16:16 + 10 * 784])


def mnist_pixels(count):
    images = fashion("t10k-images-idx3-ubyte.gz")
    return np.frombuffer(images, np.uint8, offset=16, count=count * 784).reshape(count, 28, 28)


def csv_seeds(s):
    pixels, labels = mnist_pixels(2), fashion("t10k-labels-idx1-ubyte.gz")[8:10]
    header = ",".join(f"pixel{i}" for i in range(784))
    lines = [",".join(str(v) for v in image.reshape(-1)) for image in pixels]
    s.add("digit_csv", "train.csv", "label," + header + "\n" +
          "".join(f"{label},{line}\n" for label, line in zip(labels, lines)), keep=True)
    s.add("digit_csv", "test.csv", header + "\r\n" + "\r\n".join(lines) + "\r\n", keep=True)
    s.add("digit_csv", "no_header.csv", f"{labels[0]},{lines[0]}\n", keep=True)


def cifar_seeds(s):
    pixels = mnist_pixels(2)
    records = b""
    for label, image in zip((3, 9), pixels):
        rgb = np.stack([np.pad(image, 2), np.pad(255 - image, 2), np.pad(image // 2, 2)])  # 3x32x32
        records += bytes([label]) + rgb.tobytes()
    s.add("cifar10", "two_records.bin", records, keep=True)
    s.add("cifar10", "one_record.bin", records[:3073], keep=True)


def archive_members(archive, suffixes, count):
    found = []
    path = SHARED / archive
    if not path.exists():
        return found
    with tarfile.open(path) as tar:
        for member in tar:
            if member.isfile() and member.name.lower().endswith(suffixes):
                found.append((pathlib.Path(member.name).name, tar.extractfile(member).read()))
                if len(found) == count:
                    break
    return found


def image_seeds(s):
    from PIL import Image

    real = []
    for archive in ("cifar10-jpeg.tar.gz", "celeba-10k.tar.gz", "sketch-pairs.tar.gz"):
        real += archive_members(archive, (".jpg", ".jpeg", ".png"), 3)
    rng = np.random.default_rng(0)
    gray = mnist_pixels(1)[0]
    rgb = np.stack([gray, 255 - gray, gray // 2], axis=-1)
    made = []

    def save(name, image, fmt, **options):
        out = io.BytesIO()
        image.save(out, fmt, **options)
        made.append((name, out.getvalue()))

    save("gray.png", Image.fromarray(gray), "PNG")
    save("rgb.png", Image.fromarray(rgb), "PNG")
    save("rgba.png", Image.fromarray(np.dstack([rgb, gray])), "PNG")
    save("gray_alpha.png", Image.fromarray(np.dstack([gray, gray])[:, :, :2].copy(), "LA"), "PNG")
    save("palette.png", Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE, colors=16), "PNG")
    save("interlaced.png", Image.fromarray(rgb), "PNG", interlace=1)  # PIL ignores it; harmless
    save("bits16.png", Image.fromarray((gray.astype(np.uint16) * 257)), "PNG")
    save("mono.png", Image.fromarray(gray > 127), "PNG")
    save("gray.jpg", Image.fromarray(gray), "JPEG", quality=80)
    save("rgb.jpg", Image.fromarray(rgb), "JPEG", quality=80)
    save("progressive.jpg", Image.fromarray(rgb), "JPEG", quality=60, progressive=True)
    save("subsampled.jpg", Image.fromarray(rgb), "JPEG", quality=60, subsampling=2)
    save("rgb.bmp", Image.fromarray(rgb), "BMP")
    save("gray.bmp", Image.fromarray(gray), "BMP")
    save("palette.bmp", Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE, colors=16), "BMP")
    save("rgb.gif", Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE), "GIF")
    frames = [Image.fromarray(np.roll(rgb, k, axis=1)).convert("P", palette=Image.ADAPTIVE) for k in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    made.append(("animated.gif", out.getvalue()))
    save("rgb.tga", Image.fromarray(rgb), "TGA")
    save("rgb.ppm", Image.fromarray(rgb), "PPM")
    save("gray.pgm", Image.fromarray(gray), "PPM")
    noise = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    save("noise.png", Image.fromarray(noise), "PNG")

    formats = {"image_png": b"\x89PNG", "image_jpeg": b"\xff\xd8", "image_bmp": b"BM", "image_gif": b"GIF8"}
    for name, data in real + made:
        s.add("image", name, data, keep=len(data) < 6000)
        for target, magic in formats.items():
            if data.startswith(magic):
                s.add(target, name, data, keep=len(data) < 12000)

    # Masks: white (255) = hole, at the sizes inpainting uses.
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    save_mask = []
    for name, image, fmt in (("center.png", Image.fromarray(mask), "PNG"),
                             ("center_rgb.png", Image.fromarray(np.dstack([mask] * 3)), "PNG"),
                             ("center.jpg", Image.fromarray(mask), "JPEG"),
                             ("strokes.bmp", Image.fromarray(np.where(rng.random((32, 32)) > 0.8, 255, 0).astype(np.uint8)), "BMP")):
        out = io.BytesIO()
        image.save(out, fmt)
        s.add("mask", name, out.getvalue(), keep=True)


def npy_seeds(s):
    for path in sorted((ROOT / "tests" / "data" / "npy").glob("*.npy")):
        s.add("npy", path.name, path.read_bytes(), keep=True)
    arrays = {
        "samples_f32.npy": np.linspace(-1, 1, 2 * 1 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4),
        "labels_i64.npy": np.arange(7, dtype=np.int64),
        "images_u8.npy": mnist_pixels(1).reshape(1, 1, 28, 28)[:, :, :8, :8].copy(),
        "scalar_f32.npy": np.array(3.5, dtype=np.float32),
        "empty_u8.npy": np.zeros((0, 3), dtype=np.uint8),
        "big_endian.npy": np.arange(4, dtype=">f4"),
        "fortran.npy": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    }
    for name, array in arrays.items():
        out = io.BytesIO()
        np.save(out, array)
        s.add("npy", name, out.getvalue(), keep=True)
    out = io.BytesIO()
    np.lib.format.write_array(out, np.arange(3, dtype=np.uint8), version=(2, 0))
    s.add("npy", "version2.npy", out.getvalue(), keep=True)


def config_seeds(s, run):
    for path in sorted((ROOT / "configs").glob("*.toml")):
        s.add("config_toml", path.name, path.read_text(), keep=True)
    resolved = (run / "config.toml") if run else None
    if resolved and resolved.exists():
        text = resolved.read_text()
        s.add("config_toml", "resolved.toml", text, keep=True)
        # Every key as --set KEY=VALUE lines.
        section, lines = "", []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("["):
                section = line.strip("[]")
            elif "=" in line:
                key, value = (part.strip() for part in line.split("=", 1))
                lines.append(f"{section}.{key}={value}")
        s.add("config_set", "every_key.txt", "\n".join(lines), keep=True)
    for i, line in enumerate(["train.steps=2", "model.width=8", "data.name=cifar10", "train.lr_g=1e-4",
                              'train.precision="fp32"', "report.tensorboard=false", "data.image_size=64",
                              "train.betas=[0.5, 0.999]", "model.name=sagan\ntrain.loss=hinge",
                              "train.mask=free-form"]):
        s.add("config_set", f"set_{i}.txt", line, keep=True)


def state_dict_seeds(s):
    import torch

    for path in sorted((ROOT / "tests" / "data" / "state_dict").glob("*.pth")):
        s.add("state_dict", path.name, path.read_bytes(), keep=path.stat().st_size < 3200)
    dicts = {
        "linear": torch.nn.Linear(3, 2).state_dict(),
        "bn": torch.nn.BatchNorm2d(2).state_dict(),
        "half": {"w": torch.arange(4, dtype=torch.float16), "b": torch.tensor([True, False])},
    }
    for name, state in dicts.items():
        for legacy in (False, True):
            out = io.BytesIO()
            torch.save(state, out, _use_new_zipfile_serialization=not legacy)
            s.add("state_dict", f"{name}_{'legacy' if legacy else 'zip'}.pth", out.getvalue(), keep=True)


def checkpoint_seeds(s, run):
    import torch

    config = (run / "config.toml").read_text() if run and (run / "config.toml").exists() else ""

    class Header(torch.nn.Module):
        def __init__(self, kind):
            super().__init__()
            self.format = "gankit-checkpoint/1"
            self.kind = kind
            self.config = config
            self.channels = 1
            self.image_size = 32
            self.num_classes = 10
            self.step = 2
            self.batches_seen = 2
            self.register_buffer("rng_cpu", torch.zeros(16, dtype=torch.uint8))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    for kind in ("adversarial", "inpaint"):
        out = io.BytesIO()
        torch.jit.save(torch.jit.script(Header(kind)), out)
        s.add("checkpoint", f"header_{kind}.pt", out.getvalue(), keep=True)
    if run:
        latest = run / "checkpoints" / "latest.pt"
        if latest.exists():
            s.add("checkpoint", "tiny_run.pt", latest.read_bytes())  # ~1 MB: beyond -max_len, for show


def classifier_seeds(s, classifier):
    if classifier and classifier.exists():
        s.add("classifier", "tiny.pt", classifier.read_bytes(), keep=classifier.stat().st_size < 40000)
    for path in sorted((ROOT / "tests" / "fuzz" / "seeds" / "checkpoint").glob("*.pt")):
        s.add("classifier", "checkpoint_" + path.name, path.read_bytes())  # a GAN checkpoint, refused


def run_seeds(s, run):
    if not run:
        return
    metrics = run / "metrics.jsonl"
    if metrics.exists():
        text = metrics.read_text()
        s.add("metrics_log", "metrics.jsonl", text, keep=True)
        s.add("metrics_log", "torn.jsonl", text[: len(text) * 2 // 3], keep=True)
    s.add("metrics_log", "types.jsonl", '{"step": 1, "loss_g": 0.5}\n{"step": "7"}\n{"step": 1e300}\n'
          '[1, 2]\n{"step": {"a": [true, null]}, "x": "\\u00e9\\ud83d\\ude00"}\n', keep=True)
    events = sorted(run.glob("events.out.tfevents.*"))
    if events:
        data = events[0].read_bytes()
        s.add("tensorboard", "events_raw", b"\x00" + data)
        # The same records, framed by the target itself (odd first byte): payloads joined by \n--\n.
        payloads, at = [], 0
        while at + 12 <= len(data):
            (length,) = struct.unpack("<Q", data[at:at + 8])
            payloads.append(data[at + 12:at + 12 + length])
            at += 12 + length + 4
        small = [p for p in payloads if len(p) < 400]
        s.add("tensorboard", "events_framed", b"\x01" + b"\n--\n".join(small), keep=True)
        first = data[: 12 + struct.unpack("<Q", data[:8])[0] + 4]
        s.add("tensorboard", "file_version_raw", b"\x00" + first, keep=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commit", action="store_true", help="also write tests/fuzz/seeds")
    parser.add_argument("--run", type=pathlib.Path, help="a (tiny) run directory")
    parser.add_argument("--classifier", type=pathlib.Path, help="a (tiny) classifier file")
    args = parser.parse_args()
    s = Seeds(args.commit)
    idx_seeds(s)
    csv_seeds(s)
    cifar_seeds(s)
    image_seeds(s)
    npy_seeds(s)
    config_seeds(s, args.run)
    state_dict_seeds(s)
    checkpoint_seeds(s, args.run)
    classifier_seeds(s, args.classifier)
    run_seeds(s, args.run)
    for target, count in sorted(s.counts.items()):
        print(f"{target}: {count} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
