// PyTorch .pth state_dicts (--features inception:FILE, reference weights): io::decode_state_dict,
// both containers (zip and the legacy pickle stream) and gankit's own unpickler. Zip CRCs are
// recomputed first (zip_fixup.h); legacy files have none.
// fuzz-instrument: src/gankit/io/torch_state_dict.cpp
// fuzz-max-len: 16384
#include "../fuzz_target.h"
#include "../zip_fixup.h"

#include <cstdlib>

#include "gankit/error.h"
#include "gankit/io/torch_state_dict.h"

GANKIT_FUZZ_TARGET(state_dict) {
  const std::string bytes = gankit::fuzz::fix_zip_crcs(std::string(reinterpret_cast<const char*>(data), size));
  try {
    for (const auto& [key, tensor] : gankit::io::decode_state_dict(bytes, "fuzz.pth")) {
      if (!tensor.is_contiguous() || !tensor.device().is_cpu()) std::abort();
    }
  } catch (const gankit::Error&) {
  }
}
