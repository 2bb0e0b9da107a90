// A generator as TorchScript, built in C++: a torch::jit::Module with the weights registered as
// parameters (running statistics as buffers) and `forward` defined in TorchScript source, written
// by the same layer walk as ONNX (generator_writer.h). Python loads it with torch.jit.load(f) and
// calls G(z), G(z, labels), G(image) or G(image, mask).
#pragma once
#include <filesystem>
#include <string>

#include "gankit/export/exported_generator.h"

namespace gankit::exporter {

/// The TorchScript source of `generator`'s forward (for errors and tests).
std::string torchscript_source(const ExportedGenerator& generator);

/// Writes the module atomically, describe()'s entries as the extra file "gankit.json".
void write_torchscript(const std::filesystem::path& path, const ExportedGenerator& generator);

}  // namespace gankit::exporter
