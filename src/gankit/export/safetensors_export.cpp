#include "gankit/export/safetensors_export.h"

#include "gankit/export/portable_weights.h"
#include "gankit/io/tensor_file.h"

namespace gankit::exporter {

void write_safetensors(const std::filesystem::path& path, const ExportedGenerator& generator) {
  io::TensorFile file;
  file.metadata = describe(generator);
  for (auto& [name, tensor] : portable_state_dict(*generator.module)) {
    file.tensors.emplace_back(name, tensor.detach().to(torch::kCPU).contiguous());
  }
  io::write_tensor_file(path, file);
}

}  // namespace gankit::exporter
