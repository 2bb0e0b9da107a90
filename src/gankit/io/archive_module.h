// The TorchScript module inside torch::serialize archives. OutputArchive builds one in memory and
// InputArchive reads from one, but LibTorch offers no way between them except serialising the
// module to a TorchScript zip and parsing it back: two passes over every byte, LibTorch's pickler,
// code printer, unpickler and TorchScript compiler. gankit hands the module over directly. The
// one place that knows LibTorch's private member (`module_`, in 1.13 and 2.x alike): a rename there
// fails to compile here, never silently.
#pragma once
#include <torch/torch.h>

namespace gankit::io {

/// The module `archive` has built (what save_to would serialise).
const torch::jit::Module& module_of(const torch::serialize::OutputArchive& archive);

/// Makes `archive` read from `module`, as load_from does once it has parsed a file.
void read_from(torch::serialize::InputArchive& archive, const torch::jit::Module& module);

}  // namespace gankit::io
