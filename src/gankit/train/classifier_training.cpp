#include "gankit/train/classifier_training.h"

#include <chrono>
#include <cmath>
#include <ostream>

#include "gankit/data/array_loader.h"
#include "gankit/data/registry.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/nn/parameter_count.h"
#include "gankit/system/resources.h"
#include "gankit/train/optimizers.h"

namespace gankit::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void validate(const ClassifierTrainingOptions& o) {
  if (o.batch_size <= 0) fail("batch size = {}: must be positive", o.batch_size);
  if (o.steps < 0) fail("steps = {}: must be 0 (use epochs) or more", o.steps);
  if (o.steps == 0 && o.epochs <= 0) fail("epochs = {}: must be positive", o.epochs);
  if (o.threads < 0) fail("threads = {}: must be 0 (all cores) or more", o.threads);
  if (!(o.lr > 0)) fail("lr = {}: must be positive", o.lr);
  if (!(o.weight_decay >= 0)) fail("weight decay = {}: must be 0 or more", o.weight_decay);
  if (o.width <= 0 || o.feature_dim <= 0) fail("width and feature_dim must be positive");
  if (!(o.dropout >= 0 && o.dropout < 1)) fail("dropout = {}: must be in [0, 1)", o.dropout);
  if (o.log_every < 0) fail("log_every = {}: must be 0 (off) or more", o.log_every);
}

/// Warm-up over the first 3% of the steps, then cosine decay to 0 (step counted from 0).
double learning_rate(double peak, int64_t step, int64_t total) {
  const double warmup = std::max(1.0, 0.03 * static_cast<double>(total));
  const double t = static_cast<double>(step);
  const double ramp = std::min(1.0, (t + 1) / warmup);
  return peak * ramp * 0.5 * (1 + std::cos(M_PI * t / static_cast<double>(total)));
}

std::string describe_data(const data::DataOptions& data) {
  return data.path.empty() ? data.name : fmt::format("{} at {}", data.name, data.path);
}

/// The training split of options.data, flipped when its images survive a mirror (unless
/// options.hflip says otherwise); paired data is refused.
data::DataOptions training_data(const ClassifierTrainingOptions& options) {
  auto data = options.data;
  data.split = "train";
  data.hflip = options.hflip ? *options.hflip : data::find_data_set(data.name).mirror_keeps_class;
  if (!data.pairs.empty()) fail("data.pairs = {}: a classifier needs single labelled images", data.pairs);
  return data;
}

/// The network for `info`'s images; data without at least two classes, or of a size the network
/// cannot halve often enough, is refused.
models::DomainClassifierOptions network_options(const ClassifierTrainingOptions& options,
                                                const data::DataInfo& info, const std::string& what,
                                                const std::string& labels_hint) {
  if (info.num_classes < 2) {
    fail("{}: {}; a classifier needs labelled images of at least 2 classes{}", what,
         info.num_classes == 0 ? "has no labels" : "has one class", labels_hint);
  }
  const auto net_options = models::DomainClassifierOptions(info.channels, info.image_size, info.num_classes)
                               .width(options.width)
                               .feature_dim(options.feature_dim)
                               .dropout(options.dropout);
  if (const int64_t multiple = int64_t{1} << net_options.stages(); info.image_size % multiple != 0) {
    fail("data.image_size = {}: the classifier needs a multiple of {} (e.g. 32)", info.image_size, multiple);
  }
  return net_options;
}

/// The opening lines: the data, what is held out, and the plan.
std::string plan(const ClassifierTrainingOptions& options, const data::DataInfo& info,
                 const data::DataOptions& data, const data::ImageSet& held_out, int64_t parameters,
                 int64_t total, int64_t per_epoch) {
  return info.description + '\n' +
         (held_out.images.defined()
              ? fmt::format("held out: {} images for the test accuracy\n", held_out.images.size(0))
              : fmt::format("held out: none ({} has no test split; data.holdout makes one)\n",
                            describe_data(data))) +
         fmt::format(
             "classifier: {} parameters, {} features; {} steps of batch {} ({:.2f} epochs){}; {} threads\n",
             parameters, options.feature_dim, total, options.batch_size,
             static_cast<double>(total) / static_cast<double>(per_epoch), data.hflip ? ", random flips" : "",
             torch::get_num_threads());
}

