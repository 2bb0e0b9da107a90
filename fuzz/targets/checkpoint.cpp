// GAN checkpoints (checkpoints/latest.pt, sample/eval/translate/inpaint/info/export/--resume):
// checkpoint::open_checkpoint_bytes, the public entry point (the format is LibTorch's zip archive;
// the stored config goes through Config::from_toml). Zip CRCs are recomputed first (zip_fixup.h).
// fuzz-instrument: src/gankit/checkpoint/checkpoint.cpp fuzz/toml_impl.cpp
// fuzz-max-len: 16384
#include "../fuzz_target.h"
#include "../zip_fixup.h"

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/error.h"

GANKIT_FUZZ_TARGET(checkpoint) {
  const std::string bytes = gankit::fuzz::fix_zip_crcs(std::string(reinterpret_cast<const char*>(data), size));
  try {
    auto opened = gankit::checkpoint::open_checkpoint_bytes(bytes, "fuzz.pt");
    (void)opened.header.config.to_toml();
  } catch (const gankit::Error&) {
  }
}
