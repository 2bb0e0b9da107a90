#include "gankit/models/domain_classifier_file.h"

#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/archive_file.h"

namespace gankit::models {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "gankit-classifier/1";
constexpr const char* kKind = "classifier";
/// The format marker of GAN checkpoints (train/checkpoint.cpp), recognised to say what such a file is.
constexpr const char* kCheckpointFormat = "gankit-checkpoint/1";

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

[[noreturn]] void not_a_classifier(const fs::path& path, const std::string& why) {
  fail("{}: not a gankit classifier file ({})", path.string(), why);
}

c10::IValue read_value(torch::serialize::InputArchive& archive, const std::string& key,
                       const fs::path& path) {
  c10::IValue value;
  if (!archive.try_read(key, value)) not_a_classifier(path, fmt::format("no '{}' entry", key));
  return value;
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key,
                        const fs::path& path) {
  const auto value = read_value(archive, key, path);
  if (!value.isString()) not_a_classifier(path, fmt::format("'{}' is not a string", key));
  return value.toStringRef();
}

int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key, const fs::path& path) {
  const auto value = read_value(archive, key, path);
  if (!value.isInt()) not_a_classifier(path, fmt::format("'{}' is not an integer", key));
  return value.toInt();
}

double read_double(torch::serialize::InputArchive& archive, const std::string& key, const fs::path& path) {
  const auto value = read_value(archive, key, path);
  if (!value.isDouble()) not_a_classifier(path, fmt::format("'{}' is not a number", key));
  return value.toDouble();
}

/// Elements of the tensors `tree` (and its archives) holds.
double stored_elements(const io::ArchiveTree& tree) {
  double n = 0;
  for (const auto& entry : tree.entries) {
    if (entry.archive) n += stored_elements(*entry.archive);
    if (entry.tensor.defined()) n += static_cast<double>(entry.tensor.numel());
  }
  return n;
}

/// A lower bound on the weights a classifier with options `o` has (its convolutions and linear
/// layers), or 0 for options its constructor refuses anyway.
double least_weights(const DomainClassifierOptions& o) {
  if (o.stages() < 1 || o.stages() > 6 || o.image_size() <= 0 ||
      o.image_size() % (int64_t{1} << o.stages()) != 0)
    return 0;
  double in = static_cast<double>(o.channels()), channels = static_cast<double>(o.width()), n = 0;
  for (int64_t stage = 0; stage < o.stages(); ++stage, in = channels, channels *= 2) n += in * channels * 9;
  const double final_size = static_cast<double>(o.final_size());
  return n + in * final_size * final_size * static_cast<double>(o.feature_dim()) +
         static_cast<double>(o.feature_dim()) * static_cast<double>(o.num_classes());
}

/// Checked before the network is built: options a damaged or crafted file states must not make
/// gankit allocate more weights than the file holds.
void check_options_fit(const DomainClassifierOptions& o, double stored, const fs::path& path) {
  if (least_weights(o) > stored) {
    not_a_classifier(path, fmt::format("its options need at least {:.0f} weights, the file holds {:.0f}",
                                       least_weights(o), stored));
  }
}

}  // namespace

void save_domain_classifier(const fs::path& path, const DomainClassifier& net,
                            const DomainClassifierInfo& info) {
  const auto& o = net->options;
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kFormat)));
  archive.write("kind", c10::IValue(std::string(kKind)));
  archive.write("gankit_version", c10::IValue(std::string(GANKIT_VERSION)));
  // The network's options.
  archive.write("channels", c10::IValue(o.channels()));
  archive.write("image_size", c10::IValue(o.image_size()));
  archive.write("num_classes", c10::IValue(o.num_classes()));
  archive.write("width", c10::IValue(o.width()));
  archive.write("stages", c10::IValue(o.stages()));
  archive.write("feature_dim", c10::IValue(o.feature_dim()));
  archive.write("dropout", c10::IValue(o.dropout()));
  // The data and the input it expects.
  archive.write("data.name", c10::IValue(info.data.name));
  archive.write("data.path", c10::IValue(info.data.path));
  archive.write("data.image_size", c10::IValue(info.data.image_size));
  archive.write("data.channels", c10::IValue(info.data.channels));
  archive.write("data.fit", c10::IValue(info.data.fit));
  archive.write("data.holdout", c10::IValue(info.data.holdout));
  archive.write("input_range", c10::IValue(std::string("[-1,1]")));
  // How it was trained and how well it does.
  archive.write("test_accuracy", c10::IValue(info.test_accuracy));
  archive.write("test_images", c10::IValue(info.test_images));
  archive.write("steps", c10::IValue(info.steps));
  archive.write("seed", c10::IValue(info.seed));
  torch::serialize::OutputArchive weights;
  net->save(weights);
  archive.write("weights", weights);
  const io::ArchiveTree tree = io::archive_tree(archive);
  if (const auto tensor = io::first_non_finite(tree)) {
    fail("{}: not saved: classifier weight {} holds NaN or infinite values (training diverged)",
         path.string(), *tensor);
  }
  io::write_archive_file(path, tree);
}

