// Checkpoints: one file with the networks, optimisers, progress, RNG state and resolved config,
// written atomically so a crash or a full disk mid-save never loses the previous one. The layer
// below both training and inference: it knows the file format, not how a model trains.
//
// The file is a checksummed tensor file (io/archive_file.h: a safetensors file Python reads with
// json + numpy), checked in full before anything is built from it; checkpoints of earlier gankit
// versions (LibTorch zip archives) still load, checked entry by entry by gankit's own readers.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <initializer_list>
#include <string>

#include "gankit/config/config.h"
#include "gankit/models/model_kind.h"
#include "gankit/models/model_options.h"

namespace gankit::checkpoint {

/// What a checkpoint holds beyond its header: networks and optimisers (train::Recipe implements it).
class TrainingState {
 public:
  virtual ~TrainingState() = default;
  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
};

/// What a checkpoint says about itself, readable without building any network.
struct CheckpointHeader {
  models::ModelKind kind = models::ModelKind::NoiseToImage;  ///< stored by its name (models::model_kinds())
  config::Config config;                                     ///< the run's resolved config
  models::DataShape shape;                                   ///< what the networks were built for
  int64_t step = 0;                                          ///< generator updates done
  int64_t batches_seen = 0;                                  ///< loader position, for an exact resume
};

/// Saves `state` and `header` (plus the CPU RNG state) to `path` atomically. A floating-point tensor
/// holding NaN or infinities is refused with NonFiniteWeights (non_finite.h) before anything is
/// written; a full disk is a gankit::Error "PATH: cannot write (No space left on device)". Either
/// way the file saved before stays as it was and no temp file is left.
void save_checkpoint(const std::filesystem::path& path, const TrainingState& state,
                     const CheckpointHeader& header);

/// An opened checkpoint: its header and the archive the networks are read from.
struct OpenedCheckpoint {
  CheckpointHeader header;
  torch::serialize::InputArchive archive;
  std::string name;  ///< the file, for errors
};

/// Opens and validates a checkpoint. A foreign file throws gankit::Error "PATH: not a gankit
/// checkpoint (...)"; a checkpoint that fails its checksum, is truncated or breaks a bound throws
/// "PATH: damaged checkpoint (...)".
OpenedCheckpoint open_checkpoint(const std::filesystem::path& path);

/// open_checkpoint on a checkpoint file's bytes (received from another rank); `name` stands for
/// the file in errors.
OpenedCheckpoint open_checkpoint_bytes(const std::string& bytes, const std::string& name);

/// open_checkpoint, then checks the file holds a checkpoint of `kind`; `command` names who needs
/// it in the error ("`gankit translate`").
OpenedCheckpoint open_checkpoint_of_kind(const std::filesystem::path& path, models::ModelKind kind,
                                         const std::string& command);

/// Loads `module` from the first of `keys` the checkpoint holds (e.g. {"generator_ema",
/// "generator"}); weights that do not fit are gankit::Error "PATH: generator weights do not match
/// MODEL (reason)".
void load_module(OpenedCheckpoint& checkpoint, std::initializer_list<const char*> keys,
                 torch::nn::Module& module, const std::filesystem::path& path, const std::string& model_name);

/// The generator of a checkpoint of `kind` (`command` names who needs it in errors): `build(header)`
/// makes it, and its weights come from the first of `keys` the file holds. The file's header goes
/// to `header`.
template <typename Build>
auto load_generator(const std::filesystem::path& path, models::ModelKind kind, const std::string& command,
                    std::initializer_list<const char*> keys, CheckpointHeader& header, Build&& build) {
  auto opened = open_checkpoint_of_kind(path, kind, command);
  header = opened.header;
  auto generator = build(header);
  load_module(opened, keys, *generator, path, header.config.model.name);
  return generator;
}

/// Restores the networks, optimisers and CPU RNG state saved by save_checkpoint. Weights that do not
/// fit are gankit::Error "PATH: does not match model NAME (reason)".
void restore_training_state(OpenedCheckpoint& checkpoint, TrainingState& state);

}  // namespace gankit::checkpoint
