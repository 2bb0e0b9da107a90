#include "gankit/data/loader.h"

#include "gankit/compat.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include "gankit/compat.h"
#include "gankit/data/array_loader.h"
#include "gankit/data/pairs.h"
#include "gankit/data/parallel.h"
#include "gankit/data/registry.h"
#include "gankit/data/source.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/image.h"

namespace gankit::data {

namespace {

void validate(const DataOptions& data) {
  if (data.split != "train" && data.split != "test") {
    fail("data.split = '{}': unknown (valid: train, test)", data.split);
  }
  if (data.image_size < 0) {
    fail("data.image_size = {}: must be 0 (own size) or positive", data.image_size);
  }
  if (data.channels != 0 && data.channels != 1 && data.channels != 3) {
    fail("data.channels = {}: must be 0 (own), 1 or 3", data.channels);
  }
  parse_fit(data.fit);
  if (data.load_size != 0 && (data.image_size == 0 || data.load_size < data.image_size)) {
    fail("data.load_size = {}: must be 0 or at least data.image_size ({}, not 0)", data.load_size,
         data.image_size);
  }
  const Pairs pairs = parse_pairs(data.pairs);
  if (parse_b_to_a(data.direction) && pairs == Pairs::none) {
    fail("data.direction = BtoA: needs paired data (set data.pairs)");
  }
  if (data.holdout < 0) fail("data.holdout = {}: must be 0 (off) or more", data.holdout);
  if (data.max_memory_mb < 0) fail("data.max_memory_mb = {}: must be >= 0", data.max_memory_mb);
  if (data.workers < 0) fail("data.workers = {}: must be >= 0 (0 = all cores)", data.workers);
  if (data.prefetch < 0) fail("data.prefetch = {}: must be >= 0", data.prefetch);
  if (data.max_image_pixels < 1) fail("data.max_image_pixels = {}: must be at least 1", data.max_image_pixels);
  io::set_max_image_pixels(data.max_image_pixels);
}

// Reads the set named by `data` and fits it to `size` (the size images are held at).
Source open_source(const DataOptions& data, int64_t size, int64_t max_bytes, OpenedData& opened) {
  validate(data);
  opened = read_data_set(data);
  const FitSpec spec{size, parse_fit(data.fit), data.channels};
  return make_source(std::move(opened.raw), spec, parse_pairs(data.pairs), max_bytes,
                     resolve_workers(data.workers), opened.path.string());
}

// Independent, reproducible seeds for (run seed, purpose, index): splitmix64 finalisers.
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
enum class Stream : uint64_t { epoch_order = 1, augment = 2 };
torch::Generator seeded(uint64_t seed, Stream stream, int64_t index) {
  const uint64_t base = splitmix64(seed ^ splitmix64(static_cast<uint64_t>(stream)));
  return make_generator(splitmix64(base + static_cast<uint64_t>(index)));
}

// The shuffled order of one epoch, cached: batches of an epoch share it.
struct EpochOrder {
  int64_t epoch = -1;
  torch::Tensor permutation;  // [N] int64
};

class BatchLoader final : public Loader {
 public:
  BatchLoader(Source source, DataInfo info, const LoaderOptions& options, int64_t crop_size, bool hflip,
              bool b_to_a, int64_t prefetch)
      : source_(std::move(source)),
        info_(std::move(info)),
        batch_size_(options.batch_size),
        global_batch_(options.batch_size * options.world_size),
        first_row_(options.batch_size * options.rank),
        seed_(options.seed),
        crop_size_(crop_size),
        hflip_(hflip),
        b_to_a_(b_to_a),
        prefetch_(prefetch) {}

  ~BatchLoader() override { stop(); }

  const DataInfo& info() const override { return info_; }
  int64_t batches_per_epoch() const override { return source_.size() / global_batch_; }
  int64_t position() const override { return position_; }

  void seek(int64_t batch_index) override {
    if (batch_index < 0) fail("cannot seek to batch {}: must be >= 0", batch_index);
    stop();
    position_ = batch_index;
  }

  Batch next() override {
    if (prefetch_ == 0) {  // no background thread: build it here
      Batch batch = make_batch(position_, order_);
      ++position_;
      return batch;
    }
    if (!worker_.joinable()) start();  // lazily, so a seek() right after opening wastes nothing
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || error_; });
    if (ready_.empty()) std::rethrow_exception(error_);  // batches made before the error come first
    Batch batch = std::move(ready_.front());
    ready_.pop_front();
    ++position_;
    lock.unlock();
    changed_.notify_all();
    return batch;
  }