namespace {

/// The file's archive; `stored` receives the number of weights it holds.
torch::serialize::InputArchive open_archive(const fs::path& path, double& stored) {
  torch::serialize::InputArchive archive;
  try {
    auto tree = io::read_archive_file(path);
    stored = stored_elements(tree);
    io::load_into(std::move(tree), archive, path.string());
  } catch (const io::ArchiveError& e) {
    if (e.problem() == io::ArchiveError::Problem::kDamaged)
      fail("{}: damaged classifier file ({})", path.string(), e.reason());
    not_a_classifier(path, e.reason());
  } catch (const Error&) {
    throw;  // already one line naming the file
  } catch (const std::exception& e) {
    // Whatever else LibTorch throws on bytes it was handed (std::out_of_range and the like).
    not_a_classifier(path, std::string("unreadable: ") + first_line(e.what()));
  }
  return archive;
}

/// Refuses an archive that is not a classifier file, naming a GAN checkpoint for what it is.
void check_format(torch::serialize::InputArchive& archive, const fs::path& path) {
  const std::string format = read_string(archive, "format", path);
  if (format == kCheckpointFormat) {
    c10::IValue kind;
    const std::string what = archive.try_read("kind", kind) && kind.isString() ? kind.toStringRef() : "?";
    fail(
        "{}: is a GAN checkpoint (kind '{}'), not a classifier file; make one with `gankit classifier train`",
        path.string(), what);
  }
  if (format != kFormat) not_a_classifier(path, fmt::format("format '{}', expected '{}'", format, kFormat));
  if (const auto kind = read_string(archive, "kind", path); kind != kKind) {
    not_a_classifier(path, fmt::format("kind '{}', expected '{}'", kind, kKind));
  }
}

DomainClassifierInfo read_info(torch::serialize::InputArchive& archive, const fs::path& path) {
  DomainClassifierInfo info;
  info.gankit_version = read_string(archive, "gankit_version", path);
  info.options =
      DomainClassifierOptions(read_int(archive, "channels", path), read_int(archive, "image_size", path),
                              read_int(archive, "num_classes", path))
          .width(read_int(archive, "width", path))
          .stages(read_int(archive, "stages", path))
          .feature_dim(read_int(archive, "feature_dim", path))
          .dropout(read_double(archive, "dropout", path));
  info.data.name = read_string(archive, "data.name", path);
  info.data.path = read_string(archive, "data.path", path);
  info.data.image_size = read_int(archive, "data.image_size", path);
  info.data.channels = read_int(archive, "data.channels", path);
  info.data.fit = read_string(archive, "data.fit", path);
  info.data.holdout = read_int(archive, "data.holdout", path);
  info.shape = {info.options.channels(), info.options.image_size(), info.options.num_classes()};
  info.test_accuracy = read_double(archive, "test_accuracy", path);
  info.test_images = read_int(archive, "test_images", path);
  info.steps = read_int(archive, "steps", path);
  info.seed = read_int(archive, "seed", path);
  return info;
}

/// The network `options` describe, with the weights `archive` holds.
DomainClassifier build_network(const DomainClassifierOptions& options,
                               torch::serialize::InputArchive& archive, double stored, const fs::path& path) {
  check_options_fit(options, stored, path);
  DomainClassifier net{nullptr};
  try {
    net = DomainClassifier(options);
  } catch (const c10::Error& e) {
    not_a_classifier(path, "its stored options are invalid: " + first_line(e.what_without_backtrace()));
  }
  torch::serialize::InputArchive weights;
  if (!archive.try_read("weights", weights)) not_a_classifier(path, "no 'weights' entry");
  try {
    net->load(weights);
  } catch (const c10::Error& e) {
    fail("{}: classifier weights do not match the options stored with them ({})", path.string(),
         first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    fail("{}: classifier weights do not match the options stored with them ({})", path.string(),
         first_line(e.what()));
  }
  net->eval();
  return net;
}

}  // namespace

LoadedDomainClassifier load_domain_classifier(const fs::path& path) {
  if (!fs::exists(path)) fail("{}: no such classifier file", path.string());
  if (fs::is_directory(path)) fail("{}: is a folder, not a classifier file", path.string());
  double stored = 0;
  auto archive = open_archive(path, stored);
  check_format(archive, path);
  LoadedDomainClassifier loaded;
  loaded.info = read_info(archive, path);
  loaded.net = build_network(loaded.info.options, archive, stored, path);
  return loaded;
}

torch::Tensor fit_to_classifier(const torch::Tensor& images, const DomainClassifierInfo& info) {
  TORCH_CHECK(images.dim() == 4, "fit_to_classifier: expects images [N,C,H,W], got ", images.sizes());
  auto pixels = data::from_unit_range(images.to(torch::kCPU));  // [N,C,H,W] uint8
  pixels = data::fit_to_size(pixels, info.shape.image_size, data::parse_fit(info.data.fit), "images");
  pixels = data::convert_channels(pixels, info.shape.channels);  // [N,c,S,S]
  return data::to_unit_range(pixels);
}

}  // namespace gankit::models
