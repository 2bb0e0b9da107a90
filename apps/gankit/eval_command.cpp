// gankit eval CHECKPOINT [--metrics fid,kid,is,pr,dc,ifid,cas] [--n N] [--features inception:FILE|classifier:FILE]
//             [--real DATASET|FOLDER|FILE.npy]
// gankit eval --samples S.npy|DIR --real ... : images from any tool.
// One JSON object on stdout: a key per metric, plus n, the extractor and the real data used.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "gankit/compute/precision.h"
#include "gankit/data/registry.h"
#include "gankit/error.h"
#include "gankit/metrics/evaluation.h"
#include "gankit/metrics/real_features.h"
#include "gankit/sample/sampler.h"
#include "gankit/system/resources.h"
#include "gankit/train/classification_accuracy_score.h"

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
  std::string precision;
  metrics::ScoreOptions scores;
  int64_t cas_epochs = 5;
};

/// Progress lines on stderr, about every tenth of the way of each side.
std::function<void(const std::string&, int64_t, int64_t)> progress_printer(bool quiet) {
  if (quiet) return {};
  return [shown = std::map<std::string, int64_t>{}](const std::string& what, int64_t done,
                                                    int64_t total) mutable {
    const int64_t tenth = done * 10 / std::max<int64_t>(total, 1);
    const auto it = shown.find(what);
    if (it != shown.end() && it->second == tenth && done < total) return;
    shown[what] = tenth;
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

/// The generated side: drawn from the checkpoint (whose data is then the default real side), or
/// read from the user's files.
metrics::GeneratedImages generated_images(const EvalArgs& args,
                                          std::optional<data::DataOptions>& checkpoint_data) {
  if (!args.checkpoint.empty()) {
    sample::Sampler sampler(args.checkpoint, compute::parse_precision(args.precision, "--precision"), "`gankit eval`");
    sample::SampleOptions options;
    options.count = args.count.value_or(10000);
    options.seed = args.seed;
    auto fake = sampler.sample(options);
    checkpoint_data = sampler.header().config.data;
    return {fake.images, fake.labels, "generated images of " + args.checkpoint};
  }
  auto fake = sample::read_samples(args.samples);
  if (args.count) {
    if (*args.count > fake.images.size(0)) {
      fail("{}: holds {} images, fewer than --n {}", args.samples, fake.images.size(0), *args.count);
    }
    fake.images = fake.images.slice(0, 0, *args.count);
    if (fake.labels.defined()) fake.labels = fake.labels.slice(0, 0, *args.count);
  }
  return {fake.images, fake.labels, args.samples};
}

/// The real side: an array of images as they are, a folder or named data set, or the checkpoint's data.
metrics::RealImages real_images(const EvalArgs& args, std::optional<data::DataOptions> checkpoint_data) {
  metrics::RealImages real;
  if (fs::path(args.real).extension() == ".npy") {
    auto read = sample::read_samples(args.real);
    real.images = read.images;
    real.labels = read.labels;
    real.source = args.real;
    return real;
  }
  real.data_set = std::move(checkpoint_data);
  if (!args.real.empty()) {
    real.data_set = data::DataOptions{};
    if (fs::is_directory(args.real)) {
      real.data_set->name = "image-folder";
      real.data_set->path = args.real;
    } else {
      real.data_set->name = data::find_data_set(args.real).name;
    }
  }
  if (!real.data_set)
    fail("gankit eval --samples: give --real DATASET|FOLDER|FILE.npy, the images to compare against");
  if (!args.real_split.empty()) real.data_set->split = args.real_split;
  return real;
}

metrics::EvaluationOptions evaluation_options(const EvalArgs& args) {
  metrics::EvaluationOptions options;
  options.metrics = metrics::parse_metrics(args.metrics);
  options.real_count = args.real_count;
  options.seed = args.seed;
  options.batch_size = args.batch_size;
  options.cache_dir = args.no_cache            ? fs::path()
                      : args.cache_dir.empty() ? metrics::default_feature_cache_dir()
                                               : fs::path(args.cache_dir);
  options.scores = args.scores;
  options.progress = progress_printer(args.quiet);
  return options;
}

/// The KID subset size used: the one asked for, or fewer when fewer images were scored (said on
/// stderr, since it changes the estimate's variance).
int64_t kid_subset_size(const metrics::EvaluationResult& result, const metrics::ScoreOptions& scores) {
  const int64_t used = std::min({scores.kid_subset_size, result.n, result.real.n});
  if (used < scores.kid_subset_size) {
    std::cerr << fmt::format("gankit: warning: --kid-subset-size {} is more than the {} images scored; KID uses "
                             "subsets of {}\n",
                             scores.kid_subset_size, std::min(result.n, result.real.n), used);
  }
  return used;
}

nlohmann::ordered_json to_json(const metrics::EvaluationResult& result, const metrics::ScoreOptions& scores,
                               double sample_seconds) {
  nlohmann::ordered_json out;
  for (const auto& [name, value] : result.scores) out[name] = value;
  if (result.class_accuracy) out["class_accuracy"] = *result.class_accuracy;
  out["n"] = result.n;
  if (out.contains("kid")) out["kid_subset_size"] = kid_subset_size(result, scores);
  out["features"] = result.features;
  out["real"] = {{"source", result.real.source}, {"n", result.real.n}, {"cached", result.real.cached}};
  if (!result.real.cache.empty()) out["real"]["cache"] = result.real.cache.string();
  out["seconds"] = {{"samples", sample_seconds},
                    {"real_features", result.real_seconds},
                    {"features", result.features_seconds},
                    {"statistics", result.statistics_seconds}};
  return out;
}

/// The classification accuracy score of the labelled generated images against `real`'s held-out split.
void add_cas(nlohmann::ordered_json& out, const metrics::GeneratedImages& generated, const data::DataOptions& real,
             const EvalArgs& args) {
  train::CasOptions options;
  options.epochs = args.cas_epochs;
  options.seed = static_cast<int64_t>(args.seed);
  options.log = args.quiet ? nullptr : &std::cerr;
  const auto start = Clock::now();
  const auto cas = train::classification_accuracy_score(generated.images, generated.labels, generated.name, real, options);
  out["cas"] = cas.cas;
  if (cas.real_accuracy) out["cas_real"] = *cas.real_accuracy;
  out["cas_detail"] = {{"train_images", cas.train_images},
                       {"test_images", cas.test_images},
                       {"image_size", cas.image_size},
                       {"epochs", args.cas_epochs},
                       {"seconds", std::chrono::duration<double>(Clock::now() - start).count()}};
  if (!out.contains("n")) out["n"] = generated.images.size(0);
}

void run_eval(const EvalArgs& args) {
  torch::set_num_threads(static_cast<int>(system::available_cores()));
  if (args.checkpoint.empty() == args.samples.empty()) {
    fail("gankit eval: give a checkpoint or --samples S.npy|DIR (one of them)");
  }
  auto options = evaluation_options(args);
  // CAS trains classifiers on the images themselves; the rest compare features.
  const auto cas_at = std::find(options.metrics.begin(), options.metrics.end(), "cas");
  const bool cas = cas_at != options.metrics.end();
  if (cas) options.metrics.erase(cas_at);
  std::unique_ptr<metrics::FeatureExtractor> extractor;
  if (!options.metrics.empty()) {
    extractor = metrics::make_feature_extractor(args.features.empty() ? default_features() : args.features);
  }
  const auto start = Clock::now();
  std::optional<data::DataOptions> checkpoint_data;
  const auto generated = generated_images(args, checkpoint_data);
  const double sample_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto real = real_images(args, checkpoint_data);
  if (cas) train::check_cas_images(generated.images, generated.labels, generated.name);
  if (cas && !real.data_set) {
    fail("--metrics cas: --real {} is an array; CAS tests on a labelled data set's held-out split (--real "
         "DATASET|FOLDER)",
         args.real);
  }
  nlohmann::ordered_json out;
  if (extractor) out = to_json(metrics::evaluate_images(generated, real, *extractor, options), args.scores, sample_seconds);
  if (cas) add_cas(out, generated, *real.data_set, args);
  std::cout << out.dump() << std::endl;
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Score a generator (or any images) with FID, KID, IS, precision/recall, density/coverage and intra-class FID");
  cmd->add_option("checkpoint", args->checkpoint, "GAN checkpoint whose generator to sample");
  cmd->add_option("--samples", args->samples, "Score these images instead: S.npy or a folder of images");
  cmd->add_option("--metrics", args->metrics, "Comma-separated: fid, kid, is, pr (precision/recall), dc (density/coverage), ifid (intra-class FID), cas "
                  "(classification accuracy score; ifid and cas need labelled samples), or all (every one but ifid "
                  "and cas)")->capture_default_str();
  cmd->add_option("-n,--n", args->count, "Generated images to score (default 10000; all of --samples)")
      ->check(whole_number(1, 200000));
  cmd->add_option("--features", args->features,
                  "inception:FILE (pytorch-fid weights) or classifier:FILE (gankit classifier train); "
                  "default $GANKIT_FEATURES");
  cmd->add_option("--real", args->real,
                  "Real images: a data set name, an image folder or FILE.npy (default: the checkpoint's data)");
  cmd->add_option("--real-split", args->real_split, "Part of the real data set: train | test");
  cmd->add_option("--n-real", args->real_count, "Real images to compare with (default: as many as generated)")
      ->check(whole_number(0, 1000000));
  cmd->add_option("--seed", args->seed, "Seeds the noise, the real subset and KID's subsets")->capture_default_str();
  cmd->add_option("--batch-size", args->batch_size, "Images through the extractor at once")
      ->check(whole_number(1, 65536))
      ->capture_default_str();
  cmd->add_option("--cache-dir", args->cache_dir, "Where real-data features are cached (default ~/.cache/gankit/features)");
  cmd->add_flag("--no-cache", args->no_cache, "Recompute the real-data features and do not cache them");
  cmd->add_option("--kid-subsets", args->scores.kid_subsets, "KID: subsets drawn")
      ->check(whole_number(1, 100000))
      ->capture_default_str();
  cmd->add_option("--kid-subset-size", args->scores.kid_subset_size, "KID: images in each subset")
      ->check(whole_number(2, 1000000))
      ->capture_default_str();
  cmd->add_option("--is-splits", args->scores.is_splits, "IS: splits")->check(whole_number(1, 1000))->capture_default_str();
  cmd->add_option("--pr-k", args->scores.pr_k, "Precision/recall: k of the k-NN radii")
      ->check(whole_number(1, 1000))
      ->capture_default_str();
  cmd->add_option("--cas-epochs", args->cas_epochs, "CAS: passes over the images each classifier trains on")
      ->check(whole_number(1, 1000))
      ->capture_default_str();
  cmd->add_option("--dc-k", args->scores.dc_k, "Density/coverage: k of the real samples' k-NN radii")
      ->check(whole_number(1, 1000))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress lines on stderr");
  add_precision_option(cmd, args->precision);
  cmd->callback([args] {
    args->scores.seed = args->seed;
    run_eval(*args);
  });
}

}  // namespace gankit::cli
