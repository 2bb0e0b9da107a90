// Images from a noise-to-image generator, as sampling and evaluation draw them.
#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "gankit/models/networks.h"

namespace gankit::models {

/// G in eval mode without gradients, `batch_size` images at a time, on G's device: z [N,Z] and
/// labels [N] (undefined for unconditional G) -> uint8 [N,C,H,W] on the CPU. G's mode is restored.
torch::Tensor generate_images(Generator& generator, const torch::Tensor& z, const torch::Tensor& labels,
                              int64_t batch_size);

}  // namespace gankit::models
