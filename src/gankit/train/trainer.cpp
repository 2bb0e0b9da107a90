#include "gankit/train/trainer.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <iostream>
#include <thread>

#include "gankit/checkpoint/checkpoint.h"
#include "gankit/checkpoint/non_finite.h"
#include "gankit/compute/blas_kernels.h"
#include "gankit/compute/precision.h"
#include "gankit/compat.h"
#include "gankit/data/loader.h"
#include "gankit/data/registry.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/io/grid.h"
#include "gankit/io/image.h"
#include "gankit/models/registry.h"
#include "gankit/nn/parameter_count.h"
#include "gankit/nn/sync_batch_norm.h"
#include "gankit/parallel/group.h"
#include "gankit/report/metrics_log.h"
#include "gankit/report/run_recorder.h"
#include "gankit/system/resources.h"
#include "gankit/train/fid_monitor.h"
#include "gankit/train/run_directory.h"
#include "gankit/train/progress.h"
#include "gankit/train/recipes.h"

namespace gankit::train {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

config::Config stored_config(const fs::path& run_dir) {
  return checkpoint::open_checkpoint(run_dir / "checkpoints" / "latest.pt").header.config;
}

namespace {

torch::Device resolve_device(const std::string& name, int cuda_index) {
  const auto device = config::device_choices().find(name).value_or(config::DeviceChoice::Auto);
  if (device == config::DeviceChoice::Cuda && !compat::cuda_available()) {
    fail("train.device = cuda, but this LibTorch build sees no CUDA device (use cpu or auto)");
  }
  const bool cuda = device == config::DeviceChoice::Cuda ||
                    (device == config::DeviceChoice::Auto && compat::cuda_available());
  // cuDNN benchmark mode: the shapes of a GAN's steps never change, so timing the algorithms
  // once per shape at the start pays for itself within a few steps.
  if (cuda) at::globalContext().setBenchmarkCuDNN(true);
  return cuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(cuda_index)) : torch::Device(torch::kCPU);
}

/// Keeps the process-wide CPU generator where it was: work one rank does alone (grids,
/// evaluation) must not move it, or the ranks' noise would drift apart. It also keeps a run's
/// training noise independent of how often it samples.
class PreservedRandomState {
 public:
  PreservedRandomState() : generator_(compat::default_cpu_generator()) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    state_ = generator_.get_state();
  }
  ~PreservedRandomState() {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(state_);
  }
  PreservedRandomState(const PreservedRandomState&) = delete;
  PreservedRandomState& operator=(const PreservedRandomState&) = delete;

 private:
  at::Generator generator_;
  torch::Tensor state_;
};

/// Discards what is written to it: the progress of ranks other than 0.
std::ostream& null_stream() {
  static std::ostream stream(nullptr);
  return stream;
}

constexpr double kDivergedLoss = 1e12;

/// The first parameter or buffer of the recipe's networks (BatchNorm statistics included) that
/// holds inf or NaN, as "generator.body.0.weight"; empty when all are finite.
std::string first_non_finite_weight(const Recipe& recipe) {
  const char* names[] = {"generator", "discriminator", "weight average"};
  const auto modules = recipe.replicated_modules();
  for (size_t m = 0; m < modules.size(); ++m) {
    if (const auto bad = checkpoint::first_non_finite(*modules[m])) return names[std::min<size_t>(m, 2)] + ("." + *bad);
  }
  return {};
}

/// One training run's state and the loop that advances it.
class Training {
 public:
  Training(config::Config config, const TrainerOptions& options)
      : config_(std::move(config)),
        options_(options),
        group_(options.group.get()),
        lead_(group_ == nullptr || group_->rank() == 0),
        out_(!lead_        ? &null_stream()
             : options.out ? options.out
                           : &std::cout) {}

  TrainResult run();

