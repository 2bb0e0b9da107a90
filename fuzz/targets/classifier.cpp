// Classifier files (eval --features classifier:FILE, classifier eval):
// models::load_domain_classifier, which rebuilds the network from the options stored in the file
// and loads its weights. Zip CRCs are recomputed first (zip_fixup.h).
// fuzz-instrument: src/gankit/models/domain_classifier_file.cpp
// fuzz-max-len: 65536
#include "../fuzz_target.h"
#include "../zip_fixup.h"

#include "gankit/error.h"
#include "gankit/models/domain_classifier_file.h"

GANKIT_FUZZ_TARGET(classifier) {
  static gankit::fuzz::ScratchFile file("classifier.pt");
  const std::string bytes = gankit::fuzz::fix_zip_crcs(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const auto loaded = gankit::models::load_domain_classifier(
        file.write(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  } catch (const gankit::Error&) {
  }
}
