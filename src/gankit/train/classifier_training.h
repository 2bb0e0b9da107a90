// Training a DomainClassifier on a labelled data set's train split and measuring its accuracy on
// the held-out (test) split: the classifier behind domain FID and the class accuracy of
// conditional samples.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "gankit/data/data_options.h"
#include "gankit/data/loader.h"
#include "gankit/models/domain_classifier.h"
#include "gankit/models/domain_classifier_file.h"

namespace gankit::train {

struct ClassifierTrainingOptions {
  /// The data set (data.split is ignored: training uses train, evaluation the held-out split).
  /// data.image_size (32 by default, the size of most of gankit's GANs) is the network's input.
  data::DataOptions data;
  /// Passes over the train split (used when steps = 0).
  int64_t epochs = 3;
  /// Optimiser steps; 0 = use epochs.
  int64_t steps = 0;
  int64_t batch_size = 128;
  /// Seeds the weights, shuffling, flips and dropout: same seed (and threads), same classifier.
  int64_t seed = 0;
  /// Intra-op threads; 0 = the cores available to this process.
  int64_t threads = 0;
  /// Peak learning rate of AdamW: warm-up over the first 3% of steps, cosine decay to 0.
  double lr = 3e-3;
  /// AdamW's decoupled weight decay.
  double weight_decay = 5e-4;
  /// The network: first-stage channels and feature length (see DomainClassifierOptions).
  int64_t width = 32;
  int64_t feature_dim = 128;
  double dropout = 0.0;
  /// Random horizontal flips of training images; unset = on for data sets whose classes survive
  /// a mirror (cifar10), off otherwise (digits and letters do not).
  std::optional<bool> hflip;
  /// Steps between progress lines (0 = none); epochs end with a test-accuracy line.
  int64_t log_every = 100;
  /// Where progress lines go; nullptr = nowhere.
  std::ostream* log = nullptr;
};

struct ClassifierTrainingResult {
  /// The trained network, in eval mode.
  models::DomainClassifier net{nullptr};
  /// What save_domain_classifier stores with it, test accuracy included.
  models::DomainClassifierInfo info;
  /// Wall time of the whole job (data loading, training, evaluation), in seconds.
  double seconds = 0;
};

/// Trains a classifier as `options` say. A data set without labels (or with one class), an
/// unknown name or a missing file throws gankit::Error.
ClassifierTrainingResult train_classifier(const ClassifierTrainingOptions& options);

/// Trains a classifier as train_classifier does, on labelled images held in memory (`train`:
/// uint8 [N,C,S,S], int64 labels; num_classes 0 = from the labels), without flips unless
/// options.hflip, and tests it on `held_out` (when its images are defined; same shape). options.data
/// is only recorded. `what` names the images in messages. Unlabelled images are a gankit::Error.
ClassifierTrainingResult train_classifier_on_images(data::ImageSet train, const data::ImageSet& held_out,
                                                    const ClassifierTrainingOptions& options,
                                                    const std::string& what);

struct ClassifierAccuracy {
  double accuracy = 0;  ///< fraction of images whose arg-max logit is their label
  int64_t n = 0;        ///< images evaluated
};

/// Accuracy of `net` on a labelled uint8 set (as data::load_images / data::load_held_out return it,
/// already fitted to the net's input size). Runs in eval mode and restores the net's mode.
ClassifierAccuracy evaluate_classifier(models::DomainClassifier& net, const data::ImageSet& set,
                                       int64_t batch_size = 500);

}  // namespace gankit::train