 private:
  /// Sets the run up: the steps below, in order.
  void prepare();
  /// Rank 0: resolves and checks the config and whether to resume; the others receive both.
  bool decide_setup();
  /// Threads, device and seed of this process.
  torch::Device configure_process();
  /// The loader, and what the data decides (shape, resolved channels and size).
  void open_data();
  /// The recipe, the run's length and the FID monitor.
  void build_recipe(torch::Device device);
  /// Restores the recipe, RNG state and loader position from the latest checkpoint.
  void restore();
  /// The best FID of the resumed run so far, from metrics.jsonl.
  void restore_best_fid();
  void print_banner(torch::Device device, bool resuming);
  /// train.precision resolved for `device` (falling back as options_.precision_from_run allows).
  compute::PrecisionChoice choose_precision(const torch::Device& device) const;
  /// One step and what follows it (logging, grids, evaluation, checkpoints).
  void advance(int64_t& step, std::vector<std::pair<std::string, torch::Tensor>>& sums);
  /// The run's result after the loop, with its closing message.
  TrainResult finish(int64_t step);
  /// Images one step consumes over all ranks.
  double global_batch() const {
    return static_cast<double>(config_.train.batch_size * recipe_->batches_per_step() * (group_ ? group_->size() : 1));
  }
  /// Runs `work` on rank 0 only (the others go on to the next step), without collectives and
  /// without moving the random state the ranks share.
  template <typename Work>
  void alone(Work&& work) {
    if (!lead_) return;
    parallel::LocalOnly no_collectives;
    PreservedRandomState keep_noise;
    work();
  }
  void receive_setup(bool& resuming);
  void make_replicas_identical();
  void check_replicas(int64_t step);
  void log_step(int64_t step, std::vector<std::pair<std::string, torch::Tensor>>& sums, int64_t steps_in_window,
                double seconds);
  /// recipe_->refresh at the run's precision: eval-mode state for the arithmetic that uses it.
  void refresh(int64_t step) {
    compute::AutocastScope autocast(precision_, device_);
    recipe_->refresh(step);
  }
  void write_grid(int64_t step);
  void evaluate(int64_t step);
  void save(int64_t step);
  /// Throws the divergence error: the step, what diverged, and the last good checkpoint.
  [[noreturn]] void diverged(int64_t step, const std::string& what) const;
  void write_checkpoint(int64_t step);

  config::Config config_;
  TrainerOptions options_;
  parallel::Group* group_;  // null: a single process
  bool lead_;                // rank 0 (or the only process): writes the run directory
  std::ostream* out_;
  bool published_setup_ = false;
  RunDirectory run_directory_;  // rank 0: locked for the whole run
  fs::path checkpoint_path_;
  torch::Device device_{torch::kCPU};
  compute::Precision precision_ = compute::Precision::Fp32;  // resolved: never Auto
  std::string precision_reason_;                              // why, for the banner
  std::unique_ptr<data::Loader> loader_;
  std::unique_ptr<Recipe> recipe_;
  std::unique_ptr<report::RunRecorder> recorder_;
  std::unique_ptr<ProgressReporter> progress_;
  std::unique_ptr<FidMonitor> fid_monitor_;  // with train.eval_features
  double best_fid_ = std::numeric_limits<double>::infinity();
  models::DataShape shape_;
  int64_t start_step_ = 0;
  int64_t total_steps_ = 0;
  int64_t saved_at_ = -1;
  int64_t last_good_step_ = -1;  // the step of the newest checkpoint on disk (finite by construction)
  /// Steps and their seconds: since the last metrics line, and over the whole run.
  struct Timing {
    int64_t steps = 0;
    double seconds = 0;
  };
  Timing window_, timed_;
  TrainResult result_;
};

void Training::receive_setup(bool& resuming) {
  const auto setup = nlohmann::json::parse(group_->fetch("setup"));
  if (setup.contains("error")) fail("rank 0 could not start the run: {}", setup["error"].get<std::string>());
  config_ = config::Config::from_toml(setup["config"].get<std::string>(), "rank 0's config");
  resuming = setup["resuming"].get<bool>();
}

void Training::prepare() {
  checkpoint_path_ = options_.run_dir / "checkpoints" / "latest.pt";
  const bool resuming = decide_setup();
  const torch::Device device = configure_process();
  open_data();
  build_recipe(device);
  if (group_ && lead_) {
    published_setup_ = true;
    group_->publish("setup", nlohmann::json{{"config", config_.to_toml()}, {"resuming", resuming}}.dump());
  }
  if (resuming) restore();
  if (group_) make_replicas_identical();
  if (fid_monitor_ && resuming) restore_best_fid();
  if (lead_) {
    fs::create_directories(options_.run_dir / "samples");
    io::write_file_atomically(options_.run_dir / "config.toml", config_.to_toml());
    recorder_ =
        std::make_unique<report::RunRecorder>(options_.run_dir, config_.report, resuming ? start_step_ : -1);
  }
  print_banner(device, resuming);
  progress_ = std::make_unique<ProgressReporter>(*out_, options_.interactive, start_step_, total_steps_);
}

