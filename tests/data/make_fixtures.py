#!/usr/bin/python3
"""Reference numbers for the spectral norm, self-attention, DiffAugment and gradient penalty tests.

Computed with Debian's PyTorch 1.13 (python3-torch); every tensor is saved as float32 .npy under
tests/data/{spectral_norm,self_attention,diff_augment,penalty}/ and read back by the C++ tests. Re-run after
changing a case:  /usr/bin/python3 tests/data/make_fixtures.py
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.spectral_norm import SpectralNorm

HERE = os.path.dirname(os.path.abspath(__file__))


def save(folder, name, tensor):
    path = os.path.join(HERE, folder)
    os.makedirs(path, exist_ok=True)
    array = np.ascontiguousarray(np.atleast_1d(tensor.detach().cpu().numpy().astype(np.float32)))
    np.save(os.path.join(path, name + ".npy"), array)


def sn_hook(module):
    return next(h for h in module._forward_pre_hooks.values() if isinstance(h, SpectralNorm))


def spectral_norm_case(name, layer, x, n_power_iterations=1):
    """Initial state, three training forwards (output and sigma each), then one eval forward."""
    layer = nn.utils.spectral_norm(layer, n_power_iterations=n_power_iterations)
    hook = sn_hook(layer)
    folder = os.path.join("spectral_norm", name)
    save(folder, "weight", layer.weight_orig)
    save(folder, "bias", layer.bias)
    save(folder, "u", layer.weight_u)
    save(folder, "v", layer.weight_v)
    save(folder, "input", x)
    layer.train()
    outputs, sigmas = [], []
    for _ in range(3):
        outputs.append(layer(x))
        mat = hook.reshape_weight_to_matrix(layer.weight_orig)
        sigmas.append(torch.dot(layer.weight_u, torch.mv(mat, layer.weight_v)))
    save(folder, "train_outputs", torch.stack(outputs))
    save(folder, "train_sigmas", torch.stack(sigmas))
    save(folder, "u_final", layer.weight_u)
    save(folder, "v_final", layer.weight_v)
    u_final = layer.weight_u.clone()
    layer.eval()
    save(folder, "eval_output", layer(x))
    assert torch.equal(layer.weight_u, u_final)  # eval forwards do not iterate


def make_spectral_norm():
    torch.manual_seed(1)
    spectral_norm_case("linear", nn.Linear(5, 4), torch.randn(2, 5))
    torch.manual_seed(2)
    spectral_norm_case("linear_pi2", nn.Linear(5, 4), torch.randn(2, 5), n_power_iterations=2)
    torch.manual_seed(3)
    spectral_norm_case("conv2d", nn.Conv2d(3, 4, 3), torch.randn(2, 3, 5, 5))
    torch.manual_seed(4)
    spectral_norm_case("conv_transpose2d", nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1), torch.randn(2, 4, 3, 3))


class SaganSelfAttention(nn.Module):
    """SAGAN's block (Zhang et al. 2019), as in heykeetae/Self-Attention-GAN's Self_Attn."""

    def __init__(self, channels, sn):
        super().__init__()
        wrap = nn.utils.spectral_norm if sn else (lambda m: m)
        self.query = wrap(nn.Conv2d(channels, max(channels // 8, 1), 1))
        self.key = wrap(nn.Conv2d(channels, max(channels // 8, 1), 1))
        self.value = wrap(nn.Conv2d(channels, channels, 1))
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        q = self.query(x).view(n, -1, h * w).permute(0, 2, 1)  # [N, HW, C/8]
        k = self.key(x).view(n, -1, h * w)  # [N, C/8, HW]
        attention = F.softmax(torch.bmm(q, k), dim=-1)  # [N, HW, HW]
        v = self.value(x).view(n, -1, h * w)  # [N, C, HW]
        out = torch.bmm(v, attention.permute(0, 2, 1)).view(n, c, h, w)
        return self.gamma * out + x


def make_self_attention():
    for name, sn in (("plain", False), ("sn_eval", True)):
        torch.manual_seed(10 if sn else 11)
        block = SaganSelfAttention(16, sn)
        with torch.no_grad():
            block.gamma.fill_(0.7)
        x = torch.randn(2, 16, 3, 4)
        if sn:
            block.train()
            block(torch.randn(2, 16, 3, 4))  # one power iteration, so u and v are not the initial draws
            block.eval()
        folder = os.path.join("self_attention", name)
        for conv in ("query", "key", "value"):
            module = getattr(block, conv)
            save(folder, conv + "_weight", module.weight_orig if sn else module.weight)
            save(folder, conv + "_bias", module.bias)
            if sn:
                save(folder, conv + "_u", module.weight_u)
                save(folder, conv + "_v", module.weight_v)
        save(folder, "gamma", block.gamma)
        save(folder, "input", x)
        save(folder, "output", block(x))


def per_image_uniform(x):
    return torch.rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device)


def diff_augment_reference(x):
    """color, translation, cutout as in mit-han-lab/data-efficient-gans DiffAugment_pytorch.py
    (ratios 1/8 and 1/2), drawing in the same order."""
    n, _, h, w = x.shape
    x = x + (per_image_uniform(x) - 0.5)  # brightness
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (per_image_uniform(x) * 2) + mean  # saturation
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    x = (x - mean) * (per_image_uniform(x) + 0.5) + mean  # contrast

    shift_h, shift_w = int(h * 0.125 + 0.5), int(w * 0.125 + 0.5)
    dx = torch.randint(-shift_h, shift_h + 1, size=[n, 1, 1])
    dy = torch.randint(-shift_w, shift_w + 1, size=[n, 1, 1])
    batch, rows, cols = torch.meshgrid(torch.arange(n), torch.arange(h), torch.arange(w), indexing="ij")
    rows = torch.clamp(rows + dx + 1, 0, h + 1)
    cols = torch.clamp(cols + dy + 1, 0, w + 1)
    x = F.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)

    size_h, size_w = int(h * 0.5 + 0.5), int(w * 0.5 + 0.5)
    offset_h = torch.randint(0, h + (1 - size_h % 2), size=[n, 1, 1])
    offset_w = torch.randint(0, w + (1 - size_w % 2), size=[n, 1, 1])
    batch, rows, cols = torch.meshgrid(torch.arange(n), torch.arange(size_h), torch.arange(size_w), indexing="ij")
    rows = torch.clamp(rows + offset_h - size_h // 2, min=0, max=h - 1)
    cols = torch.clamp(cols + offset_w - size_w // 2, min=0, max=w - 1)
    mask = torch.ones(n, h, w, dtype=x.dtype)
    mask[batch, rows, cols] = 0
    return x * mask.unsqueeze(1)


def make_diff_augment():
    torch.manual_seed(30)
    x = torch.rand(4, 3, 9, 7) * 2 - 1
    torch.manual_seed(31)
    save("diff_augment", "input", x)
    save("diff_augment", "output_seed31", diff_augment_reference(x))


class TinyCritic(nn.Module):
    """[N,1,6,6] -> [N]; tanh so the input gradient depends non-linearly on the parameters."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.linear = nn.Linear(2 * 4 * 4, 1)

    def forward(self, x):
        return self.linear(torch.tanh(self.conv(x)).flatten(1)).squeeze(1)


