// Training domain classifiers on real data: Fashion-MNIST's 10,000 test images (Debian's
// dataset-fashion-mnist) as an IDX set whose last 2,000 are held out, at 16x16 with a narrow
// net, so each test takes seconds.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "gankit/data/loader.h"
#include "gankit/data/registry.h"
#include "gankit/data/transforms.h"
#include "gankit/io/image.h"
#include "gankit/train/classifier_training.h"
#include "support/data_fixtures.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::fails_with;
using gankit::test::TempDir;
using namespace gankit;

/// Fashion-MNIST's test images, read as one IDX file with the last 2,000 held out.
data::DataOptions fashion_idx() {
  data::DataOptions fashion;
  fashion.name = "fashion-mnist";
  data::DataOptions data;
  data.name = "idx";
  data.path = (fs::path(data::default_data_path(fashion)) / "t10k-images-idx3-ubyte").string();
  data.holdout = 2000;
  data.image_size = 16;
  return data;
}

train::ClassifierTrainingOptions small_training(int64_t steps, int64_t seed = 0) {
  train::ClassifierTrainingOptions options;
  options.data = fashion_idx();
  options.steps = steps;
  options.seed = seed;
  options.batch_size = 64;
  options.width = 8;
  options.feature_dim = 32;
  options.threads = 1;
  return options;
}

TEST(ClassifierTraining, AShortRunOnFashionMnistClearlyBeatsChance) {
  auto options = small_training(150);
  std::ostringstream log;
  options.log = &log;
  options.log_every = 50;
  const auto result = train::train_classifier(options);
  const auto& info = result.info;
  EXPECT_GT(info.test_accuracy, 0.6);  // chance is 0.1
  EXPECT_EQ(info.test_images, 2000);
  EXPECT_EQ(info.steps, 150);
  EXPECT_EQ(info.shape.channels, 1);
  EXPECT_EQ(info.shape.image_size, 16);
  EXPECT_EQ(info.shape.num_classes, 10);
  EXPECT_EQ(info.data.name, "idx");
  EXPECT_EQ(info.data.holdout, 2000);
  EXPECT_FALSE(result.net->is_training());
  const std::string text = log.str();
  EXPECT_NE(text.find("8000 images"), std::string::npos) << text;  // the training part only
  EXPECT_NE(text.find("step 50/150"), std::string::npos) << text;
  EXPECT_NE(text.find("step 150/150"), std::string::npos) << text;
  EXPECT_NE(text.find("test accuracy"), std::string::npos) << text;

  // The accuracy it reports is the one evaluate_classifier measures on the held-out images.
  auto net = result.net;
  const auto held_out = data::load_held_out(info.data);
  ASSERT_EQ(held_out.images.size(0), 2000);
  EXPECT_DOUBLE_EQ(train::evaluate_classifier(net, held_out).accuracy, info.test_accuracy);
}

TEST(ClassifierTraining, TheSameSeedGivesTheSameWeights) {
  const auto a = train::train_classifier(small_training(12, 5));
  const auto b = train::train_classifier(small_training(12, 5));
  const auto c = train::train_classifier(small_training(12, 6));
  const auto pa = a.net->named_parameters(), pb = b.net->named_parameters(), pc = c.net->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  bool any_differs = false;
  for (const auto& item : pa) {
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
    any_differs = any_differs || !torch::equal(item.value(), pc[item.key()]);
  }
  for (const auto& item : a.net->named_buffers()) {
    EXPECT_TRUE(torch::equal(item.value(), b.net->named_buffers()[item.key()])) << item.key();
  }
  EXPECT_TRUE(any_differs);
  TempDir dir;  // and the same file, byte for byte
  models::save_domain_classifier(dir / "a.pt", a.net, a.info);
  models::save_domain_classifier(dir / "b.pt", b.net, b.info);
  EXPECT_EQ(gankit::test::slurp(dir / "a.pt"), gankit::test::slurp(dir / "b.pt"));
}

TEST(ClassifierTraining, EvaluateCountsArgMaxAgainstLabels) {
  torch::manual_seed(0);
  models::DomainClassifier net(models::DomainClassifierOptions(1, 16, 4).width(4).feature_dim(8));
  net->train();
  data::ImageSet set;
  set.images = torch::randint(0, 256, {30, 1, 16, 16}, torch::kUInt8);
  set.num_classes = 4;
  torch::Tensor predicted;
  {
    net->eval();
    torch::NoGradGuard no_grad;
    predicted = net->forward(data::to_unit_range(set.images)).argmax(1);
    net->train();
  }
  // The first 21 labels agree with the net, the other 9 do not.
  set.labels = torch::cat({predicted.slice(0, 0, 21), (predicted.slice(0, 21) + 1) % 4});
  const auto accuracy = train::evaluate_classifier(net, set, /*batch_size=*/7);
  EXPECT_EQ(accuracy.n, 30);
  EXPECT_DOUBLE_EQ(accuracy.accuracy, 21.0 / 30.0);
  EXPECT_TRUE(net->is_training());  // its mode is restored
}

TEST(ClassifierTraining, UnlabelledOrUnknownDataIsAnError) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    gankit::io::write_png(dir / fmt::format("flat/img{}.png", i),
                          torch::full({3, 16, 16}, 40 * i, torch::kUInt8));
  }
  auto options = small_training(2);
  options.data = data::DataOptions();
  options.data.name = "image-folder";
  options.data.path = (dir / "flat").string();
  options.data.image_size = 16;
  options.batch_size = 2;
  EXPECT_TRUE(fails_with([&] { train::train_classifier(options); },
                         {"flat: has no labels; a classifier needs labelled images", "own sub-folder"}));
  options.data.name = "imagenet";
  EXPECT_TRUE(fails_with([&] { train::train_classifier(options); }, {"'imagenet': unknown data set"}));
  options.data = fashion_idx();
  options.data.image_size = 20;
  EXPECT_TRUE(
      fails_with([&] { train::train_classifier(options); }, {"data.image_size = 20", "multiple of 8"}));
}

TEST(ClassifierTraining, AClassFolderWithoutASplitIsNotEvaluatedOnItsTrainingImages) {
  TempDir dir;
  gankit::test::write_png_classes(dir / "classes", 24, 3, 16);
  auto options = small_training(3);
  options.data = data::DataOptions();
  options.data.name = "image-folder";
  options.data.path = (dir / "classes").string();
  options.data.image_size = 16;
  options.batch_size = 8;
  EXPECT_FALSE(data::load_held_out(options.data).images.defined());
  const auto unmeasured = train::train_classifier(options);
  EXPECT_EQ(unmeasured.info.shape.channels, 3);
  EXPECT_EQ(unmeasured.info.shape.num_classes, 3);
  EXPECT_TRUE(std::isnan(unmeasured.info.test_accuracy));
  EXPECT_EQ(unmeasured.info.test_images, 0);

  options.data.holdout = 6;  // now the last 6 files are held out
  const auto measured = train::train_classifier(options);
  EXPECT_EQ(measured.info.test_images, 6);
  EXPECT_FALSE(std::isnan(measured.info.test_accuracy));
}

}  // namespace
