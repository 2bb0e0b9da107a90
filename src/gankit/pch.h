// Precompiled header: the expensive LibTorch umbrella header, compiled once for every target.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>
