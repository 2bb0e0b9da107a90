"""Runs an exported generator in PyTorch on inputs read from .npy files and writes its output as a
float32 .npy: the tests' check that Python users get gankit's images.

    python3 run_pytorch.py safetensors|torchscript MODEL OUT.npy INPUT.npy...

A safetensors file is loaded into python/gankit_models.py's definition (its JSON header and raw
tensors parsed with numpy); a TorchScript file with torch.jit.load. Inputs go to G in order. G
runs twice, on the whole batch (OUT.npy) and on its first item alone (OUT.first.npy): batch 1 and
batch N from one start of Python.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import gankit_models  # noqa: E402


def main():
    kind, model_path, out, *inputs = sys.argv[1:]
    torch.set_num_threads(1)
    if kind == "safetensors":
        G = gankit_models.load(model_path).eval()
    else:
        G = torch.jit.load(model_path).eval()
    args = [torch.from_numpy(np.load(path)) for path in inputs]
    with torch.no_grad():
        images = G(*args)
        first = G(*[a[:1] for a in args])
    np.save(out, images.numpy().astype(np.float32))
    np.save(out[:-len(".npy")] + ".first.npy", first.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
