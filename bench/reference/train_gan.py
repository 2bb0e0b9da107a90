#!/usr/bin/python3
"""PyTorch reference for gankit's benchmarks: the `mlp`, `dcgan` and `cgan` GANs of DESIGN.md.

Written the way the PyTorch examples write them (pytorch/examples dcgan/main.py,
PyTorch-GAN implementations/gan/gan.py, Keras-GAN gan/gan.py), so that gankit's speed and
sample quality can be compared against what a PyTorch user gets.

    /usr/bin/python3 bench/reference/train_gan.py --model dcgan --dataset fashion-mnist \
        --style tuned --steps 937 --out /tmp/ref-dcgan.npy --n-samples 10000

`--device cuda` trains on the GPU: batches are made on the CPU, as gankit does, and copied over
each step with a plain .to(device) (pytorch/examples; non_blocking=True was no faster overall on
an H100: -11% at batch 64, +9% at 256, bench/results/gpu-dcgan-fashion-mnist.md). Timings wait for
the GPU (torch.cuda.synchronize) before reading the clock.

Prints ONE JSON line on stdout (everything else goes to stderr).

Styles:
  default  what a user writes out of the box: a torch Dataset with per-item torchvision
           transforms (PIL image -> Resize -> ToTensor -> Normalize), DataLoader(shuffle=True,
           drop_last=True,
                                         num_workers=num_workers, persistent_workers=num_workers > 0), torch's default number of threads.
  tuned    torch.set_num_threads(cores) and the whole data set pre-converted once to a float
           tensor in memory, batches taken by indexing with a per-epoch permutation.  Kept because
           it was the faster choice on the 2-core dev box (torch 1.13 CPU, 2 threads, rough
           numbers on a shared machine): mlp/fashion-mnist 300 steps ~2470 img/s in-memory vs
           ~1600-1650 img/s with the default-style DataLoader at num_workers=1 or 2 (the workers
           fight the compute threads for the same two cores); dcgan ~170 img/s either way
           (compute-bound).  `--workers K` reproduces the DataLoader variant.
"""
import time

_T_SCRIPT_START = time.time()  # as early as possible; /proc start time is preferred below

import argparse
import gzip
import json
import os
import resource
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def process_start_time():
    """Epoch time at which this process started (from /proc/self/stat), else script start."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 overall: starttime, in clock ticks since boot
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return time.time() - (uptime - start_ticks / ticks)
    except (OSError, ValueError, IndexError):
        return _T_SCRIPT_START


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# Data: IDX files (gzip or raw)
# ----------------------------------------------------------------------------------------------
def read_idx(path):
    """Read an IDX file (optionally .gz) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    dtype = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[data[2]]
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    arr = np.frombuffer(data, dtype=dtype, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: size {arr.size} does not match header {shape}")
    return arr.reshape(shape)


def dataset_paths(name, split="train"):
    if name == "fashion-mnist":
        root = "/usr/share/datasets/fashion-mnist"
        suffix = ".gz"
    elif name == "mnist":
        root = os.path.join(os.environ.get("GANKIT_DATA", os.path.expanduser("~/.cache/gankit/data")), "mnist")
        suffix = ""
    else:
        raise ValueError(f"unknown dataset {name!r} (valid: mnist, fashion-mnist)")
    prefix = "train" if split == "train" else "t10k"
    imgs = os.path.join(root, f"{prefix}-images-idx3-ubyte{suffix}")
    labels = os.path.join(root, f"{prefix}-labels-idx1-ubyte{suffix}")
    for p in (imgs, labels):
        if not os.path.exists(p):
            raise FileNotFoundError(f"{p} not found (see bench/README-reference.md for how to get it)")
    return imgs, labels


def cifar10_root(split="train"):
    root = os.path.join(os.environ.get("GANKIT_DATA", os.path.expanduser("~/.cache/gankit/data")),
                        "cifar10-jpeg", split)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root} not found (scripts/setup.sh extracts ../shared/data/cifar10-jpeg.tar.gz)")
    return root


def load_images(name, split="train"):
    """uint8 array (N, H, W) or (N, H, W, 3) and int64 labels (N,)."""
    if name == "cifar10":
        # Decoded once with PIL, as a tuned script keeps the set in memory.
        from PIL import Image
        root = cifar10_root(split)
        classes = sorted(os.listdir(root))
        files = [(os.path.join(root, c, f), k) for k, c in enumerate(classes)
                 for f in sorted(os.listdir(os.path.join(root, c)))]
        images = np.stack([np.asarray(Image.open(f).convert("RGB")) for f, _ in files])
        return images, np.array([k for _, k in files], dtype=np.int64)
    imgs, labels = dataset_paths(name, split)
    return read_idx(imgs), read_idx(labels).astype(np.int64)