bool Training::decide_setup() {
  bool resuming = false;
  if (!lead_) {
    receive_setup(resuming);  // rank 0 decides the config and whether to resume
    return resuming;
  }
  config_.apply_model_recipe();
  config_.validate();
  run_directory_ = RunDirectory::claim(options_.run_dir, options_.resume);
  return options_.resume && fs::exists(checkpoint_path_);
}

compute::PrecisionChoice Training::choose_precision(const torch::Device& device) const {
  const auto& model = config_.model.name;
  const auto requested = compute::parse_precision(config_.train.precision, "train.precision");
  try {
    return models::resolve_model_precision(requested, device, model, "train.precision");
  } catch (const gankit::Error& error) {
    if (!options_.precision_from_run) throw;
    // A run moved to another machine is continued, not lost; it cannot match bit for bit anyway.
    auto here = models::resolve_model_precision(compute::Precision::Auto, device, model, "train.precision");
    std::cerr << fmt::format(
        "gankit: warning: this run trained at train.precision = {}, which cannot run here ({}); continuing at {} "
        "(the continuation will not match an uninterrupted run bit for bit)\n",
        config_.train.precision, error.what(), compute::precision_name(here.precision));
    here.reason = fmt::format("the run's {} cannot run here", config_.train.precision);
    return here;
  }
}

torch::Device Training::configure_process() {
  const auto& t = config_.train;
  torch::set_num_threads(static_cast<int>(system::thread_count(t.threads, "train.threads")));
  const torch::Device device = resolve_device(t.device, options_.cuda_device);
  const auto precision = choose_precision(device);
  device_ = device;
  precision_ = precision.precision;
  precision_reason_ = precision.reason;
  if (precision_ == compute::Precision::Fp16 && group_ != nullptr && group_->size() > 1) {
    // Each process would skip its own steps on inf/NaN, and the gradient all-reduce needs them all.
    fail("train.precision: fp16's loss scaling runs per process; with several processes use bf16");
  }
  config_.train.precision = compute::precision_name(precision_);  // config.toml and a resume keep the choice
  torch::manual_seed(static_cast<uint64_t>(t.seed));
  return device;
}

void Training::open_data() {
  const auto& t = config_.train;
  const int64_t ranks = group_ ? group_->size() : 1;
  loader_ = data::make_loader(config_.data, {t.batch_size, static_cast<uint64_t>(t.seed), group_ ? group_->rank() : 0, ranks});
  const auto& info = loader_->info();
  shape_ = {info.channels, info.image_size, info.num_classes};
  config_.data.channels = info.channels;  // the resolved config records what the run really used
  config_.data.image_size = info.image_size;
  if (models::find_model(config_.model.name).conditional && info.num_classes < 2) {
    fail("model {} is conditional and needs labelled data, but data {}{} has no labels{}", config_.model.name,
         config_.data.name, config_.data.path.empty() ? "" : " at " + config_.data.path,
         data::find_data_set(config_.data.name).labels_hint);
  }
}

void Training::build_recipe(torch::Device device) {
  const auto& t = config_.train;
  {
    nn::BuildSyncBatchNorm sync_batch_norm(group_ != nullptr && t.sync_bn);
    recipe_ = make_recipe(config_, loader_->info(), device, group_);
  }
  recipe_->use_loss_scaling(precision_ == compute::Precision::Fp16);
  const int64_t steps_per_epoch = std::max<int64_t>(1, loader_->batches_per_epoch() / recipe_->batches_per_step());
  total_steps_ = t.steps > 0 ? t.steps : t.epochs * steps_per_epoch;
  if (lead_ && !t.eval_features.empty()) {
    if (!models::generates_from_noise(recipe_->kind())) {
      fail(
          "train.eval_features: FID during training needs a model that generates from noise; {} is a {} "
          "model",
          config_.model.name, models::kind_name(recipe_->kind()));
    }
    fid_monitor_ = std::make_unique<FidMonitor>(t.eval_features, config_.data, t.eval_samples);
  }
}