def save_parameter_grads(folder, prefix, module, value):
    """d value / d parameter for each parameter; zeros for unused ones (the last bias, for these)."""
    params = dict(module.named_parameters())
    grads = torch.autograd.grad(value, list(params.values()), allow_unused=True)
    for (key, param), grad in zip(params.items(), grads):
        save(folder, prefix + "_grad_" + key.replace(".", "_"), torch.zeros_like(param) if grad is None else grad)


def make_penalty():
    torch.manual_seed(20)
    critic = TinyCritic()
    real = torch.randn(4, 1, 6, 6)
    fake = torch.randn(4, 1, 6, 6)
    epsilon = torch.rand(4)
    folder = "penalty"
    for key, tensor in critic.state_dict().items():
        save(folder, key.replace(".", "_"), tensor)
    save(folder, "real", real)
    save(folder, "fake", fake)
    save(folder, "epsilon", epsilon)

    # WGAN-GP: x̂ = εx + (1-ε)G(z), a fresh leaf; E[(‖∇D(x̂)‖₂ - 1)²], the gradient kept in the graph.
    x_hat = (epsilon.view(-1, 1, 1, 1) * real + (1 - epsilon.view(-1, 1, 1, 1)) * fake).requires_grad_(True)
    grad = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)[0]
    gp = ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
    save(folder, "gp", gp)
    save_parameter_grads(folder, "gp", critic, gp)

    # R1: E[‖∇D(x)‖₂²] on real images.
    x = real.detach().requires_grad_(True)
    grad = torch.autograd.grad(critic(x).sum(), x, create_graph=True)[0]
    r1 = grad.pow(2).flatten(1).sum(1).mean()
    save(folder, "r1", r1)
    save_parameter_grads(folder, "r1", critic, r1)


if __name__ == "__main__":
    torch.set_num_threads(1)
    make_spectral_norm()
    make_self_attention()
    make_diff_augment()
    make_penalty()
