// Reference weight initialisations, applied to every layer of a module tree.
#pragma once
#include <torch/torch.h>

namespace gankit::nn {

/// Radford et al. 2016: conv, transposed conv and linear weights ~ N(0, 0.02), biases 0;
/// BatchNorm weight ~ N(1, 0.02), bias 0.
void init_dcgan_(torch::nn::Module& module);

/// Keras' Dense/Conv default (glorot_uniform weights, zero biases), as in the Keras seeds.
void init_glorot_uniform_(torch::nn::Module& module);

}  // namespace gankit::nn