void Training::restore() {
  // Every rank restores from rank 0's file: the others may not share its disk.
  auto opened =
      !group_ ? checkpoint::open_checkpoint(checkpoint_path_)
              : checkpoint::open_checkpoint_bytes(
                    group_->broadcast_bytes(lead_ ? io::read_file_bytes(checkpoint_path_, "checkpoint") : ""),
                    checkpoint_path_.string());
  const auto& saved = opened.header.shape;
  if (saved.channels != shape_.channels || saved.image_size != shape_.image_size ||
      saved.num_classes != shape_.num_classes) {
    fail("{}: was trained on {}x{}x{} images ({} classes), the data now gives {}x{}x{} ({} classes)",
         checkpoint_path_.string(), saved.channels, saved.image_size, saved.image_size, saved.num_classes,
         shape_.channels, shape_.image_size, shape_.image_size, shape_.num_classes);
  }
  try {
    checkpoint::restore_training_state(opened, *recipe_);
  } catch (const c10::Error& e) {
    fail("{}: does not match model {} ({})", checkpoint_path_.string(), config_.model.name,
         std::string(e.what_without_backtrace()).substr(0, 200));
  }
  start_step_ = opened.header.step;
  last_good_step_ = start_step_;
  loader_->seek(opened.header.batches_seen);
}

void Training::restore_best_fid() {
  // The best FID of the run so far, from the lines the resumed log keeps.
  for (const auto& record : report::MetricsLog::read(options_.run_dir / "metrics.jsonl")) {
    if (record.contains("fid") && record.value("step", int64_t{0}) <= start_step_) {
      best_fid_ = std::min(best_fid_, record["fid"].get<double>());
    }
  }
}

void Training::print_banner(torch::Device device, bool resuming) {
  const auto& t = config_.train;
  const int64_t ranks = group_ ? group_->size() : 1;
  const std::string batch = ranks > 1 ? fmt::format("{} ({} processes x {})", t.batch_size * ranks, ranks, t.batch_size)
                                      : std::to_string(t.batch_size);
  *out_ << loader_->info().description << '\n'
        << fmt::format("model {}: G {} + D {} parameters; {} steps of batch {}; {} threads{} on {}\n",
                       config_.model.name, nn::count_parameters(recipe_->generator_module()),
                       nn::count_parameters(recipe_->discriminator_module()), total_steps_, batch,
                       torch::get_num_threads(), ranks > 1 ? " per process" : "", device.str());
  *out_ << fmt::format("precision {} ({}); {}\n", config_.train.precision, precision_reason_,
                       compute::describe_blas_kernels());
  if (const auto note = recipe_->missing_held_out(); !note.empty()) *out_ << note << '\n';
  if (resuming) *out_ << fmt::format("resuming {} from step {}\n", options_.run_dir.string(), start_step_);
  *out_ << std::flush;
}

std::vector<torch::Tensor> replicated_tensors(const Recipe& recipe, bool with_buffers) {
  std::vector<torch::Tensor> tensors;
  for (const auto* module : recipe.replicated_modules()) {
    for (const auto& p : module->parameters()) tensors.push_back(p);
    if (with_buffers) {
      for (const auto& b : module->buffers()) tensors.push_back(b);
    }
  }
  return tensors;
}

void Training::make_replicas_identical() {
  torch::NoGradGuard no_grad;
  group_->broadcast(replicated_tensors(*recipe_, /*with_buffers=*/true));
}

void Training::check_replicas(int64_t step) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat;
  for (const auto& p : replicated_tensors(*recipe_, /*with_buffers=*/false)) flat.push_back(p.reshape({-1}));
  const auto mine = torch::cat(flat);
  auto rank0 = mine.clone();
  group_->broadcast({rank0});
  const double worst = group_->max((mine - rank0).abs().max().item<double>());
  if (worst > 0) {
    fail("after step {}: the ranks' weights differ by up to {:g}; the data-parallel run has gone out of step", step,
         worst);
  }
}

