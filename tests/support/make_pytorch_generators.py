"""Generators trained in PyTorch, as gankit import meets them: pytorch-CycleGAN-and-pix2pix's U-Net
(its UnetSkipConnectionBlock, BatchNorm, dropout) and pytorch/examples' DCGAN netG, at tiny widths
with weights and statistics away from their initial values. Writes OUT/unet.pth and
OUT/dcgan.pth (torch.save(state_dict)), inputs, and each network's outputs: the U-Net as pix2pix
runs it at test time with batch 1 (BatchNorm on the image's own statistics), dropout off, one image
at a time; DCGAN in eval mode.

    python3 make_pytorch_generators.py OUT
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn


class UnetSkipConnectionBlock(nn.Module):  # pytorch-CycleGAN-and-pix2pix, models/networks.py
    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False,
                 norm_layer=nn.BatchNorm2d, use_dropout=False):
        super().__init__()
        self.outermost = outermost
        use_bias = False  # BatchNorm
        if input_nc is None:
            input_nc = outer_nc
        downconv = nn.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
        downrelu = nn.LeakyReLU(0.2, True)
        downnorm = norm_layer(inner_nc)
        uprelu = nn.ReLU(True)
        upnorm = norm_layer(outer_nc)
        if outermost:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1)
            model = [downconv] + [submodule] + [uprelu, upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(inner_nc, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
            model = [downrelu, downconv] + [uprelu, upconv, upnorm]
        else:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1, bias=use_bias)
            model = [downrelu, downconv, downnorm] + [submodule] + [uprelu, upconv, upnorm]
            if use_dropout:
                model = model + [nn.Dropout(0.5)]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)


class UnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, num_downs, ngf=64, use_dropout=True):
        super().__init__()
        block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, innermost=True)
        for _ in range(num_downs - 5):
            block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=block, use_dropout=use_dropout)
        block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, submodule=block)
        block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, submodule=block)
        block = UnetSkipConnectionBlock(ngf, ngf * 2, submodule=block)
        self.model = UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True)

    def forward(self, x):
        return self.model(x)


def dcgan_generator(nz, ngf, nc):  # pytorch/examples dcgan/main.py, 64x64
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())


class DcganNetG(nn.Module):
    def __init__(self, nz, ngf, nc):
        super().__init__()
        self.main = dcgan_generator(nz, ngf, nc)

    def forward(self, z):
        return self.main(z)


def trained_like(model, batches):
    """Unit-gain weights, then BatchNorm statistics from a few training-mode passes."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                m.weight.normal_(0, 1.0 / np.sqrt(m.weight[0].numel()))
                if m.bias is not None:
                    m.bias.normal_(0, 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.normal_(1, 0.2)
                m.bias.normal_(0, 0.2)
        model.train()
        for batch in batches:
            model(batch)
    return model


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    unet = trained_like(UnetGenerator(3, 3, 5, ngf=4), [torch.rand(4, 3, 32, 32) * 2 - 1 for _ in range(3)])
    torch.save(unet.state_dict(), os.path.join(out, "unet.pth"))
    images = torch.rand(2, 3, 32, 32) * 2 - 1
    unet.train()
    for m in unet.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
    with torch.no_grad():
        translated = torch.cat([unet(images[i:i + 1]) for i in range(images.shape[0])])
    np.save(os.path.join(out, "unet_in.npy"), images.numpy())
    np.save(os.path.join(out, "unet_out.npy"), translated.numpy())

    netg = trained_like(DcganNetG(8, 4, 1), [torch.randn(16, 8, 1, 1) for _ in range(3)])
    torch.save(netg.state_dict(), os.path.join(out, "dcgan.pth"))
    z = torch.randn(5, 8)
    netg.eval()
    with torch.no_grad():
        samples = netg(z.view(5, 8, 1, 1))
    np.save(os.path.join(out, "dcgan_z.npy"), z.numpy())
    np.save(os.path.join(out, "dcgan_out.npy"), samples.numpy())


if __name__ == "__main__":
    main()
