// Going the other way: a generator trained in PyTorch becomes a gankit checkpoint that `translate`,
// `sample` and `eval` accept. Two state_dicts are understood, read with io/torch_state_dict.h (no
// Python): pytorch-CycleGAN-and-pix2pix's U-Net (latest_net_G.pth: BatchNorm, `model.model...`
// names) and a DCGAN generator of gankit's architecture (pytorch/examples' netG, `main.N...`, or
// gankit's own `body.N...`).
#pragma once
#include <filesystem>

#include "gankit/checkpoint/checkpoint.h"

namespace gankit::exporter {

/// Reads `pth`, recognises its architecture and sizes from the tensors, and saves a checkpoint to
/// `out` (its header is returned). A file of another architecture, or one whose tensors do not fit,
/// is a gankit::Error naming the file and the first tensor that does not.
checkpoint::CheckpointHeader import_pytorch_generator(const std::filesystem::path& pth,
                                                      const std::filesystem::path& out);

}  // namespace gankit::exporter
