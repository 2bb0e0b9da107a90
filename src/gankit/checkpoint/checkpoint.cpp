#include "gankit/checkpoint/checkpoint.h"

#include <limits>
#include <mutex>
#include <optional>

#include "gankit/checkpoint/non_finite.h"
#include "gankit/compat.h"
#include "gankit/data/data_options.h"
#include "gankit/error.h"
#include "gankit/io/archive_file.h"

namespace gankit::checkpoint {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "gankit-checkpoint/1";

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

/// "PATH: damaged checkpoint (REASON)" or "PATH: not a gankit checkpoint (REASON)".
[[noreturn]] void fail_archive(const io::ArchiveError& error, const std::string& name) {
  if (error.problem() == io::ArchiveError::Problem::kDamaged) {
    fail("{}: damaged checkpoint ({})", name, error.reason());
  }
  fail("{}: not a gankit checkpoint ({})", name, error.reason());
}

/// The root value `key` of a checkpoint's archive, checked by `is` (which `type` names in errors).
template <typename Is>
const c10::IValue& header_value(const io::ArchiveTree& tree, const std::string& key, const std::string& name,
                                const char* type, Is&& is) {
  for (const auto& entry : tree.entries) {
    if (entry.key != key) continue;
    if (entry.kind != io::ArchiveTree::Kind::kValue || !is(entry.value)) {
      fail("{}: not a gankit checkpoint ('{}' is not {})", name, key, type);
    }
    return entry.value;
  }
  fail("{}: not a gankit checkpoint (no '{}' entry)", name, key);
}

std::string header_string(const io::ArchiveTree& tree, const std::string& key, const std::string& name) {
  return header_value(tree, key, name, "a string", [](const c10::IValue& v) { return v.isString(); })
      .toStringRef();
}

int64_t header_int(const io::ArchiveTree& tree, const std::string& key, const std::string& name) {
  return header_value(tree, key, name, "an integer", [](const c10::IValue& v) { return v.isInt(); }).toInt();
}

/// Largest image side a checkpoint may declare (data.image_size allows 2048; native image folders
/// may be larger, up to io's pixel limit).
constexpr int64_t kMaxImageSize = 8192;

int64_t header_int_in(const io::ArchiveTree& tree, const std::string& key, const std::string& name,
                      int64_t low, int64_t high) {
  const int64_t value = header_int(tree, key, name);
  if (value < low || value > high) {
    fail("{}: not a gankit checkpoint (header {} = {}, expected {}..{})", name, key, value, low, high);
  }
  return value;
}

/// The header a checkpoint's tree holds, read from the validated tree itself.
CheckpointHeader read_header(const io::ArchiveTree& tree, const std::string& name) {
  const auto format = header_string(tree, "format", name);
  if (format != kFormat)
    fail("{}: not a gankit checkpoint (format '{}', expected '{}')", name, format, kFormat);
  const auto kind = header_string(tree, "kind", name);
  const auto known = models::model_kinds().find(kind);
  if (!known) {
    fail("{}: not a gankit checkpoint (kind '{}', expected {})", name, kind,
         models::model_kinds().names(" or "));
  }
  CheckpointHeader header;
  header.kind = *known;
  header.config = config::Config::from_toml(header_string(tree, "config", name), name + " (stored config)");
  // The networks are built from these before any tensor is read: a crafted value must not size them.
  try {
    header.config.validate();
  } catch (const Error& error) {
    fail("{} (stored config): {}", name, error.what());
  }
  header.shape.channels = header_int_in(tree, "channels", name, 1, 4);
  header.shape.image_size = header_int_in(tree, "image_size", name, 1, kMaxImageSize);
  header.shape.num_classes = header_int_in(tree, "num_classes", name, 0, data::kMaxClasses);
  header.step = header_int_in(tree, "step", name, 0, std::numeric_limits<int64_t>::max());
  header.batches_seen = header_int_in(tree, "batches_seen", name, 0, std::numeric_limits<int64_t>::max());
  return header;
}

/// Opens the checkpoint `read()` gives (an ArchiveTree); `name` is the file in errors.
template <typename Read>
OpenedCheckpoint open_tree(const std::string& name, Read&& read) {
  OpenedCheckpoint opened;
  opened.name = name;
  try {
    io::ArchiveTree tree = read();
    opened.header = read_header(tree, name);
    io::load_into(std::move(tree), opened.archive, name);
  } catch (const io::ArchiveError& error) {
    fail_archive(error, name);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {  // nothing else may escape as a raw library message
    fail("{}: not a gankit checkpoint ({})", name, first_line(error.what()));
  }
  return opened;
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
  io::ArchiveTree tree = io::archive_tree(archive);
  if (const auto tensor = io::first_non_finite(tree)) throw NonFiniteWeights(path, *tensor);
  io::write_archive_file(path, tree);
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
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    fail("{}: generator weights do not match {} ({})", path.string(), model_name,
         first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    fail("{}: generator weights do not match {} ({})", path.string(), model_name, first_line(e.what()));
  }
}

OpenedCheckpoint open_checkpoint(const fs::path& path) {
  if (!fs::exists(path)) fail("{}: no such checkpoint", path.string());
  if (fs::is_directory(path)) {
    fail("{}: is a folder; pass a checkpoint file such as {}/checkpoints/latest.pt", path.string(),
         path.string());
  }
  return open_tree(path.string(), [&] { return io::read_archive_file(path); });
}

OpenedCheckpoint open_checkpoint_bytes(const std::string& bytes, const std::string& name) {
  return open_tree(name,
                   [&] { return io::decode_archive_file(std::make_shared<const std::string>(bytes), name); });
}

void restore_training_state(OpenedCheckpoint& checkpoint, TrainingState& state) {
  const auto& model = checkpoint.header.config.model.name;
  try {
    state.load(checkpoint.archive);
    torch::Tensor rng_state;
    checkpoint.archive.read("rng_cpu", rng_state, /*is_buffer=*/true);
    auto generator = compat::default_cpu_generator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng_state);
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    fail("{}: does not match model {} ({})", checkpoint.name, model, first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    fail("{}: does not match model {} ({})", checkpoint.name, model, first_line(e.what()));
  }
}

}  // namespace gankit::checkpoint
