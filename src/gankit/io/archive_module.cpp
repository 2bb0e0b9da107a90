#include "gankit/io/archive_module.h"

namespace gankit::io {

namespace {

// Access to a private member the standard way: an explicit instantiation may name it, and the
// instantiated template hands the member pointer to a friend function.
template <typename Tag, typename Tag::Pointer Member>
struct Expose {
  friend typename Tag::Pointer member(Tag) { return Member; }
};

struct OutputModule {
  using Pointer = torch::jit::Module torch::serialize::OutputArchive::*;
  friend Pointer member(OutputModule);
};
struct InputModule {
  using Pointer = torch::jit::Module torch::serialize::InputArchive::*;
  friend Pointer member(InputModule);
};

template struct Expose<OutputModule, &torch::serialize::OutputArchive::module_>;
template struct Expose<InputModule, &torch::serialize::InputArchive::module_>;

}  // namespace

const torch::jit::Module& module_of(const torch::serialize::OutputArchive& archive) {
  return archive.*member(OutputModule{});
}

void read_from(torch::serialize::InputArchive& archive, const torch::jit::Module& module) {
  archive.*member(InputModule{}) = module;
}

}  // namespace gankit::io
