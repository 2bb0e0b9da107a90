// The domain classifier: shapes, its file (round trip, and one-line errors for every file that is
// not one).
#include <gtest/gtest.h>

#include <cmath>

#include "gankit/data/loader.h"
#include "gankit/data/transforms.h"
#include "gankit/models/domain_classifier.h"
#include "gankit/models/domain_classifier_file.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

namespace {

namespace fs = std::filesystem;
using gankit::test::fails_with;
using gankit::test::TempDir;
using namespace gankit::models;

/// A small classifier whose BatchNorm running statistics have moved away from their defaults, so a
/// file that dropped the buffers would not round-trip.
DomainClassifier trained_looking_classifier() {
  torch::manual_seed(3);
  DomainClassifier net(DomainClassifierOptions(3, 16, 5).width(8).feature_dim(16).dropout(0.25));
  net->train();
  torch::NoGradGuard no_grad;
  for (int i = 0; i < 3; ++i) net->forward(torch::rand({8, 3, 16, 16}) * 2 - 1);
  net->eval();
  return net;
}

DomainClassifierInfo some_info() {
  DomainClassifierInfo info;
  info.data.name = "cifar10";
  info.data.path = "/somewhere/cifar10-jpeg";
  info.data.image_size = 16;
  info.data.channels = 3;
  info.data.fit = "center-crop";
  info.data.holdout = 0;
  info.test_accuracy = 0.625;
  info.test_images = 80;
  info.steps = 12;
  info.seed = 7;
  return info;
}

TEST(DomainClassifier, FeaturesAndLogitsHaveTheirShapes) {
  DomainClassifier gray(DomainClassifierOptions(1, 32, 10));
  gray->eval();
  const auto x = torch::rand({4, 1, 32, 32}) * 2 - 1;
  EXPECT_EQ(gray->features(x).sizes(), (std::vector<int64_t>{4, 128}));
  EXPECT_EQ(gray->forward(x).sizes(), (std::vector<int64_t>{4, 10}));

  DomainClassifier rgb(DomainClassifierOptions(3, 64, 7).width(8).feature_dim(24).stages(4));
  rgb->eval();
  const auto y = torch::rand({2, 3, 64, 64}) * 2 - 1;
  const auto features = rgb->features(y);
  ASSERT_EQ(features.sizes(), (std::vector<int64_t>{2, 24}));
  EXPECT_GE(features.min().item<float>(), 0.0f);  // after ReLU
  EXPECT_TRUE(torch::allclose(rgb->forward(y), rgb->classify(features)));
  EXPECT_EQ(rgb->forward(y).sizes(), (std::vector<int64_t>{2, 7}));
}

TEST(DomainClassifier, RejectsSizesItWasNotBuiltFor) {
  EXPECT_THROW(DomainClassifier(DomainClassifierOptions(1, 28, 10)),
               c10::Error);                                                       // 28 is not a multiple of 8
  EXPECT_THROW(DomainClassifier(DomainClassifierOptions(1, 32, 1)), c10::Error);  // one class
  DomainClassifier net(DomainClassifierOptions(1, 32, 10).width(4));
  EXPECT_THROW(net->forward(torch::zeros({2, 1, 28, 28})), c10::Error);
  EXPECT_THROW(net->forward(torch::zeros({2, 3, 32, 32})), c10::Error);
}

TEST(DomainClassifierFile, RoundTripGivesIdenticalLogitsAndInfo) {
  TempDir dir;
  auto net = trained_looking_classifier();
  const auto path = dir / "new/folder/classifier.pt";  // folders are created
  save_domain_classifier(path, net, some_info());

  auto loaded = load_domain_classifier(path);
  EXPECT_FALSE(loaded.net->is_training());
  const auto x = torch::rand({6, 3, 16, 16}) * 2 - 1;
  EXPECT_TRUE(torch::equal(loaded.net->forward(x), net->forward(x)));
  EXPECT_TRUE(torch::equal(loaded.net->features(x), net->features(x)));

  const auto& info = loaded.info;
  EXPECT_EQ(info.options.channels(), 3);
  EXPECT_EQ(info.options.image_size(), 16);
  EXPECT_EQ(info.options.num_classes(), 5);
  EXPECT_EQ(info.options.width(), 8);
  EXPECT_EQ(info.options.feature_dim(), 16);
  EXPECT_EQ(info.options.dropout(), 0.25);
  EXPECT_EQ(info.shape.channels, 3);
  EXPECT_EQ(info.shape.image_size, 16);
  EXPECT_EQ(info.shape.num_classes, 5);
  EXPECT_EQ(info.data.name, "cifar10");
  EXPECT_EQ(info.data.path, "/somewhere/cifar10-jpeg");
  EXPECT_EQ(info.data.fit, "center-crop");
  EXPECT_EQ(info.data.image_size, 16);
  EXPECT_EQ(info.test_accuracy, 0.625);
  EXPECT_EQ(info.test_images, 80);
  EXPECT_EQ(info.steps, 12);
  EXPECT_EQ(info.seed, 7);
  EXPECT_EQ(info.gankit_version, GANKIT_VERSION);
  for (const auto& entry : fs::directory_iterator(path.parent_path())) {
    EXPECT_EQ(entry.path().filename(), "classifier.pt");  // no temp file left beside it
  }
}

TEST(DomainClassifierFile, UnmeasuredAccuracyStaysNaN) {
  TempDir dir;
  auto info = some_info();
  info.test_accuracy = std::nan("");
  info.test_images = 0;
  save_domain_classifier(dir / "c.pt", trained_looking_classifier(), info);
  const auto loaded = load_domain_classifier(dir / "c.pt");
  EXPECT_TRUE(std::isnan(loaded.info.test_accuracy));
  EXPECT_EQ(loaded.info.test_images, 0);
}

TEST(DomainClassifierFile, EverythingElseIsAOneLineError) {
  TempDir dir;
  const auto good = dir / "good.pt";
  save_domain_classifier(good, trained_looking_classifier(), some_info());
  const std::string bytes = gankit::test::slurp(good);
  gankit::test::write_file(dir / "truncated.pt", bytes.substr(0, bytes.size() / 2));
  gankit::test::write_file(dir / "garbage.pt", "this is not a classifier\n");
  {
    torch::serialize::OutputArchive foreign;
    foreign.write("format", c10::IValue(std::string("someone-else/3")));
    foreign.save_to((dir / "foreign.pt").string());
    torch::serialize::OutputArchive no_format;
    no_format.write("weights", torch::zeros({2}));
    no_format.save_to((dir / "no_format.pt").string());
  }
  const auto load = [&](const char* name) { return [&dir, name] { load_domain_classifier(dir / name); }; };
  EXPECT_TRUE(fails_with(load("missing.pt"), {"missing.pt: no such classifier file"}));
  fs::create_directories(dir / "folder");
  EXPECT_TRUE(fails_with(load("folder"), {"folder: is a folder"}));
  EXPECT_TRUE(fails_with(load("truncated.pt"), {"truncated.pt: damaged classifier file (truncated"}));
  EXPECT_TRUE(fails_with(load("garbage.pt"), {"garbage.pt: not a gankit classifier file (unreadable"}));
  EXPECT_TRUE(fails_with(load("foreign.pt"), {"foreign.pt: not a gankit classifier file", "someone-else/3"}));
  EXPECT_TRUE(
      fails_with(load("no_format.pt"), {"no_format.pt: not a gankit classifier file (no 'format' entry)"}));
  for (const char* name : {"missing.pt", "folder", "truncated.pt", "garbage.pt", "foreign.pt"}) {
    try {
      load_domain_classifier(dir / name);
    } catch (const gankit::Error& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << name << ": " << e.what();
    }
  }
}

TEST(DomainClassifierFile, FitsSamplesTheWayItsTrainingImagesWereFitted) {
  // Fashion-MNIST's 28x28 images, as a generator of that size gives them, reach the classifier
  // exactly as the data pipeline brought them to its 32x32 for training.
  gankit::data::DataOptions native;
  native.name = "fashion-mnist";
  native.split = "test";
  native.image_size = 0;  // its own size
  auto fitted = native;
  fitted.image_size = 32;
  const auto small = gankit::data::load_images(native).images.slice(0, 0, 16);  // [16,1,28,28]
  const auto expected = gankit::data::to_unit_range(gankit::data::load_images(fitted).images.slice(0, 0, 16));
  DomainClassifierInfo info;
  info.data.fit = "resize";
  info.shape = {1, 32, 10};
  const auto samples = gankit::data::to_unit_range(small);
  EXPECT_TRUE(torch::equal(fit_to_classifier(samples, info), expected));
  info.shape.channels = 3;  // gray repeated, as the pipeline converts it
  EXPECT_TRUE(torch::equal(fit_to_classifier(samples, info), expected.repeat({1, 3, 1, 1})));
  info.data.fit = "none";
  EXPECT_TRUE(fails_with([&] { fit_to_classifier(samples, info); }, {"images"}));
}

TEST(DomainClassifierFile, AGanCheckpointIsNamedForWhatItIs) {
  TempDir dir;
  const auto run = gankit::test::train_quietly(gankit::test::tiny_config(1), dir / "run");
  EXPECT_TRUE(fails_with([&] { load_domain_classifier(run.checkpoint); },
                         {"latest.pt: is a GAN checkpoint (kind 'adversarial'), not a classifier file"}));
}

}  // namespace
