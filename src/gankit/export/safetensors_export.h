// A generator's weights as safetensors: portable_state_dict (spectral norm folded), named as the
// modules of python/gankit_models.py so `model.load_state_dict(...)` takes them as they are, and
// describe()'s entries as __metadata__, from which gankit_models.load() builds the network.
#pragma once
#include <filesystem>

#include "gankit/export/exported_generator.h"

namespace gankit::exporter {

/// Writes the file atomically (io/tensor_file.h: safetensors with gankit's checksum in __metadata__).
void write_safetensors(const std::filesystem::path& path, const ExportedGenerator& generator);

}  // namespace gankit::exporter