class IdxDataset(torch.utils.data.Dataset):
    """What a user writes: like torchvision.datasets.MNIST, one PIL image per item + transform."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        from PIL import Image
        img = Image.fromarray(self.images[i], mode="L")
        return self.transform(img), int(self.labels[i])


def default_batches(images, labels, image_size, batch_size, num_workers=0, folder=None):
    import torchvision.transforms as T
    if folder is not None:
        # An image folder as a user reads it: torchvision's ImageFolder, one JPEG decoded per item.
        import torchvision.datasets as datasets
        tf = T.Compose([T.Resize(image_size), T.ToTensor(), T.Normalize((0.5,) * 3, (0.5,) * 3)])
        ds = datasets.ImageFolder(folder, transform=tf)
        loader = torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=True, drop_last=True,
                                             num_workers=num_workers, persistent_workers=num_workers > 0)
        while True:
            for x, y in loader:
                yield x, y
    tf = [T.Resize(image_size)] if image_size != images.shape[1] else []
    tf += [T.ToTensor(), T.Normalize((0.5,), (0.5,))]
    ds = IdxDataset(images, labels, T.Compose(tf))
    loader = torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=True, drop_last=True,
                                         num_workers=num_workers, persistent_workers=num_workers > 0)
    while True:  # epochs until the caller stops
        for x, y in loader:
            yield x, y


def tuned_batches(images, labels, image_size, batch_size):
    n = images.shape[0]
    nc = 3 if images.ndim == 4 else 1
    x = torch.empty(n, nc, image_size, image_size)  # the whole set as float, filled in chunks
    for i in range(0, n, 4096):
        c = torch.from_numpy(np.array(images[i:i + 4096])).float()  # 0..255
        c = c.permute(0, 3, 1, 2) if nc == 3 else c.unsqueeze(1)
        if image_size != images.shape[1]:
            # torchvision Resize(32) on a PIL 'L' image = bilinear (half-pixel centres), rounded
            # to uint8.  PIL's fixed-point arithmetic rounds ~10% of pixels one level differently.
            c = F.interpolate(c, size=(image_size, image_size), mode="bilinear",
                              align_corners=False).round_().clamp_(0, 255)
        x[i:i + c.shape[0]] = c.div_(255.0).sub_(0.5).div_(0.5)  # ToTensor+Normalize -> [-1,1]
    labels_t = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    while True:
        perm = torch.randperm(n)
        for i in range(0, n - batch_size + 1, batch_size):  # drop_last
            idx = perm[i:i + batch_size]
            yield x[idx], labels_t[idx]


# ----------------------------------------------------------------------------------------------
# Models (DESIGN.md "Reference model definitions")
# ----------------------------------------------------------------------------------------------
class MlpGenerator(nn.Module):
    """Keras-GAN / PyTorch-GAN gan.py generator: z -> 256 -> 512 -> 1024 -> H*W*C, tanh."""

    def __init__(self, z_dim, img_shape, flavour):
        super().__init__()
        self.img_shape = img_shape  # (C, H, W)

        def block(i, o):
            # Keras: Dense -> LeakyReLU(0.2) -> BatchNormalization(momentum=0.8) (eps 1e-3);
            # "torch": BatchNorm1d's own defaults (momentum 0.1, eps 1e-5), as a PyTorch user
            # writes it.
            bn = (nn.BatchNorm1d(o, momentum=0.2, eps=1e-3) if flavour == "keras"
                  else nn.BatchNorm1d(o))
            return [nn.Linear(i, o), nn.LeakyReLU(0.2), bn]

        self.net = nn.Sequential(
            *block(z_dim, 256),  # [N,z] -> [N,256]
            *block(256, 512),  # -> [N,512]
            *block(512, 1024),  # -> [N,1024]
            nn.Linear(1024, int(np.prod(img_shape))),  # -> [N,C*H*W]
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z).view(z.shape[0], *self.img_shape)  # -> [N,C,H,W]


class MlpDiscriminator(nn.Module):
    def __init__(self, img_shape):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),  # [N,C,H,W] -> [N,C*H*W]
            nn.Linear(int(np.prod(img_shape)), 512), nn.LeakyReLU(0.2),  # -> [N,512]
            nn.Linear(512, 256), nn.LeakyReLU(0.2),  # -> [N,256]
            nn.Linear(256, 1),  # -> [N,1] logit
        )

    def forward(self, x):
        return self.net(x).view(-1)


def keras_init(m):
    """Keras Dense defaults: glorot_uniform kernel, zero bias (BN: gamma 1, beta 0 = torch's)."""
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)