/// Loss and accuracy summed since the last progress line.
struct Window {
  torch::Tensor loss_sum = torch::zeros({});
  torch::Tensor correct = torch::zeros({}, torch::kLong);
  int64_t steps = 0;
  Clock::time_point start = Clock::now();

  /// The progress line for step `done` of `total`; starts a new window.
  std::string line(int64_t done, int64_t total, int64_t per_epoch, double lr, int64_t batch_size) {
    const double seconds = seconds_since(start);
    const double images = static_cast<double>(steps * batch_size);
    if (!std::isfinite(loss_sum.item<double>())) {
      fail("classifier training diverged at step {}: loss is {} (try a lower --lr)", done,
           loss_sum.item<double>());
    }
    const auto text = fmt::format(
        "step {}/{} epoch {:.2f}: loss {:.4f}, train accuracy {:.4f}, lr {:.2e}, {:.0f} images/s\n", done,
        total, static_cast<double>(done) / static_cast<double>(per_epoch),
        loss_sum.item<double>() / static_cast<double>(steps),
        static_cast<double>(correct.item<int64_t>()) / images, lr, seconds > 0 ? images / seconds : 0.0);
    loss_sum.zero_();
    correct.zero_();
    steps = 0;
    start = Clock::now();
    return text;
  }
};

/// `total` AdamW steps with warm-up and cosine decay; progress lines and a test accuracy each epoch.
void run_training(models::DomainClassifier& net, data::Loader& loader, const data::ImageSet& held_out,
                  const ClassifierTrainingOptions& options, int64_t total) {
  std::ostream* log = options.log;
  torch::optim::AdamW optimizer(net->parameters(),
                                torch::optim::AdamWOptions(options.lr).weight_decay(options.weight_decay));
  const int64_t per_epoch = loader.batches_per_epoch();
  net->train();
  Window window;
  for (int64_t step = 0; step < total; ++step) {
    const auto batch = loader.next();
    set_learning_rate(optimizer, learning_rate(options.lr, step, total));
    const auto logits = net->forward(batch.images);  // [B,K]
    const auto loss = torch::nn::functional::cross_entropy(logits, batch.labels);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    {
      torch::NoGradGuard no_grad;
      window.loss_sum += loss.detach();
      window.correct += logits.argmax(1).eq(batch.labels).sum();
    }
    ++window.steps;
    const int64_t done = step + 1;
    if (log != nullptr && options.log_every > 0 && (done % options.log_every == 0 || done == total)) {
      *log << window.line(done, total, per_epoch, learning_rate(options.lr, step, total), options.batch_size)
           << std::flush;
    }
    if (log != nullptr && held_out.images.defined() && done % per_epoch == 0 && done < total) {
      const auto accuracy = evaluate_classifier(net, held_out);
      *log << fmt::format("epoch {}: test accuracy {:.4f} ({} images)\n", done / per_epoch, accuracy.accuracy,
                          accuracy.n)
           << std::flush;
    }
  }
}

/// What save_domain_classifier stores with the net (test accuracy added by the caller).
models::DomainClassifierInfo describe(const models::DomainClassifier& net, const data::DataOptions& data,
                                      const data::DataInfo& info, const ClassifierTrainingOptions& options,
                                      int64_t total) {
  models::DomainClassifierInfo saved;
  saved.options = net->options;
  saved.data.name = data.name;
  // Absolute, so `classifier eval` finds it from any folder; empty = the set's standard place.
  saved.data.path = data.path.empty() ? "" : std::filesystem::absolute(data.path).lexically_normal().string();
  saved.data.image_size = info.image_size;
  saved.data.channels = info.channels;
  saved.data.fit = data.fit;
  saved.data.holdout = data.holdout;
  saved.shape = {info.channels, info.image_size, info.num_classes};
  saved.steps = total;
  saved.seed = options.seed;
  return saved;
}

