// gankit classifier train --data D -o FILE [--epochs N] [--steps N] [--batch-size N] [--seed N] ...
// gankit classifier eval FILE [--data D]                  # {"accuracy":..., "n":..., "data":...}
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "gankit/config/config.h"
#include "gankit/data/loader.h"
#include "gankit/data/registry.h"
#include "gankit/error.h"
#include "gankit/models/domain_classifier_file.h"
#include "gankit/system/resources.h"
#include "gankit/train/classifier_training.h"

namespace gankit::cli {

namespace fs = std::filesystem;

namespace {

/// --data and --set data.KEY=VALUE, read the way a config's [data] section is.
struct DataSpec {
  std::string data;
  std::vector<std::string> overrides;
};

/// `base`, or (with --data) a data set name from the registry or a config (name or file) whose
/// [data] section is used; then the --set overrides.
data::DataOptions resolve_data(const DataSpec& spec, const data::DataOptions& base = {}) {
  config::Config config;
  config.data = base;
  if (!spec.data.empty()) {
    const auto& sets = data::data_sets();
    if (std::any_of(sets.begin(), sets.end(), [&](const auto& e) { return spec.data == e.name; })) {
      config.data = data::DataOptions();
      config.data.name = spec.data;
    } else {
      fs::path config_path;
      try {
        config_path = config::resolve_config_path(spec.data);
      } catch (const gankit::Error&) {
        std::string valid;
        for (const auto& entry : sets) valid += valid.empty() ? entry.name : fmt::format(", {}", entry.name);
        fail("--data {}: neither a data set ({}) nor a config", spec.data, valid);
      }
      config = config::Config::from_file(config_path);
    }
  }
  for (const auto& assignment : spec.overrides) {
    if (assignment.rfind("data.", 0) != 0)
      fail("--set {}: only data.* keys apply to a classifier", assignment);
    config.set(assignment);
  }
  return config.data;
}

/// Whether the --set overrides give `key` (e.g. "data.fit").
bool sets_key(const DataSpec& spec, const std::string& key) {
  return std::any_of(spec.overrides.begin(), spec.overrides.end(), [&](const std::string& a) {
    return a.rfind(key + "=", 0) == 0 || a.rfind(key + " ", 0) == 0;
  });
}

void add_data_options(CLI::App* cmd, DataSpec& spec) {
  cmd->add_option(
         "--set", spec.overrides,
         "Override a data key as in a config, e.g. --set data.path=DIR --set data.image_size=28 (repeatable)")
      ->take_all();
}

int threads_or_cores(int64_t threads) {
  return static_cast<int>(threads > 0 ? threads : system::available_cores());
}

struct TrainArgs {
  DataSpec spec;
  std::string out;
  train::ClassifierTrainingOptions options;
};

/// Fails now, not after minutes of training, when `out` cannot be written; creates its folder.
void check_writable(const fs::path& out) {
  if (fs::is_directory(out)) fail("{}: is a folder; -o names the classifier file to write", out.string());
  const fs::path folder = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) fail("{}: cannot create folder {} ({})", out.string(), folder.string(), ec.message());
  const fs::path probe = folder / fmt::format(".{}.{}.probe", out.filename().string(), ::getpid());
  const bool writable = static_cast<bool>(std::ofstream(probe));
  fs::remove(probe, ec);
  if (!writable) fail("{}: cannot write into {}", out.string(), folder.string());
}

void run_train(TrainArgs& args) {
  const fs::path out = args.out;
  auto& options = args.options;
  options.data = resolve_data(args.spec);
  check_writable(out);
  options.log = &std::cerr;
  const auto result = train::train_classifier(options);
  models::save_domain_classifier(out, result.net, result.info);
  const auto& info = result.info;
  const std::string accuracy = info.test_images > 0 ? fmt::format("test accuracy {:.4f} ({} images)",
                                                                  info.test_accuracy, info.test_images)
                                                    : "test accuracy not measured (no held-out split)";
  std::cout << fmt::format("classifier {}: {} {}x{}x{}, {} classes; {}; {} steps in {:.1f} s\n", out.string(),
                           info.data.name, info.shape.channels, info.shape.image_size, info.shape.image_size,
                           info.shape.num_classes, accuracy, info.steps, result.seconds);
}

struct EvalArgs {
  std::string file;
  DataSpec spec;
  int64_t threads = 0;
};

void run_eval(const EvalArgs& args) {
  torch::set_num_threads(threads_or_cores(args.threads));
  auto loaded = models::load_domain_classifier(args.file);
  const auto& shape = loaded.info.shape;
  // The stored data unless --data or --set say otherwise; the network's input size is fixed, so
  // the data is brought to it the stored way (unless --set data.fit says another).
  data::DataOptions data = resolve_data(args.spec, loaded.info.data);
  data.image_size = shape.image_size;
  data.channels = shape.channels;
  if (!sets_key(args.spec, "data.fit")) data.fit = loaded.info.data.fit;
  const auto test = data::load_held_out(data);
  const std::string where = data.path.empty() ? data.name : fmt::format("{} at {}", data.name, data.path);
  if (!test.images.defined()) fail("data {}: has no held-out (test) split to evaluate on", where);
  if (!test.labels.defined()) fail("data {}: has no labels to evaluate against", where);
  if (test.num_classes > shape.num_classes) {
    fail("data {}: has {} classes, {} classifies {}", where, test.num_classes, args.file, shape.num_classes);
  }
  const auto accuracy = train::evaluate_classifier(loaded.net, test);
  std::cout << nlohmann::json{{"accuracy", accuracy.accuracy}, {"n", accuracy.n}, {"data", data.name}}.dump()
            << std::endl;
}

}  // namespace

