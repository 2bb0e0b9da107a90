// .npy bytes (samples, labels, eval inputs): io::decode_npy.
// fuzz-instrument: src/gankit/io/npy.cpp
// fuzz-max-len: 4096
#include "../fuzz_target.h"

#include <cstdlib>

#include "gankit/error.h"
#include "gankit/io/npy.h"

GANKIT_FUZZ_TARGET(npy) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto tensor = gankit::io::decode_npy(bytes, "fuzz.npy");
    // What it decoded is exactly the file's data: nothing read past the end, nothing left over.
    if (static_cast<size_t>(tensor.nbytes()) > size) std::abort();
  } catch (const gankit::Error&) {
  }
}
