#!/usr/bin/python3
"""Reference outputs for the image-to-image networks: U-Net generator, PatchGAN, inpainting generator.

The U-Net and PatchGAN below follow junyanz/pytorch-CycleGAN-and-pix2pix (models/networks.py:
UnetGenerator / UnetSkipConnectionBlock, NLayerDiscriminator) with norm_layer=BatchNorm2d, so convolutions
before a BatchNorm have no bias. The reference's in-place LeakyReLU rewrites the block input that the skip
then concatenates; as a ReLU follows the concatenation, skipping x or LeakyReLU(x) gives the same output.

Each case is built small, given non-trivial BatchNorm statistics by two training forwards, and saved under
tests/data/image_to_image/<case>/ as float32 .npy: parameters.npy and buffers.npy (every tensor of
module.parameters() / module.buffers(), flattened and joined in that order, which LibTorch's
parameters() / buffers() reproduce), input.npy and output.npy (one eval-mode forward).
Run with Debian's PyTorch 1.13:  /usr/bin/python3 tests/data/make_fixtures_pix2pix.py
"""
import os

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "image_to_image")


class UnetBlock(nn.Module):
    """One U-Net level: x -> [x, up(inner(down(x)))] (the outermost level returns up(...) alone)."""

    def __init__(self, outer, inner, input_nc=None, submodule=None, outermost=False, innermost=False,
                 dropout=False):
        super().__init__()
        self.outermost = outermost
        input_nc = outer if input_nc is None else input_nc
        down_conv = nn.Conv2d(input_nc, inner, 4, 2, 1, bias=False)
        if outermost:
            layers = [down_conv, submodule, nn.ReLU(True), nn.ConvTranspose2d(2 * inner, outer, 4, 2, 1), nn.Tanh()]
        elif innermost:
            layers = [nn.LeakyReLU(0.2, True), down_conv,
                      nn.ReLU(True), nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
        else:
            layers = [nn.LeakyReLU(0.2, True), down_conv, nn.BatchNorm2d(inner), submodule,
                      nn.ReLU(True), nn.ConvTranspose2d(2 * inner, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
            if dropout:
                layers.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)


def unet(input_nc, output_nc, num_downs, ngf=64, dropout=True):
    block = UnetBlock(ngf * 8, ngf * 8, innermost=True)
    for _ in range(num_downs - 5):
        block = UnetBlock(ngf * 8, ngf * 8, submodule=block, dropout=dropout)
    block = UnetBlock(ngf * 4, ngf * 8, submodule=block)
    block = UnetBlock(ngf * 2, ngf * 4, submodule=block)
    block = UnetBlock(ngf, ngf * 2, submodule=block)
    return UnetBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True)


def patchgan(input_nc, ndf=64, n_layers=3):
    layers = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers + 1):
        prev, mult = mult, min(2 ** n, 8)
        stride = 2 if n < n_layers else 1
        layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride, 1, bias=False), nn.BatchNorm2d(ndf * mult),
                   nn.LeakyReLU(0.2, True)]
    layers.append(nn.Conv2d(ndf * mult, 1, 4, 1, 1))
    return nn.Sequential(*layers)


def inpaint_generator(input_nc=4, output_nc=3, w=64, dilations=(2, 4, 8, 16)):
    """Iizuka et al. 2017's completion network, scaled down (two downsamplings, width w)."""
    layers = []

    def block(layer, channels):
        layers.extend([layer, nn.BatchNorm2d(channels), nn.ReLU(True)])

    block(nn.Conv2d(input_nc, w, 5, 1, 2, bias=False), w)
    block(nn.Conv2d(w, 2 * w, 3, 2, 1, bias=False), 2 * w)
    block(nn.Conv2d(2 * w, 2 * w, 3, 1, 1, bias=False), 2 * w)
    block(nn.Conv2d(2 * w, 4 * w, 3, 2, 1, bias=False), 4 * w)
    block(nn.Conv2d(4 * w, 4 * w, 3, 1, 1, bias=False), 4 * w)
    for d in dilations:
        block(nn.Conv2d(4 * w, 4 * w, 3, 1, d, dilation=d, bias=False), 4 * w)
    block(nn.Conv2d(4 * w, 4 * w, 3, 1, 1, bias=False), 4 * w)
    block(nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, bias=False), 2 * w)
    block(nn.Conv2d(2 * w, 2 * w, 3, 1, 1, bias=False), 2 * w)
    block(nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), w)
    block(nn.Conv2d(w, w // 2, 3, 1, 1, bias=False), w // 2)
    layers += [nn.Conv2d(w // 2, output_nc, 3, 1, 1), nn.Tanh()]
    return nn.Sequential(*layers)


def count(module):
    return sum(p.numel() for p in module.parameters())


def flat(tensors):
    return torch.cat([t.detach().reshape(-1).float() for t in tensors])


def save(folder, name, tensor):
    os.makedirs(folder, exist_ok=True)
    array = np.ascontiguousarray(tensor.detach().cpu().numpy().astype(np.float32))
    np.save(os.path.join(folder, name + ".npy"), array)


def make_case(name, module, input_shape, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():  # not the init draws: BN affine and biases away from 1 and 0
            p.normal_(0.0, 0.2) if p.dim() > 1 else p.normal_(0.5, 0.5)
    module.train()
    with torch.no_grad():
        for _ in range(10):  # running statistics that differ from the initial 0 and 1
            module(torch.randn(2, *input_shape[1:]) * 1.5 + 0.3)
    module.eval()
    x = torch.randn(*input_shape)
    with torch.no_grad():
        y = module(x)
    folder = os.path.join(OUT, name)
    save(folder, "parameters", flat(module.parameters()))
    save(folder, "buffers", flat(module.buffers()))
    save(folder, "input", x)
    save(folder, "output", y)
    print(f"{name}: {count(module)} parameters, output {tuple(y.shape)}, |y| max {y.abs().max():.3f}, "
          f"std {y.std():.3f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    # Reference sizes (the C++ tests hard-code these counts).
    print("unet_256 3->3 ngf 64:", count(unet(3, 3, 8)))
    print("unet_128 3->3 ngf 64:", count(unet(3, 3, 7)))
    print("patchgan 6 in, ndf 64:", count(patchgan(6)))
    print("inpaint 4->3 w 64:", count(inpaint_generator()))
    # num_downs 6: one dropout (intermediate) level, a 1x1 bottleneck at 64x64.
    make_case("unet", unet(1, 2, 6, ngf=1), (1, 1, 64, 64), seed=40)
    make_case("patchgan", patchgan(6, ndf=2), (1, 6, 32, 24), seed=41)
    make_case("inpaint", inpaint_generator(4, 3, w=2), (1, 4, 16, 12), seed=42)