void Training::log_step(int64_t step, std::vector<std::pair<std::string, torch::Tensor>>& sums,
                        int64_t steps_in_window, double seconds) {
  const double images_per_s = seconds > 0 ? steps_in_window * global_batch() / seconds : 0;
  if (group_) {
    // Every rank's window, averaged: the logged losses are those of the global batch.
    std::vector<torch::Tensor> values;
    for (const auto& scalar : sums) values.push_back(scalar.second.detach().to(torch::kCPU, torch::kDouble).reshape({1}));
    auto averaged = torch::cat(values);
    group_->average({averaged});
    for (size_t i = 0; i < sums.size(); ++i) sums[i].second = averaged[static_cast<int64_t>(i)];
  }
  nlohmann::json record{{"step", step},
                        {"epoch", static_cast<double>(loader_->position()) / loader_->batches_per_epoch()}};
  ProgressReporter::Scalars scalars;
  for (auto& [name, sum] : sums) {
    const double mean = sum.item<double>() / steps_in_window;
    // On every rank alike: the values are averaged over them. A GAN loss beyond 1e12 has diverged
    // as surely as a NaN (the weights behind it overflow a few steps later).
    if (!std::isfinite(mean) || std::abs(mean) > kDivergedLoss) diverged(step, fmt::format("{} is {}", name, mean));
    record[name] = mean;
    scalars.emplace_back(name, mean);
  }
  sums.clear();
  if (!lead_) return;
  const auto [lr_g, lr_d] = recipe_->learning_rates();
  record["lr_g"] = lr_g;
  record["lr_d"] = lr_d;
  record["images_per_s"] = images_per_s;
  record["precision"] = config_.train.precision;
  if (precision_ == compute::Precision::Fp16) {
    record["loss_scale"] = recipe_->loss_scaler().current_scale();
    record["skipped_steps"] = recipe_->loss_scaler().skipped_steps();
  }
  record["rss_mb"] = system::resident_memory_mb();  // a leak shows as a rising line in plots/memory.png
  recorder_->record(record);
  progress_->report(step, scalars, images_per_s);
}

void Training::write_grid(int64_t step) {
  refresh(step);
  result_.last_grid = options_.run_dir / "samples" / fmt::format("step_{:06}.png", step);
  recipe_->write_progress_image(result_.last_grid);
  recorder_->image(step, result_.last_grid);
  // The run's last grid is shown by the final refresh in run(), after the last evaluation.
  if (step < total_steps_) recorder_->refresh({"running", step, total_steps_});
}

void Training::evaluate(int64_t step) {
  refresh(step);
  auto evaluation = recipe_->evaluate();
  std::optional<double> fid;
  if (fid_monitor_) {
    // The same noise at every evaluation, so FIDs along the run compare like with like.
    const auto [images, labels] = recipe_->draw_samples(fid_monitor_->samples(), 0x5eed0f1d);
    for (auto& score : fid_monitor_->evaluate(images, labels)) {
      if (score.first == "fid") fid = score.second;
      evaluation.push_back(std::move(score));
    }
  }
  if (evaluation.empty()) return;
  nlohmann::json record{{"step", step}};
  std::string line = fid_monitor_ ? "eval:" : "held-out:";
  for (const auto& [name, value] : evaluation) {
    record[name] = value;
    line += fmt::format(" {} {:.4g}", name, value);
  }
  recorder_->record(record);
  if (fid && *fid < best_fid_) {
    best_fid_ = *fid;
    checkpoint::save_checkpoint(options_.run_dir / "checkpoints" / "best.pt", *recipe_,
                                {recipe_->kind(), config_, shape_, step, loader_->position()});
    line += " (best so far: checkpoints/best.pt)";
  }
  progress_->message(line);
}

void Training::save(int64_t step) {
  if (group_) check_replicas(step);
  // Never save what diverged: on every rank alike (their weights are identical).
  const std::string bad = first_non_finite_weight(*recipe_);
  if (!bad.empty()) diverged(step, bad + " holds inf or NaN");
  saved_at_ = step;
  alone([&] { write_checkpoint(step); });
  last_good_step_ = step;
}

