// gankit eval CHECKPOINT [--metrics fid,kid,is,pr] [--n N] [--features inception:FILE|classifier:FILE]
//             [--real DATASET|FOLDER|FILE.npy]
// gankit eval --samples S.npy|DIR --real ... : images from any tool.
// One JSON object on stdout: a key per metric, plus n, the extractor and the real data used.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "gankit/data/registry.h"
#include "gankit/error.h"
#include "gankit/metrics/gan_scores.h"
#include "gankit/metrics/real_features.h"
#include "gankit/sample/sampler.h"
#include "gankit/system/resources.h"

namespace gankit::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct EvalArgs {
  std::string checkpoint;
  std::string samples;
  std::string metrics = "fid";
  std::optional<int64_t> count;
  std::string features;
  std::string real;
  std::string real_split;
  int64_t real_count = 0;
  uint64_t seed = 0;
  int64_t batch_size = 50;
  std::string cache_dir;
  bool no_cache = false;
  bool quiet = false;
  metrics::ScoreOptions scores;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Progress lines on stderr, about every tenth of the way.
metrics::FeatureProgress progress_printer(bool quiet, std::string what) {
  if (quiet) return {};
  return [what = std::move(what), shown = int64_t{-1}](int64_t done, int64_t total) mutable {
    const int64_t tenth = done * 10 / std::max<int64_t>(total, 1);
    if (tenth == shown && done < total) return;
    shown = tenth;
    std::cerr << fmt::format("eval: {} features {}/{}", what, done, total) << std::endl;
  };
}

std::string default_features() {
  const char* env = std::getenv("GANKIT_FEATURES");
  if (env != nullptr && *env != '\0') return env;
  fail(
      "no feature extractor: pass --features inception:FILE (pytorch-fid's "
      "pt_inception-2015-12-05-6726825d.pth) or classifier:FILE (from `gankit classifier train`), or set "
      "GANKIT_FEATURES");
}

void run_eval(const EvalArgs& args) {
  torch::set_num_threads(static_cast<int>(system::available_cores()));
  if (args.checkpoint.empty() == args.samples.empty()) {
    fail("gankit eval: give a checkpoint or --samples S.npy|DIR (one of them)");
  }
  const auto metric_list = metrics::parse_metrics(args.metrics);
  const std::string spec = args.features.empty() ? default_features() : args.features;
  auto extractor = metrics::make_feature_extractor(spec);
  nlohmann::ordered_json seconds;

  // The generated side: drawn from the checkpoint, or read from the user's files.
  auto start = Clock::now();
  sample::Samples fake;
  std::optional<data::DataOptions> real_data;
  std::string fake_name;
  if (!args.checkpoint.empty()) {
    sample::Sampler sampler(args.checkpoint);
    sample::SampleOptions options;
    options.count = args.count.value_or(10000);
    options.seed = args.seed;
    fake = sampler.sample(options);
    real_data = sampler.header().config.data;
    fake_name = "generated images of " + args.checkpoint;
  } else {
    fake = sample::read_samples(args.samples);
    if (args.count) {
      if (*args.count > fake.images.size(0)) {
        fail("{}: holds {} images, fewer than --n {}", args.samples, fake.images.size(0), *args.count);
      }
      fake.images = fake.images.slice(0, 0, *args.count);
      if (fake.labels.defined()) fake.labels = fake.labels.slice(0, 0, *args.count);
    }
    fake_name = args.samples;
  }
  seconds["samples"] = seconds_since(start);
  const int64_t wanted_real = args.real_count > 0 ? args.real_count : fake.images.size(0);
  metrics::check_counts(metric_list, wanted_real, fake.images.size(0), args.scores);
  const int64_t channels = fake.images.size(1), size = fake.images.size(2);

  // The real side: a data set (or image folder) fitted to the generated images' size, as training
  // fits it to the model's; or an array of images as they are.
  start = Clock::now();
  metrics::ImageFeatures real;
  nlohmann::ordered_json real_info;
  if (fs::path(args.real).extension() == ".npy") {
    const auto images = sample::read_samples(args.real).images;
    if (images.size(1) != channels || images.size(2) != fake.images.size(2) || images.size(3) != fake.images.size(3)) {
      fail("{}: real images are {}x{}x{} but {} are {}x{}x{}: they must have the same shape", args.real,
           images.size(1), images.size(2), images.size(3), fake_name, channels, fake.images.size(2),
           fake.images.size(3));
    }
    real = metrics::extract_features(*extractor, images, args.real, args.batch_size,
                                     progress_printer(args.quiet, "real"));
    real_info = {{"source", args.real}, {"n", images.size(0)}, {"cached", false}};
  } else {
    if (!args.real.empty()) {
      real_data = data::DataOptions{};
      if (fs::is_directory(args.real)) {
        real_data->name = "image-folder";
        real_data->path = args.real;
      } else {
        real_data->name = data::find_data_set(args.real).name;
      }
    }
    if (!real_data) fail("gankit eval --samples: give --real DATASET|FOLDER|FILE.npy, the images to compare against");
    real_data->image_size = size;
    real_data->pairs.clear();
    if (!args.real_split.empty()) real_data->split = args.real_split;
    const fs::path cache = args.no_cache ? fs::path()
                           : args.cache_dir.empty() ? metrics::default_feature_cache_dir()
                                                    : fs::path(args.cache_dir);
    const auto found = metrics::real_features(*real_data, wanted_real, args.seed, *extractor, cache,
                                              progress_printer(args.quiet, "real"), channels);
    real = found.features;
    real_info = {{"source", found.description}, {"n", found.count}, {"cached", found.from_cache}};
    if (!found.cache_file.empty()) real_info["cache"] = found.cache_file.string();
  }
  seconds["real_features"] = seconds_since(start);

  start = Clock::now();
  const auto fake_features = metrics::extract_features(*extractor, fake.images, fake_name, args.batch_size,
                                                       progress_printer(args.quiet, "generated"));
  seconds["features"] = seconds_since(start);
  if (fake_features.features.size(1) != real.features.size(1)) {
    fail("real and generated features differ in width ({} vs {})", real.features.size(1),
         fake_features.features.size(1));
  }

  start = Clock::now();
  const auto scores = metrics::score_features(real, fake_features, metric_list, args.scores);
  nlohmann::ordered_json out;
  for (const auto& [name, value] : scores) out[name] = value;
  if (const auto accuracy = metrics::labelled_class_accuracy(fake_features.logits, fake.labels,
                                                             extractor->data_classes(), fake_name,
                                                             /*labels_must_fit=*/true)) {
    out["class_accuracy"] = *accuracy;
  }
  seconds["statistics"] = seconds_since(start);
  out["n"] = fake.images.size(0);
  out["features"] = extractor->name();
  out["real"] = real_info;
  out["seconds"] = seconds;
  std::cout << out.dump() << std::endl;
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Score a generator (or any images) with FID, KID, IS and precision/recall");
  cmd->add_option("checkpoint", args->checkpoint, "GAN checkpoint whose generator to sample");
  cmd->add_option("--samples", args->samples, "Score these images instead: S.npy or a folder of images");
  cmd->add_option("--metrics", args->metrics, "Comma-separated: fid, kid, is, pr, or all")->capture_default_str();
  cmd->add_option("-n,--n", args->count, "Generated images to score (default 10000; all of --samples)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--features", args->features,
                  "inception:FILE (pytorch-fid weights) or classifier:FILE (gankit classifier train); "
                  "default $GANKIT_FEATURES");
  cmd->add_option("--real", args->real,
                  "Real images: a data set name, an image folder or FILE.npy (default: the checkpoint's data)");
  cmd->add_option("--real-split", args->real_split, "Part of the real data set: train | test");
  cmd->add_option("--n-real", args->real_count, "Real images to compare with (default: as many as generated)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->seed, "Seeds the noise, the real subset and KID's subsets")->capture_default_str();
  cmd->add_option("--batch-size", args->batch_size, "Images through the extractor at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--cache-dir", args->cache_dir, "Where real-data features are cached (default ~/.cache/gankit/features)");
  cmd->add_flag("--no-cache", args->no_cache, "Recompute the real-data features and do not cache them");
  cmd->add_option("--kid-subsets", args->scores.kid_subsets, "KID: subsets drawn")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--kid-subset-size", args->scores.kid_subset_size, "KID: images in each subset")
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--is-splits", args->scores.is_splits, "IS: splits")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--pr-k", args->scores.pr_k, "Precision/recall: k of the k-NN radii")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress lines on stderr");
  cmd->callback([args] {
    args->scores.seed = args->seed;
    run_eval(*args);
  });
}

}  // namespace gankit::cli