/// Trains on `loader`'s batches and tests on `held_out`: the job both entry points share.
ClassifierTrainingResult train_on(data::Loader& loader, const data::ImageSet& held_out,
                                  const models::DomainClassifierOptions& net_options, const data::DataOptions& data,
                                  const ClassifierTrainingOptions& options, Clock::time_point start) {
  const auto& info = loader.info();
  torch::manual_seed(static_cast<uint64_t>(options.seed));
  models::DomainClassifier net(net_options);
  const int64_t per_epoch = loader.batches_per_epoch();
  const int64_t total = options.steps > 0 ? options.steps : options.epochs * per_epoch;
  if (options.log != nullptr) {
    *options.log << plan(options, info, data, held_out, nn::count_parameters(*net), total, per_epoch)
                 << std::flush;
  }
  run_training(net, loader, held_out, options, total);
  net->eval();

  ClassifierTrainingResult result;
  result.net = net;
  result.info = describe(net, data, info, options, total);
  if (held_out.images.defined()) {
    const auto accuracy = evaluate_classifier(net, held_out);
    result.info.test_accuracy = accuracy.accuracy;
    result.info.test_images = accuracy.n;
    if (options.log != nullptr) {
      *options.log << fmt::format("test accuracy {:.4f} ({} images)\n", accuracy.accuracy, accuracy.n)
                   << std::flush;
    }
  }
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace

ClassifierAccuracy evaluate_classifier(models::DomainClassifier& net, const data::ImageSet& set,
                                       int64_t batch_size) {
  TORCH_CHECK(set.images.defined() && set.labels.defined(), "evaluate_classifier: needs labelled images");
  TORCH_CHECK(batch_size > 0, "evaluate_classifier: batch_size must be positive");
  const bool was_training = net->is_training();
  net->eval();
  torch::NoGradGuard no_grad;
  const int64_t n = set.images.size(0);
  auto correct = torch::zeros({}, torch::kLong);
  for (int64_t at = 0; at < n; at += batch_size) {
    const int64_t end = std::min(n, at + batch_size);
    const auto images = data::to_unit_range(set.images.slice(0, at, end));  // uint8 -> [-1,1] float
    correct += net->forward(images).argmax(1).eq(set.labels.slice(0, at, end)).sum();
  }
  net->train(was_training);
  return {n > 0 ? static_cast<double>(correct.item<int64_t>()) / static_cast<double>(n) : 0.0, n};
}

ClassifierTrainingResult train_classifier(const ClassifierTrainingOptions& options) {
  const auto start = Clock::now();
  validate(options);
  torch::set_num_threads(static_cast<int>(system::thread_count(options.threads, "--threads")));
  const auto data = training_data(options);
  auto loader = data::make_loader(data, {options.batch_size, static_cast<uint64_t>(options.seed)});
  const auto net_options = network_options(options, loader->info(), "data " + describe_data(data),
                                           data::find_data_set(data.name).labels_hint);
  // Read before training, so the first lines say whether there is anything to measure.
  const auto held_out = data::load_held_out(data);
  return train_on(*loader, held_out, net_options, data, options, start);
}

ClassifierTrainingResult train_classifier_on_images(data::ImageSet train, const data::ImageSet& held_out,
                                                    const ClassifierTrainingOptions& options,
                                                    const std::string& what) {
  const auto start = Clock::now();
  validate(options);
  torch::set_num_threads(static_cast<int>(system::thread_count(options.threads, "--threads")));
  if (!train.labels.defined()) fail("{}: has no labels; a classifier needs labelled images", what);
  if (train.num_classes == 0) train.num_classes = train.labels.max().item<int64_t>() + 1;
  if (held_out.images.defined() && held_out.images.sizes().slice(1) != train.images.sizes().slice(1)) {
    fail("{}: images of shape {} but the test images are {}", what, c10::str(train.images.sizes().slice(1)),
         c10::str(held_out.images.sizes().slice(1)));
  }
  auto loader = data::make_array_loader(std::move(train), {options.batch_size, static_cast<uint64_t>(options.seed)},
                                        options.hflip.value_or(false), what);
  const auto net_options = network_options(options, loader->info(), what, "");
  data::DataOptions data = options.data;
  data.name = what;
  data.hflip = options.hflip.value_or(false);
  return train_on(*loader, held_out, net_options, data, options, start);
}

}  // namespace gankit::train
