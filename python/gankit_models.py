"""PyTorch definitions of gankit's generators, for weights exported with

    gankit export CHECKPOINT -o G.safetensors

Each module and parameter is named as gankit names it, so ``load_state_dict`` takes the file's
tensors as they are (spectral norm is folded into the weights; BatchNorm keeps its statistics).
``load`` reads the file with json + numpy alone (no ``safetensors`` package needed) and builds
the network its metadata describes::

    import torch, gankit_models
    G = gankit_models.load("G.safetensors").eval()
    images = G(torch.randn(16, G.z_dim))        # [16,C,H,W] in [-1, 1]; G(z, labels) if conditional

Outputs match gankit's own (`gankit sample`, `translate`, `inpaint`) to float rounding.
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["MlpGenerator", "DcganGenerator", "UnetGenerator", "InpaintGenerator", "read_safetensors", "load"]


class SelfAttention(nn.Module):
    """SAGAN's block: 1x1 query/key to C/8, value to C; gamma * attention + x."""

    def __init__(self, channels):
        super().__init__()
        reduced = max(channels // 8, 1)
        self.query = nn.Conv2d(channels, reduced, 1)
        self.key = nn.Conv2d(channels, reduced, 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        q = self.query(x).reshape(n, -1, h * w).permute(0, 2, 1)  # [N,HW,C/8]
        k = self.key(x).reshape(n, -1, h * w)  # [N,C/8,HW]
        attention = torch.softmax(torch.bmm(q, k), dim=-1)  # [N,HW,HW]
        v = self.value(x).reshape(n, c, h * w)
        return self.gamma * torch.bmm(v, attention.permute(0, 2, 1)).view(n, c, h, w) + x


class PerImageBatchNorm2d(nn.BatchNorm2d):
    """pix2pix's BatchNorm as `gankit translate` runs it: each image's own statistics."""

    def forward(self, x):
        return F.instance_norm(x, weight=self.weight, bias=self.bias, eps=self.eps)


class MlpGenerator(nn.Module):
    """Goodfellow et al. 2014: z -> w -> 2w -> 4w -> C*S*S, LeakyReLU(0.2) + BatchNorm1d, tanh."""

    def __init__(self, z_dim, channels, image_size, width=256):
        super().__init__()
        self.z_dim, self.shape = z_dim, (channels, image_size, image_size)
        layers, size = [], z_dim
        for out in (width, 2 * width, 4 * width):
            layers += [nn.Linear(size, out), nn.LeakyReLU(0.2), nn.BatchNorm1d(out, eps=1e-3, momentum=0.2)]
            size = out
        layers += [nn.Linear(size, channels * image_size * image_size), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, z):
        return self.body(z).view(z.shape[0], *self.shape)


class DcganGenerator(nn.Module):
    """The DCGAN family (dcgan, sn-dcgan, sagan, cgan, acgan, wgan, wgan-gp): ConvTranspose +
    BatchNorm + ReLU blocks from 4x4 up, SAGAN's attention at `attention_size`, a label embedding
    joined to z for conditional models."""

    def __init__(self, z_dim, channels, image_size, width=64, num_classes=0, attention_size=0):
        super().__init__()
        self.z_dim, self.num_classes = z_dim, num_classes
        stages = int(math.log2(image_size)) - 2
        c, size_in = width << (stages - 1), z_dim
        if num_classes > 0:
            self.label_embedding = nn.Embedding(num_classes, num_classes)
            size_in += num_classes
        layers = [nn.ConvTranspose2d(size_in, c, 4, 1, 0, bias=False), nn.BatchNorm2d(c), nn.ReLU(True)]
        size = 8
        for _ in range(1, stages):
            layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(True)]
            if size == attention_size:
                layers.append(SelfAttention(c // 2))
            c, size = c // 2, size * 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, z, labels=None):
        if self.num_classes > 0:
            z = torch.cat([z, self.label_embedding(labels)], 1)
        return self.body(z.view(z.shape[0], -1, 1, 1))


class UnetGenerator(nn.Module):
    """pix2pix's U-Net (pytorch-CycleGAN-and-pix2pix's, BatchNorm, dropout off at use time)."""

    def __init__(self, in_channels, out_channels, num_downs, width=64):
        super().__init__()
        ch = lambda level: width * min(2 ** min(level, 3), 8)
        self.encoder = nn.ModuleList()
        for level in range(num_downs):
            layers = [nn.Conv2d(in_channels if level == 0 else ch(level - 1), ch(level), 4, 2, 1, bias=False)]
            if 0 < level < num_downs - 1:
                layers.append(PerImageBatchNorm2d(ch(level)))
            if level < num_downs - 1:
                layers.append(nn.LeakyReLU(0.2, True))
            self.encoder.append(nn.Sequential(*layers))
        self.decoder = nn.ModuleList()
        for level in range(num_downs - 1, -1, -1):
            size_in = ch(level) if level == num_downs - 1 else 2 * ch(level)
            if level == 0:
                layers = [nn.ReLU(True), nn.ConvTranspose2d(size_in, out_channels, 4, 2, 1), nn.Tanh()]
            else:
                layers = [nn.ReLU(True), nn.ConvTranspose2d(size_in, ch(level - 1), 4, 2, 1, bias=False),
                          PerImageBatchNorm2d(ch(level - 1))]
                if 4 <= level < num_downs - 1:
                    layers.append(nn.Dropout(0.5))
            self.decoder.append(nn.Sequential(*layers))

    def forward(self, image):
        skips, x = [], image
        for level, down in enumerate(self.encoder):
            x = down(x)
            if level < len(self.encoder) - 1:
                skips.append(x)
        for j, up in enumerate(self.decoder):
            if j > 0:
                x = torch.cat([skips[-j], x], 1)
            x = up(x)
        return x


class InpaintGenerator(nn.Module):
    """Iizuka et al. 2017, scaled down: encoder, dilated middle, decoder; BatchNorm + ReLU. Takes
    the image and the mask (1 = hole) and returns the composite: known pixels kept."""

    def __init__(self, channels, width=64, dilations=(2, 4, 8, 16)):
        super().__init__()
        w, layers = width, []

        def add(layer, out):
            layers.extend([layer, nn.BatchNorm2d(out), nn.ReLU(True)])

        conv = lambda i, o, k, s=1, d=1: nn.Conv2d(i, o, k, s, d * (k - 1) // 2, d, bias=False)
        up = lambda i, o: nn.ConvTranspose2d(i, o, 4, 2, 1, bias=False)
        add(conv(channels + 1, w, 5), w)
        add(conv(w, 2 * w, 3, 2), 2 * w)
        add(conv(2 * w, 2 * w, 3), 2 * w)
        add(conv(2 * w, 4 * w, 3, 2), 4 * w)
        add(conv(4 * w, 4 * w, 3), 4 * w)
        for d in dilations:
            add(conv(4 * w, 4 * w, 3, 1, d), 4 * w)
        add(conv(4 * w, 4 * w, 3), 4 * w)
        add(up(4 * w, 2 * w), 2 * w)
        add(conv(2 * w, 2 * w, 3), 2 * w)
        add(up(2 * w, w), w)
        add(conv(w, w // 2, 3), w // 2)
        layers += [nn.Conv2d(w // 2, channels, 3, padding=1), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, image, mask):
        known = image * (1 - mask)
        return known + self.body(torch.cat([known, mask], 1)) * mask


_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "U8": np.uint8}


def read_safetensors(path):
    """(tensors, metadata) of a safetensors file, with json + numpy alone."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(data, _DTYPES[info["dtype"]], (end - begin) // np.dtype(_DTYPES[info["dtype"]]).itemsize,
                              8 + n + begin)
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return tensors, metadata


def build(metadata):
    """The network a gankit export's metadata describes (weights not loaded)."""
    get = lambda key: int(metadata["gankit." + key])
    name = metadata["gankit.model"]
    channels, size, width = get("channels"), get("image_size"), get("width")
    if name == "mlp":
        return MlpGenerator(get("z_dim"), channels, size, width)
    if name == "pix2pix":
        return UnetGenerator(channels, channels, get("num_downs"), width)
    if name == "inpaint":
        dilations = tuple(int(d) for d in metadata["gankit.dilations"].split(","))
        return InpaintGenerator(channels, width, dilations)
    return DcganGenerator(get("z_dim"), channels, size, width, get("classes"), get("attention_size"))


def load(path):
    """The generator of a `gankit export -o G.safetensors` file, weights loaded (strictly)."""
    tensors, metadata = read_safetensors(path)
    model = build(metadata)
    model.load_state_dict(tensors, strict=True)
    model.gankit_metadata = metadata
    return model