 private:
  // Batch k: a pure function of (data, seed, k).
  Batch make_batch(int64_t k, EpochOrder& order) const {
    const int64_t epoch = k / batches_per_epoch(), within = k % batches_per_epoch();
    if (order.epoch != epoch) {
      auto generator = seeded(seed_, Stream::epoch_order, epoch);
      order.permutation = torch::randperm(source_.size(), generator, torch::kLong);
      order.epoch = epoch;
    }
    const int64_t first = within * global_batch_ + first_row_;  // this rank's rows of the global batch
    const auto indices = order.permutation.slice(0, first, first + batch_size_);
    // Paired: A and B stacked along channels, so one crop window and one flip serve both.
    auto images = source_.gather(indices);  // [B,C,L,L] or [B,2C,L,L] uint8
    if (crop_size_ > 0 || hflip_) {
      auto generator = seeded(seed_, Stream::augment, k);
      if (crop_size_ > 0) images = random_crop(images, crop_size_, generator, first_row_, global_batch_);  // [B,C|2C,S,S]
      if (hflip_) images = random_hflip(images, generator, first_row_, global_batch_);
    }
    Batch batch;
    if (source_.paired()) {
      const int64_t c = source_.channels();
      auto a = images.narrow(1, 0, c), b = images.narrow(1, c, c);  // [B,C,S,S] each
      batch.images = to_unit_range(b_to_a_ ? b : a);                // float32 in [-1,1]
      batch.targets = to_unit_range(b_to_a_ ? a : b);
    } else {
      batch.images = to_unit_range(images);  // [B,C,S,S] float32 in [-1,1]
    }
    if (source_.labels().defined()) batch.labels = source_.labels().index_select(0, indices);
    return batch;
  }

  void start() {
    stopping_ = false;
    worker_ = std::thread([this, first = position_] { produce(first); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
    ready_.clear();
    error_ = nullptr;
  }

  // The background thread: batches first, first+1, ... until stopped, at most prefetch_ ahead.
  void produce(int64_t first) {
    compat::run_intraop_on_this_thread_only();  // batches are small; the step needs the cores
    EpochOrder order;
    for (int64_t k = first;; ++k) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock,
                      [&] { return stopping_ || static_cast<int64_t>(ready_.size()) < prefetch_; });
        if (stopping_) return;
      }
      Batch batch;
      try {
        batch = make_batch(k, order);
      } catch (...) {  // handed to the consumer, re-thrown by next() in its thread
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = std::current_exception();
        changed_.notify_all();
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
        ready_.push_back(std::move(batch));
      }
      changed_.notify_all();
    }
  }

  const Source source_;
  const DataInfo info_;
  const int64_t batch_size_;
  const int64_t global_batch_;  // batch_size_ * world size
  const int64_t first_row_;     // this rank's first row in a global batch
  const uint64_t seed_;
  const int64_t crop_size_;  // 0 = no random crop
  const bool hflip_;
  const bool b_to_a_;  // paired: B is the input
  const int64_t prefetch_;
  int64_t position_ = 0;  // touched by the consumer's thread only
  EpochOrder order_;      // for prefetch_ == 0

  std::mutex mutex_;
  std::condition_variable changed_;  // a batch was added or taken, or stop was asked
  std::deque<Batch> ready_;          // guarded by mutex_
  std::exception_ptr error_;         // guarded by mutex_
  bool stopping_ = false;            // guarded by mutex_
  std::thread worker_;
};

std::string describe(const DataOptions& data, const OpenedData& opened, const Source& source,
                     int64_t image_size) {
  const std::string crop =
      image_size != source.image_size()
          ? fmt::format(" (random crops of {}x{})", source.image_size(), source.image_size())
          : "";
  const std::string items = source.paired()
                                ? fmt::format("{} pairs ({}, {})", source.size(), data.pairs, data.direction)
                                : fmt::format("{} images", source.size());
  const std::string classes =
      source.labels().defined() ? fmt::format("{} classes", source.num_classes()) : "unlabelled";
  const std::string storage =
      source.streamed() ? fmt::format("streamed from disk by {} threads", source.workers())
                        : "in memory";
  const std::string held_out = data.holdout > 0 ? fmt::format(" (test = the last {})", data.holdout) : "";
  return fmt::format("{}{}{}: {}, {}x{}x{}{}, {}, {} (from {})", data.name,
                     opened.part.empty() ? "" : " " + opened.part, held_out, items, source.channels(),
                     image_size, image_size, crop, classes, storage, opened.path.string());
}

}  // namespace

