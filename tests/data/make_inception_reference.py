#!/usr/bin/python3
"""Reference outputs of pytorch-fid's Inception-v3 for tests/metrics/inception_v3_test.cpp.

    /usr/bin/python3 tests/data/make_inception_reference.py OUTDIR

The network is pytorch-fid's fid_inception_v3() (src/pytorch_fid/inception.py), written out below
on torchvision's inception_v3 (num_classes=1008, aux_logits=False, init_weights=False) with the
Mixed blocks replaced, run the way pytorch-fid's InceptionV3 runs it with resize_input=True and
normalize_input=True, plus the fc layer on pool3 (the logits the Inception Score uses). Its
weights are random (seed 0): He-initialised convolutions, batch norms with random affine
parameters and running statistics measured on random 40x40 images (so no batch norm is an
identity and activations keep their scale), a scaled-up fc layer. Writes to OUTDIR:
  weights_zip.pth     the state_dict (an OrderedDict), torch.save's zip format
  weights_legacy.pth  the same, _use_new_zipfile_serialization=False
  weights_dict.pth    the same as a plain dict, zip format
  images_K.npy        float32 [N,C,H,W] in [0,1]: K = a (2x3x32x32), b (1x3x64x48), gray (1x1x40x40)
  pool_K.npy          float32 [N,2048], the network's pool3 for images_K
  logits_K.npy        float32 [N,1008], fc(pool3)
The weights are ~95 MB a file, so the C++ test runs this script at test time, once. Needs Debian's
python3-torch and python3-torchvision.
"""
import collections
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models.inception import InceptionA, InceptionC, InceptionE


class FIDInceptionA(InceptionA):
    """InceptionA whose pool branch averages without counting the padding (TF's average pool)."""

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch5x5, branch3x3dbl, branch_pool], 1)


class FIDInceptionC(InceptionC):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        branch7x7dbl = self.branch7x7dbl_1(x)
        branch7x7dbl = self.branch7x7dbl_2(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_3(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_4(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_5(branch7x7dbl)
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch7x7, branch7x7dbl, branch_pool], 1)


class FIDInceptionE_1(InceptionE):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = torch.cat([self.branch3x3_2a(branch3x3), self.branch3x3_2b(branch3x3)], 1)
        branch3x3dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        branch3x3dbl = torch.cat([self.branch3x3dbl_3a(branch3x3dbl), self.branch3x3dbl_3b(branch3x3dbl)], 1)
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch3x3, branch3x3dbl, branch_pool], 1)


class FIDInceptionE_2(InceptionE):
    """The last block: a max pool in the pool branch (a bug in TF's graph that FID inherits)."""

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = torch.cat([self.branch3x3_2a(branch3x3), self.branch3x3_2b(branch3x3)], 1)
        branch3x3dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        branch3x3dbl = torch.cat([self.branch3x3dbl_3a(branch3x3dbl), self.branch3x3dbl_3b(branch3x3dbl)], 1)
        branch_pool = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch3x3, branch3x3dbl, branch_pool], 1)


def fid_inception_v3():
    """pytorch-fid's fid_inception_v3(), without downloading the weights."""
    inception = torchvision.models.inception_v3(weights=None, aux_logits=False, num_classes=1008,
                                                init_weights=False)
    inception.Mixed_5b = FIDInceptionA(192, pool_features=32)
    inception.Mixed_5c = FIDInceptionA(256, pool_features=64)
    inception.Mixed_5d = FIDInceptionA(288, pool_features=64)
    inception.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    inception.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    inception.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    inception.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    inception.Mixed_7b = FIDInceptionE_1(1280)
    inception.Mixed_7c = FIDInceptionE_2(2048)
    return inception


def pool3(net, x):
    """pytorch-fid's InceptionV3.forward up to block 3 (resize_input, normalize_input): [N,2048]."""
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)  # gankit's convention for grey images
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    x = 2 * x - 1
    x = F.max_pool2d(net.Conv2d_2b_3x3(net.Conv2d_2a_3x3(net.Conv2d_1a_3x3(x))), kernel_size=3, stride=2)
    x = F.max_pool2d(net.Conv2d_4a_3x3(net.Conv2d_3b_1x1(x)), kernel_size=3, stride=2)
    for name in ("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                 "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"):
        x = getattr(net, name)(x)
    return F.adaptive_avg_pool2d(x, output_size=(1, 1)).flatten(1)


def randomise(net, generator):
    for module in net.modules():
        if isinstance(module, torch.nn.Conv2d):  # He: N(0, 2 / fan_in)
            fan_in = module.weight[0].numel()
            module.weight.copy_(torch.randn(module.weight.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
    # Random affine parameters, then running statistics measured on random images (cumulative
    # averages), so that every batch norm normalises what reaches it and activations keep a
    # sensible scale through the 94 layers.
    bns = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for bn in bns:
        bn.weight.copy_(torch.rand(bn.weight.shape, generator=generator) + 0.5)    # [0.5, 1.5)
        bn.bias.copy_(torch.rand(bn.bias.shape, generator=generator) * 0.4 - 0.2)  # [-0.2, 0.2)
        bn.reset_running_stats()
        bn.momentum = None
    net.train()
    pool3(net, torch.rand(8, 3, 40, 40, generator=generator))  # like the test images, resized
    net.eval()
    for bn in bns:
        bn.momentum = 0.1
    net.fc.weight.copy_(torch.randn(net.fc.weight.shape, generator=generator) * 0.05)
    net.fc.bias.copy_(torch.randn(net.fc.bias.shape, generator=generator) * 0.1)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_inception_reference.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    net = fid_inception_v3()
    with torch.no_grad():
        randomise(net, generator)
        state = net.state_dict()
        assert isinstance(state, collections.OrderedDict)
        torch.save(state, os.path.join(out, "weights_zip.pth"))
        torch.save(state, os.path.join(out, "weights_legacy.pth"), _use_new_zipfile_serialization=False)
        torch.save(dict(state), os.path.join(out, "weights_dict.pth"))
        images = {
            "a": torch.rand(2, 3, 32, 32, generator=generator),
            "b": torch.rand(1, 3, 64, 48, generator=generator),
            "gray": torch.rand(1, 1, 40, 40, generator=generator),
        }
        for key, x in images.items():
            pool = pool3(net, x)
            logits = net.fc(pool)
            np.save(os.path.join(out, "images_%s.npy" % key), x.numpy())
            np.save(os.path.join(out, "pool_%s.npy" % key), pool.numpy())
            np.save(os.path.join(out, "logits_%s.npy" % key), logits.numpy())
            print("%s: pool in [%.3g, %.3g], logits in [%.3g, %.3g]"
                  % (key, pool.min(), pool.max(), logits.min(), logits.max()))


if __name__ == "__main__":
    main()
