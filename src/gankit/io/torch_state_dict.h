// PyTorch .pth state_dict files (torch.save(model.state_dict(), f)), read without Python.
//
// Two container formats:
//  - zip (torch >= 1.6's default): PREFIX/data.pkl holds the pickled dict, PREFIX/data/KEY each
//    storage's raw bytes;
//  - legacy (_use_new_zipfile_serialization=False, and every file from before torch 1.6):
//    consecutive pickles (magic number, protocol version 1001, sys_info, the dict, the list of
//    storage keys), then for each key an int64 element count and the raw bytes.
// In both, the dict is a plain dict or a collections.OrderedDict (its _metadata attribute is read
// and dropped), and each tensor is torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
// ...), possibly wrapped in _rebuild_parameter. The pickles are decoded by a small unpickler that
// knows the opcodes of protocols 2 to 4 that these files use and builds nothing but plain values,
// so a file cannot run code. Anything else (a whole pickled nn.Module, a training checkpoint that
// nests the state_dict, an unknown opcode) is a gankit::Error; so is truncated or corrupt input.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gankit::io {

/// A state_dict: names and tensors, in the file's order.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// Decodes the bytes of a .pth file holding a state_dict (either format). Each tensor comes back
/// contiguous, on the CPU, with its saved dtype (float32/64, float16, bfloat16, int8/16/32/64,
/// uint8, bool) and its own memory (views of one storage are copied apart). Errors are
/// gankit::Error "NAME: what is wrong" on one line.
NamedTensors decode_state_dict(const std::string& bytes, const std::string& name);

/// Reads a .pth state_dict file; see decode_state_dict.
NamedTensors read_state_dict(const std::filesystem::path& path);

}  // namespace gankit::io