class DcganGenerator(nn.Module):
    """pytorch/examples dcgan netG, for 32x32 (one block fewer than the 64x64 original)."""

    def __init__(self, z_dim, channels, w=64, num_classes=0):
        super().__init__()
        # cgan: a learned K-vector per class joined to z (gankit's cgan; nn.Embedding's own init)
        self.embed = nn.Embedding(num_classes, num_classes) if num_classes else None
        self.main = nn.Sequential(
            nn.ConvTranspose2d(z_dim + num_classes, w * 4, 4, 1, 0, bias=False),  # [N,z(+K),1,1] -> [N,4w,4,4]
            nn.BatchNorm2d(w * 4), nn.ReLU(True),
            nn.ConvTranspose2d(w * 4, w * 2, 4, 2, 1, bias=False),  # -> [N,2w,8,8]
            nn.BatchNorm2d(w * 2), nn.ReLU(True),
            nn.ConvTranspose2d(w * 2, w, 4, 2, 1, bias=False),  # -> [N,w,16,16]
            nn.BatchNorm2d(w), nn.ReLU(True),
            nn.ConvTranspose2d(w, channels, 4, 2, 1, bias=False),  # -> [N,C,32,32]
            nn.Tanh(),
        )

    def forward(self, z, labels=None):
        if self.embed is not None:
            z = torch.cat([z, self.embed(labels)], 1)  # [N,z] -> [N,z+K]
        return self.main(z.view(z.shape[0], -1, 1, 1))


