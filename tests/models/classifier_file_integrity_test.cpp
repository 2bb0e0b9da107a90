// Classifier files are checksummed: a damaged one is one line naming it, never a classifier with
// changed weights; options that would need more weights than the file holds are refused before
// any network is built.
#include <gtest/gtest.h>

#include "gankit/io/archive_file.h"
#include "gankit/models/domain_classifier_file.h"
#include "support/test_support.h"
#include "support/torch_zip.h"

namespace {

using gankit::test::fails_with;
using gankit::test::TempDir;
using namespace gankit::models;

DomainClassifier small_classifier() {
  torch::manual_seed(4);
  return DomainClassifier(DomainClassifierOptions(1, 16, 4).width(4).feature_dim(8));
}

TEST(ClassifierFileIntegrity, AFlippedBitIsOneLineNamingTheFile) {
  TempDir dir;
  save_domain_classifier(dir / "c.pt", small_classifier(), {});
  auto bytes = gankit::test::slurp(dir / "c.pt");
  bytes[bytes.size() - 12] ^= 0x02;
  gankit::test::write_file(dir / "flipped.pt", bytes);
  EXPECT_TRUE(fails_with([&] { load_domain_classifier(dir / "flipped.pt"); },
                         {"flipped.pt: damaged classifier file (checksum mismatch"}));
}

TEST(ClassifierFileIntegrity, OptionsNeedingMoreWeightsThanTheFileHoldsAreRefused) {
  TempDir dir;
  save_domain_classifier(dir / "c.pt", small_classifier(), {});
  auto tree = gankit::io::read_archive_file(dir / "c.pt");
  for (auto& entry : tree.entries) {
    if (entry.key == "width") entry.value = int64_t{1} << 20;  // a network of terabytes
  }
  gankit::io::write_archive_file(dir / "huge.pt", tree);
  EXPECT_TRUE(fails_with([&] { load_domain_classifier(dir / "huge.pt"); },
                         {"huge.pt: not a gankit classifier file (its options need at least"}));
}

TEST(ClassifierFileIntegrity, ClassifierFilesOfEarlierVersionsStillLoad) {
  // What gankit wrote before tensor files: the same archive, saved by LibTorch as a zip.
  TempDir dir;
  auto net = small_classifier();
  save_domain_classifier(dir / "new.pt", net, {});
  auto tree = gankit::io::read_archive_file(dir / "new.pt");
  torch::serialize::OutputArchive archive;
  gankit::io::write_tree(tree, archive);
  archive.save_to((dir / "old.pt").string());
  auto loaded = load_domain_classifier(dir / "old.pt");
  const auto x = torch::rand({2, 1, 16, 16});
  net->eval();
  EXPECT_TRUE(torch::equal(loaded.net->forward(x), net->forward(x)));
}

}  // namespace