void Training::diverged(int64_t step, const std::string& what) const {
  const std::string kept =
      last_good_step_ < 0 ? "no checkpoint was saved before it"
                          : fmt::format("the last good checkpoint is {} (step {})", checkpoint_path_.string(), last_good_step_);
  fail("training diverged at step {}: {}; {}; try a lower learning rate", step, what, kept);
}

void Training::write_checkpoint(int64_t step) {
  refresh(step);
  checkpoint::CheckpointHeader header{recipe_->kind(), config_, shape_, step, loader_->position()};
  checkpoint::save_checkpoint(checkpoint_path_, *recipe_, header);
  // Keep a numbered copy too: a hard link costs no space until latest.pt is replaced.
  const auto numbered = checkpoint_path_.parent_path() / fmt::format("step_{:06}.pt", step);
  std::error_code ec;
  fs::remove(numbered, ec);
  fs::create_hard_link(checkpoint_path_, numbered, ec);
  if (ec) fs::copy_file(checkpoint_path_, numbered, ec);
  result_.checkpoint = checkpoint_path_;
}

TrainResult Training::run() {
  parallel::CurrentGroup in_group(group_);
  try {
    prepare();
  } catch (const std::exception& e) {
    // The other ranks wait for rank 0's setup: tell them it failed, so they stop too.
    if (group_ && lead_ && !published_setup_) {
      try {
        group_->publish("setup", nlohmann::json{{"error", e.what()}}.dump());
      } catch (const std::exception&) {
      }
    }
    throw;
  }
  std::vector<std::pair<std::string, torch::Tensor>> sums;
  int64_t step = start_step_;
  while (step < total_steps_) {
    bool stop = options_.stop != nullptr && options_.stop->load();
    if (group_) stop = group_->max(stop ? 1.0 : 0.0) > 0;  // every rank stops after the same step
    if (stop) {
      result_.interrupted = true;
      break;
    }
    advance(step, sums);
  }
  return finish(step);
}

void Training::advance(int64_t& step, std::vector<std::pair<std::string, torch::Tensor>>& sums) {
  const auto& t = config_.train;
  const auto step_start = Clock::now();  // times the step itself, data wait included
  auto stats = [&] {
    compute::AutocastScope autocast(precision_, device_);
    return recipe_->train_step(*loader_);
  }();
  recipe_->update_loss_scale();
  window_.seconds += std::chrono::duration<double>(Clock::now() - step_start).count();
  ++step, ++window_.steps;
  recipe_->end_step(step, total_steps_);
  if (sums.empty()) {
    sums = std::move(stats.scalars);
  } else {
    for (size_t i = 0; i < sums.size(); ++i) sums[i].second = sums[i].second + stats.scalars[i].second;
  }
  progress_->tick(step);
  const bool last = step == total_steps_;
  if (step % t.log_every == 0 || last) {
    log_step(step, sums, window_.steps, window_.seconds);
    timed_.steps += window_.steps, timed_.seconds += window_.seconds;
    window_ = {};
  }
  if ((t.sample_every > 0 && step % t.sample_every == 0) || last) alone([&] { write_grid(step); });
  if ((t.eval_every > 0 && step % t.eval_every == 0) || last) alone([&] { evaluate(step); });
  if ((t.checkpoint_every > 0 && step % t.checkpoint_every == 0) || last) save(step);
}

TrainResult Training::finish(int64_t step) {
  if (result_.interrupted && saved_at_ != step && step > start_step_) save(step);
  if (recorder_) {
    result_.report = recorder_->refresh({result_.interrupted ? "interrupted" : "finished", step, total_steps_});
  }
  result_.step = step;
  result_.total_steps = total_steps_;
  result_.images_per_s = timed_.seconds > 0 ? timed_.steps * global_batch() / timed_.seconds : 0;
  if (group_ && saved_at_ >= 0) {  // every save compared the ranks' weights first
    progress_->message(fmt::format("{} processes: weights identical on every rank at step {}", group_->size(),
                                   saved_at_));
  }
  progress_->message(result_.interrupted
                         ? fmt::format("interrupted at step {}; continue with --resume", step)
                         : fmt::format("done: {} steps, {:.0f} images/s", step, result_.images_per_s));
  return result_;
}

}  // namespace

TrainResult train(config::Config config, const TrainerOptions& options) {
  return Training(std::move(config), options).run();
}

}  // namespace gankit::train