std::unique_ptr<Loader> make_loader(const DataOptions& data, const LoaderOptions& options) {
  if (options.batch_size <= 0) fail("batch_size = {}: must be positive", options.batch_size);
  if (options.world_size < 1 || options.rank < 0 || options.rank >= options.world_size) {
    fail("rank {} of {}: not a valid data-parallel position", options.rank, options.world_size);
  }
  const bool crop = data.load_size > data.image_size;
  const int64_t max_bytes = data.max_memory_mb > std::numeric_limits<int64_t>::max() >> 20
                                ? std::numeric_limits<int64_t>::max()
                                : data.max_memory_mb << 20;
  OpenedData opened;
  Source source = open_source(data, crop ? data.load_size : data.image_size, max_bytes, opened);
  if (source.size() < options.batch_size * options.world_size) {
    if (options.world_size > 1) {
      fail("{}: {} images, fewer than one global batch of {} ({} processes x {})", opened.path.string(),
           source.size(), options.batch_size * options.world_size, options.world_size, options.batch_size);
    }
    fail("{}: {} images, fewer than one batch of {}", opened.path.string(), source.size(),
         options.batch_size);
  }
  DataInfo info;
  info.size = source.size();
  info.channels = source.channels();
  info.image_size = crop ? data.image_size : source.image_size();
  info.num_classes = source.num_classes();
  info.streamed = source.streamed();
  info.paired = source.paired();
  info.description = describe(data, opened, source, info.image_size);
  return std::make_unique<BatchLoader>(std::move(source), std::move(info), options,
                                       crop ? data.image_size : 0, data.hflip, parse_b_to_a(data.direction),
                                       data.prefetch);
}

ImageSet load_held_out(const DataOptions& data) {
  auto test = data;
  test.split = "test";
  try {
    // A set without split folders reads as a whole for either split: that is no held-out data.
    const auto part = read_data_set(test).part;
    if (part != "test" && part != "val") return {};
  } catch (const gankit::Error&) {
    return {};  // no test split
  }
  return load_images(test);
}

ImageSet load_images(const DataOptions& data) {
  OpenedData opened;
  auto set = open_source(data, data.image_size, std::numeric_limits<int64_t>::max(), opened).all();
  if (set.targets.defined()) {
    if (parse_b_to_a(data.direction)) std::swap(set.images, set.targets);
    set.images = set.images.contiguous();  // the two sides may be views of one [N,2C,S,S] tensor
    set.targets = set.targets.contiguous();
  }
  return set;
}

std::unique_ptr<Loader> make_array_loader(ImageSet set, const LoaderOptions& options, bool hflip,
                                          const std::string& description) {
  if (options.batch_size <= 0) fail("batch_size = {}: must be positive", options.batch_size);
  const auto& images = set.images;
  if (!images.defined() || images.dim() != 4 || images.scalar_type() != torch::kUInt8 ||
      images.size(2) != images.size(3)) {
    fail("{}: expected uint8 images [N,C,S,S]", description);
  }
  if (set.labels.defined() && (set.labels.dim() != 1 || set.labels.size(0) != images.size(0))) {
    fail("{}: {} labels for {} images", description, set.labels.numel(), images.size(0));
  }
  if (images.size(0) < options.batch_size * options.world_size) {
    fail("{}: {} images, fewer than one batch of {}", description, images.size(0),
         options.batch_size * options.world_size);
  }
  DataInfo info;
  info.size = images.size(0);
  info.channels = images.size(1);
  info.image_size = images.size(2);
  info.num_classes = set.labels.defined() ? set.num_classes : 0;
  info.description = description;
  set.targets = torch::Tensor();
  return std::make_unique<BatchLoader>(Source(std::move(set)), std::move(info), options, 0, hflip,
                                       /*b_to_a=*/false, /*prefetch=*/2);
}

}  // namespace gankit::data