void add_classifier_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("classifier", "Domain classifiers (for domain FID and class accuracy)");
  cmd->require_subcommand(1);

  auto train_args = std::make_shared<TrainArgs>();
  auto& o = train_args->options;
  auto* train =
      cmd->add_subcommand("train", "Train a classifier on a labelled data set; test accuracy at the end");
  train
      ->add_option(
          "--data", train_args->spec.data,
          "Data set (mnist, fashion-mnist, cifar10, image-folder, ...) or a config whose [data] is used")
      ->required();
  add_data_options(train, train_args->spec);
  train->add_option("-o,--out", train_args->out, "Classifier file to write")->required();
  train->add_option("--epochs", o.epochs, "Passes over the train split")->capture_default_str();
  train->add_option("--steps", o.steps, "Optimiser steps instead of epochs (0 = use --epochs)")
      ->capture_default_str();
  train->add_option("--batch-size", o.batch_size, "Images a step")->capture_default_str();
  train->add_option("--seed", o.seed, "Seed of weights, shuffling and flips")->capture_default_str();
  train->add_option("--threads", o.threads, "Intra-op threads (0 = the available cores)")
      ->capture_default_str();
  train->add_option("--lr", o.lr, "Peak learning rate (AdamW, warm-up then cosine decay)")
      ->capture_default_str();
  train->add_option("--width", o.width, "Channels of the first stage (doubled each stage)")
      ->capture_default_str();
  train->add_option("--feature-dim", o.feature_dim, "Length of the feature vector")->capture_default_str();
  train->add_flag_function(
      "--hflip", [train_args](int64_t) { train_args->options.hflip = true; },
      "Random horizontal flips (default: on for cifar10 only)");
  train->add_flag_function(
      "--no-hflip", [train_args](int64_t) { train_args->options.hflip = false; }, "No random flips");
  train->add_option("--log-every", o.log_every, "Steps between progress lines on stderr (0 = none)")
      ->capture_default_str();
  train->callback([train_args] { run_train(*train_args); });

  auto eval_args = std::make_shared<EvalArgs>();
  auto* eval = cmd->add_subcommand("eval", "Test accuracy of a classifier file, as JSON");
  eval->add_option("file", eval_args->file, "Classifier file")->required();
  eval->add_option("--data", eval_args->spec.data, "Data set or config (default: the one it was trained on)");
  add_data_options(eval, eval_args->spec);
  eval->add_option("--threads", eval_args->threads, "Intra-op threads (0 = the available cores)");
  eval->callback([eval_args] { run_eval(*eval_args); });
}

}  // namespace gankit::cli