class DcganDiscriminator(nn.Module):
    def __init__(self, channels, w=64, num_classes=0, size=32):
        super().__init__()
        # cgan: a learned 32x32 map per class joined to the image as one more channel
        self.label_map = nn.Embedding(num_classes, size * size) if num_classes else None
        self.size = size
        self.main = nn.Sequential(
            nn.Conv2d(channels + (1 if num_classes else 0), w, 4, 2, 1, bias=False),  # [N,C(+1),32,32] -> [N,w,16,16]
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(w, w * 2, 4, 2, 1, bias=False),  # -> [N,2w,8,8]
            nn.BatchNorm2d(w * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(w * 2, w * 4, 4, 2, 1, bias=False),  # -> [N,4w,4,4]
            nn.BatchNorm2d(w * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(w * 4, 1, 4, 1, 0, bias=False),  # -> [N,1,1,1] logit (no sigmoid)
        )

    def forward(self, x, labels=None):
        if self.label_map is not None:
            x = torch.cat([x, self.label_map(labels).view(-1, 1, self.size, self.size)], 1)
        return self.main(x).view(-1)


def dcgan_init(m):
    """pytorch/examples dcgan weights_init."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


# ----------------------------------------------------------------------------------------------
def main():
    t_proc0 = process_start_time()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["mlp", "dcgan", "cgan"], required=True)
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist", "cifar10"], default="fashion-mnist")
    p.add_argument("--style", choices=["default", "tuned"], default="default")
    p.add_argument("--steps", type=int, default=937)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="samples .npy (uint8, N,H,W,C)")
    p.add_argument("--n-samples", type=int, default=10000)
    p.add_argument("--threads", type=int, default=None, help="tuned style: threads (default: all cores)")
    p.add_argument("--workers", type=int, default=0,
                   help="tuned style: >0 uses the default-style DataLoader with this many workers "
                        "instead of the in-memory tensor (kept only for the comparison)")
    p.add_argument("--mlp-flavour", choices=["keras", "torch"], default="torch",
                   help="mlp: keras = Glorot init and Keras' BatchNorm (momentum 0.8, eps 1e-3); "
                        "torch = PyTorch's default init and BatchNorm1d defaults")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--device", default="cpu", help="cpu (default), cuda or cuda:N")
    p.add_argument("--autocast", choices=["none", "bf16"], default="none",
                   help="bf16: torch.autocast around the forward passes (PyTorch's mixed precision)")
    args = p.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: torch.cuda.is_available() is False")

    def sync():  # CUDA runs asynchronously: wait for it before reading the clock
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    if args.style == "tuned":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        torch.set_num_threads(args.threads or cores)
    threads = torch.get_num_threads()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    z_dim, nc = 100, 3 if args.dataset == "cifar10" else 1
    image_size = 28 if args.model == "mlp" else 32
    num_classes = 10 if args.model == "cgan" else 0
    folder = cifar10_root("train") if args.dataset == "cifar10" and args.style == "default" else None
    images, labels = load_images(args.dataset, "train") if folder is None else (None, None)

    if args.model in ("dcgan", "cgan"):
        netG = DcganGenerator(z_dim, nc, num_classes=num_classes)
        netD = DcganDiscriminator(nc, num_classes=num_classes)
        netG.apply(dcgan_init)
        netD.apply(dcgan_init)
    else:
        shape = (nc, image_size, image_size)
        netG, netD = MlpGenerator(z_dim, shape, args.mlp_flavour), MlpDiscriminator(shape)
        if args.mlp_flavour == "keras":
            netG.apply(keras_init)
            netD.apply(keras_init)

    netG.to(device)
    netD.to(device)
    criterion = nn.BCEWithLogitsLoss()
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

    if args.style == "default" or args.workers > 0:
        batches = default_batches(images, labels, image_size, args.batch_size,
                                  num_workers=args.workers if args.style == "tuned" else 0, folder=folder)
    else:
        batches = tuned_batches(images, labels, image_size, args.batch_size)

    B = args.batch_size
    autocast = lambda: torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.autocast == "bf16")
    real_label, fake_label = 1.0, 0.0
    cond = lambda x, y: (x,) if y is None else (x, y)  # unconditional nets take one argument
    warmup = min(5, max(args.steps - 1, 0))
    netG.train()
    netD.train()
    sync()
    t_train0 = time.time()
    t_meas0 = t_train0 if warmup == 0 else None
    for step in range(args.steps):
        if step == warmup and warmup > 0:
            sync()
            t_meas0 = time.time()
        real, real_y = next(batches)
        real = real.to(device)
        # cgan: D sees real images with their labels, fakes with the labels G drew them for
        real_y = real_y.to(device) if num_classes else None
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))  (pytorch/examples dcgan order)
        netD.zero_grad()
        label = torch.full((B,), real_label, device=device)
        with autocast():
            errD_real = criterion(netD(*cond(real, real_y)), label)
        errD_real.backward()
        noise = torch.randn(B, z_dim, device=device)
        fake_y = torch.randint(num_classes, (B,), device=device) if num_classes else None
        with autocast():
            fake = netG(*cond(noise, fake_y))  # the only G forward of the step
            label.fill_(fake_label)
            errD_fake = criterion(netD(*cond(fake.detach(), fake_y)), label)
        errD_fake.backward()
        optD.step()
        # (2) Update G: maximize log(D(G(z)))  (non-saturating)
        netG.zero_grad()
        label.fill_(real_label)
        with autocast():
            errG = criterion(netD(*cond(fake, fake_y)), label)
        errG.backward()
        optG.step()
        if args.log_every and (step % args.log_every == 0 or step == args.steps - 1):
            log(f"[{step}/{args.steps}] loss_d {(errD_real + errD_fake).item():.4f} "
                f"loss_g {errG.item():.4f} {time.time() - t_train0:.1f}s")
    sync()
    t_train1 = time.time()
    measured_steps = args.steps - warmup
    ips = measured_steps * B / (t_train1 - t_meas0) if measured_steps > 0 and t_train1 > t_meas0 else None

    if args.out:
        netG.eval()
        gen = torch.Generator().manual_seed(args.seed + 1)
        chunks = []
        # cgan: sample i has class i mod K (as `gankit sample`), saved as OUT.labels.npy
        all_y = torch.arange(args.n_samples) % num_classes if num_classes else None
        with torch.no_grad():
            for i in range(0, args.n_samples, 1000):
                n = min(1000, args.n_samples - i)
                z = torch.randn(n, z_dim, generator=gen).to(device)
                y = all_y[i:i + n].to(device) if num_classes else None
                x = netG(*cond(z, y))  # [n,C,H,W] in [-1,1]
                x = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).cpu()
                chunks.append(x.permute(0, 2, 3, 1).contiguous().numpy())  # -> [n,H,W,C]
        out = np.concatenate(chunks) if chunks else np.zeros((0, image_size, image_size, nc), np.uint8)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        np.save(args.out, out)
        if num_classes:
            np.save(os.path.splitext(args.out)[0] + ".labels.npy", all_y.numpy().astype(np.int64))

    t_end = time.time()
    result = {
        "model": args.model,
        "dataset": args.dataset,
        "style": args.style,
        "steps": args.steps,
        "batch_size": B,
        "threads": threads,
        "autocast": args.autocast,
        "device": str(device),
        "train_images_per_s": round(ips, 2) if ips else None,
        "train_wall_s": round(t_train1 - t_train0, 3),
        "process_wall_s": round(t_end - t_proc0, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "torch": torch.__version__,
        **({"gpu": torch.cuda.get_device_name(device),
            "peak_gpu_mb": round(torch.cuda.max_memory_allocated(device) / 2**20, 1)}
           if device.type == "cuda" else {}),
        "seed": args.seed,
        **({"mlp_flavour": args.mlp_flavour} if args.model == "mlp" else {}),
        "final_loss_d": round((errD_real + errD_fake).item(), 4) if args.steps else None,
        "final_loss_g": round(errG.item(), 4) if args.steps else None,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
