#!/usr/bin/python3
"""Small .pth files for the state_dict reader's tests (tests/io/torch_state_dict_test.cpp).

Each case is written by torch.save itself, in the zip format (torch >= 1.6's default, "_zip") and
where it matters in the legacy format (_use_new_zipfile_serialization=False, "_legacy"). Tensor
values follow simple formulas (arange & co.) that the C++ test computes again, so no expected
values are stored. Files that the reader must refuse are here too. Needs Debian's python3-torch.
Re-run after changing a case (the legacy files' storage keys are memory addresses, so their bytes
change on every run):
  /usr/bin/python3 tests/data/make_state_dict_fixtures.py
"""
import collections
import os
import pickle
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "state_dict")


def save(obj, name, legacy=False, **kwargs):
    os.makedirs(FOLDER, exist_ok=True)
    path = os.path.join(FOLDER, name + ".pth")
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy, **kwargs)


def module_state_dict():
    """A real module's state_dict: an OrderedDict with _metadata, parameters and buffers."""
    module = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    with torch.no_grad():
        module[0].weight.copy_(torch.arange(18, dtype=torch.float32).view(2, 1, 3, 3) / 10)
        module[0].bias.copy_(torch.tensor([0.5, -0.5]))
        module[1].weight.copy_(torch.tensor([1.5, 2.5]))
        module[1].bias.copy_(torch.tensor([-1.0, 1.0]))
        module[1].running_mean.copy_(torch.tensor([0.25, 0.75]))
        module[1].running_var.copy_(torch.tensor([2.0, 3.0]))
        module[1].num_batches_tracked.fill_(7)
    state = module.state_dict()
    assert isinstance(state, collections.OrderedDict) and hasattr(state, "_metadata")
    return state


def dtypes():
    return collections.OrderedDict([
        ("f32", torch.arange(6, dtype=torch.float32).view(2, 3) * 0.5 - 1),
        ("f64", torch.arange(4, dtype=torch.float64) / 3),
        ("f16", torch.arange(5, dtype=torch.float16) * 0.25),
        ("bf16", torch.arange(3, dtype=torch.bfloat16) + 0.5),
        ("i64", torch.tensor([-3, 0, 2**40], dtype=torch.int64)),
        ("i32", torch.tensor([-7, 7], dtype=torch.int32)),
        ("u8", torch.tensor([0, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
        ("scalar", torch.tensor(2.5)),
        ("empty", torch.zeros(0, 4)),
    ])


def views():
    """Tensors that share one storage at offsets and with strides, and a stride-0 expansion."""
    base = torch.arange(24, dtype=torch.float32).view(4, 6)
    state = collections.OrderedDict([
        ("transposed", base.t()),                   # strides (1, 6)
        ("row", base[2]),                           # offset 12
        ("columns", base[:, 1::2]),                 # offset 1, strides (6, 2)
        ("base", base),
        ("expanded", torch.arange(3, dtype=torch.float32).view(3, 1).expand(3, 4)),  # strides (1, 0)
    ])
    assert not state["transposed"].is_contiguous() and state["row"].storage_offset() == 12
    return state


def rewrite_zip(source, name, drop=(), add=()):
    """A copy of the zip fixture `source` without the records ending in `drop`, with `add` records."""
    with zipfile.ZipFile(os.path.join(FOLDER, source + ".pth")) as old, \
            zipfile.ZipFile(os.path.join(FOLDER, name + ".pth"), "w", zipfile.ZIP_STORED) as new:
        prefix = old.namelist()[0].split("/")[0]
        for info in old.infolist():
            if not info.filename.endswith(tuple(drop)):
                new.writestr(info.filename.replace(prefix, name, 1), old.read(info.filename))
        for record, data in add:
            new.writestr(name + "/" + record, data)


def main():
    for legacy, suffix in ((False, "_zip"), (True, "_legacy")):
        save(module_state_dict(), "module" + suffix, legacy)
        save(dtypes(), "dtypes" + suffix, legacy)
        save(views(), "views" + suffix, legacy)
        save({"zeta": torch.tensor([1.0]), "alpha": torch.tensor([2.0, 3.0])}, "plain_dict" + suffix, legacy)
        save(torch.nn.ReLU().state_dict(), "empty" + suffix, legacy)  # an empty OrderedDict
        # Not state_dicts: a whole pickled module (torch.save(model)), a list, a checkpoint that
        # nests the state_dict.
        save(torch.nn.Linear(2, 2), "whole_module" + suffix, legacy)
    save(dtypes(), "protocol4_zip", pickle_protocol=4)  # FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE
    save([torch.tensor([1.0])], "list_zip")
    save({"model": module_state_dict(), "step": 3}, "checkpoint_zip")
    # A Python pickle of tensors without torch.save (no magic number).
    with open(os.path.join(FOLDER, "plain_pickle.pth"), "wb") as f:
        pickle.dump({"a": torch.tensor([1.0])}, f, protocol=2)
    # Broken archives: a storage record missing; a byteorder record (torch >= 2.1 writes one) saying big.
    rewrite_zip("module_zip", "missing_storage_zip", drop=("/data/1",))
    rewrite_zip("module_zip", "big_endian_zip", add=(("byteorder", b"big"),))
    rewrite_zip("module_zip", "little_endian_zip", add=(("byteorder", b"little"),))
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(FOLDER, "torchscript.pth"))


if __name__ == "__main__":
    main()
