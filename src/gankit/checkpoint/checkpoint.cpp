#include "gankit/checkpoint/checkpoint.h"

#include <mutex>
#include <optional>

#include "gankit/compat.h"
#include "gankit/error.h"
#include "gankit/io/atomic_file.h"

namespace gankit::checkpoint {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "gankit-checkpoint/1";

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

c10::IValue read_value(torch::serialize::InputArchive& archive, const std::string& key,
                       const fs::path& path) {
  c10::IValue value;
  if (!archive.try_read(key, value)) fail("{}: not a gankit checkpoint (no '{}' entry)", path.string(), key);
  return value;
}

}  // namespace

void save_checkpoint(const fs::path& path, const TrainingState& state, const CheckpointHeader& header) {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kFormat)));
  archive.write("kind", c10::IValue(std::string(models::kind_name(header.kind))));
  archive.write("config", c10::IValue(header.config.to_toml()));
  archive.write("channels", c10::IValue(header.shape.channels));
  archive.write("image_size", c10::IValue(header.shape.image_size));
  archive.write("num_classes", c10::IValue(header.shape.num_classes));
  archive.write("step", c10::IValue(header.step));
  archive.write("batches_seen", c10::IValue(header.batches_seen));
  {
    auto generator = compat::default_cpu_generator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("rng_cpu", generator.get_state(), /*is_buffer=*/true);
  }
  state.save(archive);
  io::write_atomically(path, [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
}

OpenedCheckpoint open_checkpoint_of_kind(const fs::path& path, models::ModelKind kind,
                                         const std::string& command) {
  auto opened = open_checkpoint(path);
  if (opened.header.kind != kind) {
    fail("{}: is a '{}' checkpoint; {} needs {} '{}' one", path.string(),
         models::kind_name(opened.header.kind), command, models::kind_article(kind), models::kind_name(kind));
  }
  return opened;
}

void load_module(OpenedCheckpoint& checkpoint, std::initializer_list<const char*> keys,
                 torch::nn::Module& module, const fs::path& path, const std::string& model_name) {
  try {
    torch::serialize::InputArchive archive;
    bool found = false;
    for (const char* key : keys) {
      if ((found = checkpoint.archive.try_read(key, archive))) break;
    }
    if (!found) fail("{}: holds no {} weights", path.string(), *keys.begin());
    module.load(archive);
  } catch (const c10::Error& e) {
    const std::string reason = e.what_without_backtrace();
    fail("{}: generator weights do not match {} ({})", path.string(), model_name,
         reason.substr(0, reason.find('\n')));
  }
}

namespace {

/// Reads and checks the header of an archive `load` fills; `name` is the file in errors.
template <typename Load>
OpenedCheckpoint open_archive(const std::string& name, Load&& load) {
  OpenedCheckpoint opened;
  try {
    load(opened.archive);
  } catch (const c10::Error& e) {
    fail("{}: not a gankit checkpoint (unreadable: {})", name, first_line(e.what_without_backtrace()));
  }
  auto& archive = opened.archive;
  const fs::path path(name);
  const auto format = read_value(archive, "format", path);
  if (!format.isString() || format.toStringRef() != kFormat) {
    fail("{}: not a gankit checkpoint (format '{}', expected '{}')", name,
         format.isString() ? format.toStringRef() : "?", kFormat);
  }
  auto& header = opened.header;
  const auto kind = read_value(archive, "kind", path);
  const auto known = kind.isString() ? models::model_kinds().find(kind.toStringRef()) : std::nullopt;
  if (!known) {
    fail("{}: not a gankit checkpoint (kind '{}', expected {})", name,
         kind.isString() ? kind.toStringRef() : "?", models::model_kinds().names(" or "));
  }
  header.kind = *known;
  header.config =
      config::Config::from_toml(read_value(archive, "config", path).toStringRef(), name + " (stored config)");
  header.shape.channels = read_value(archive, "channels", path).toInt();
  header.shape.image_size = read_value(archive, "image_size", path).toInt();
  header.shape.num_classes = read_value(archive, "num_classes", path).toInt();
  header.step = read_value(archive, "step", path).toInt();
  header.batches_seen = read_value(archive, "batches_seen", path).toInt();
  return opened;
}

}  // namespace

OpenedCheckpoint open_checkpoint(const fs::path& path) {
  if (!fs::exists(path)) fail("{}: no such checkpoint", path.string());
  if (fs::is_directory(path)) {
    fail("{}: is a folder; pass a checkpoint file such as {}/checkpoints/latest.pt", path.string(),
         path.string());
  }
  return open_archive(path.string(),
                      [&](torch::serialize::InputArchive& archive) { archive.load_from(path.string()); });
}

OpenedCheckpoint open_checkpoint_bytes(const std::string& bytes, const std::string& name) {
  return open_archive(
      name, [&](torch::serialize::InputArchive& archive) { archive.load_from(bytes.data(), bytes.size()); });
}

void restore_training_state(OpenedCheckpoint& checkpoint, TrainingState& state) {
  state.load(checkpoint.archive);
  torch::Tensor rng_state;
  checkpoint.archive.read("rng_cpu", rng_state, /*is_buffer=*/true);
  auto generator = compat::default_cpu_generator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(rng_state);
}

}  // namespace gankit::checkpoint
