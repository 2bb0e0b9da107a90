// Each rank's shard of a data-parallel run: disjoint rows of the global batch that one process
// with the whole batch would read, random crops and flips included.
#include <gtest/gtest.h>

#include "gankit/data/loader.h"
#include "gankit/error.h"

namespace gankit::data {
namespace {

DataOptions fashion_test_split_with_augmentation() {
  DataOptions data;  // fashion-mnist from Debian's dataset-fashion-mnist
  data.split = "test";
  data.image_size = 16;
  data.load_size = 20;  // random 16x16 crops of 20x20
  data.hflip = true;
  return data;
}

TEST(ShardedLoader, RanksReadTheRowsOfTheGlobalBatchIncludingAugmentation) {
  const auto data = fashion_test_split_with_augmentation();
  auto whole = make_loader(data, {8, 5});
  auto rank0 = make_loader(data, {4, 5, 0, 2});
  auto rank1 = make_loader(data, {4, 5, 1, 2});
  EXPECT_EQ(rank0->batches_per_epoch(), whole->batches_per_epoch());  // 10000 / 8
  EXPECT_EQ(rank0->batches_per_epoch(), 1250);
  // Across an epoch boundary: the new epoch's permutation is the same on every rank.
  for (auto* loader : {whole.get(), rank0.get(), rank1.get()}) loader->seek(1248);
  for (int k = 0; k < 4; ++k) {
    const auto all = whole->next();
    const auto a = rank0->next(), b = rank1->next();
    ASSERT_EQ(a.images.sizes(), (std::vector<int64_t>{4, 1, 16, 16}));
    EXPECT_TRUE(torch::equal(torch::cat({a.images, b.images}), all.images)) << "batch " << 1248 + k;
    EXPECT_TRUE(torch::equal(torch::cat({a.labels, b.labels}), all.labels));
  }
  EXPECT_EQ(rank1->position(), 1252);
}

TEST(ShardedLoader, ShardsAreDisjointAndCoverTheEpoch) {
  DataOptions data;
  data.split = "test";
  // Labels identify nothing, so compare images: an epoch of 3 ranks x 10 covers 9990 distinct rows.
  std::vector<torch::Tensor> seen;
  for (int64_t rank = 0; rank < 3; ++rank) {
    auto loader = make_loader(data, {10, 1, rank, 3});
    ASSERT_EQ(loader->batches_per_epoch(), 333);
    for (int64_t k = 0; k < loader->batches_per_epoch(); ++k) seen.push_back(loader->next().images);
  }
  const auto images = torch::cat(seen).flatten(1);  // [9990, 784]
  ASSERT_EQ(images.size(0), 9990);
  // Distinct rows: Fashion-MNIST's test split has no exact duplicates among 9990 random picks,
  // so a repeated row would mean two ranks read the same image.
  const auto keys = (images.to(torch::kDouble) * torch::arange(1, images.size(1) + 1, torch::kDouble)).sum(1);
  EXPECT_EQ(std::get<0>(at::_unique(keys)).size(0), 9990);
}

TEST(ShardedLoader, RefusesAPositionOutsideTheGroupAndTooSmallAData) {
  DataOptions data;
  data.split = "test";
  EXPECT_THROW(make_loader(data, {4, 0, 2, 2}), Error);
  EXPECT_THROW(make_loader(data, {4, 0, -1, 2}), Error);
  try {
    make_loader(data, {4000, 0, 0, 3});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("10000 images, fewer than one global batch of 12000 (3 processes x 4000)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace gankit::data
