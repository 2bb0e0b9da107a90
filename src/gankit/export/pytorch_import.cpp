#include "gankit/export/pytorch_import.h"

#include <map>
#include <set>

#include "gankit/error.h"
#include "gankit/io/torch_state_dict.h"
#include "gankit/models/registry.h"

namespace gankit::exporter {

namespace {

using Tensors = std::map<std::string, torch::Tensor>;

/// gankit's name of a tensor -> the file's name for it.
using NameMap = std::map<std::string, std::string>;

/// pix2pix's nested UnetSkipConnectionBlock names: level 0 is "model.model.", level l >= 1 is
/// "model.model.1." + "model.3." * (l - 1) + "model.".
std::string unet_prefix(int64_t level) {
  if (level == 0) return "model.model.";
  std::string prefix = "model.model.1.";
  for (int64_t l = 1; l < level; ++l) prefix += "model.3.";
  return prefix + "model.";
}

void map_batch_norm(NameMap& names, const std::string& gankit, const std::string& file) {
  for (const char* part : {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}) {
    names[gankit + part] = file + part;
  }
}

/// Levels of the U-Net in `tensors` (0 when it is not one).
int64_t unet_levels(const Tensors& tensors) {
  if (tensors.count("model.model.0.weight") == 0) return 0;
  int64_t levels = 1;
  while (tensors.count(unet_prefix(levels) + "1.weight") != 0) ++levels;
  return levels;
}

/// gankit's U-Net names (models/unet.cpp) -> pix2pix's: down conv, down norm, up conv, up norm per level.
NameMap unet_names(int64_t n) {
  NameMap names;
  for (int64_t l = 0; l < n; ++l) {
    const auto file = unet_prefix(l), enc = "encoder." + std::to_string(l) + ".",
               dec = "decoder." + std::to_string(n - 1 - l) + ".";
    const bool innermost = l == n - 1;
    names[enc + "0.weight"] = file + (l == 0 ? "0.weight" : "1.weight");
    if (l == 0) {  // [downconv, submodule, uprelu, upconv, tanh]
      names[dec + "1.weight"] = file + "3.weight";
      names[dec + "1.bias"] = file + "3.bias";
    } else if (innermost) {  // [downrelu, downconv, uprelu, upconv, upnorm]
      names[dec + "1.weight"] = file + "3.weight";
      map_batch_norm(names, dec + "2.", file + "4.");
    } else {  // [downrelu, downconv, downnorm, submodule, uprelu, upconv, upnorm(, dropout)]
      map_batch_norm(names, enc + "1.", file + "2.");
      names[dec + "1.weight"] = file + "5.weight";
      map_batch_norm(names, dec + "2.", file + "6.");
    }
  }
  return names;
}

/// A DCGAN generator's names: "main." (pytorch/examples) or "body." (gankit) -> gankit's "body.".
NameMap dcgan_names(const Tensors& tensors, const std::string& prefix) {
  NameMap names;
  for (const auto& [name, tensor] : tensors) names["body." + name.substr(prefix.size())] = name;
  return names;
}

/// The ConvTranspose weights [in,out,4,4] of a DCGAN generator, in order.
std::vector<torch::Tensor> transposed_weights(const Tensors& tensors, const std::string& prefix) {
  std::map<int64_t, torch::Tensor> by_index;
  for (const auto& [name, tensor] : tensors) {
    const auto dot = name.find('.', prefix.size());
    if (tensor.dim() == 4 && name.compare(0, prefix.size(), prefix) == 0 && dot != std::string::npos) {
      by_index[std::stoll(name.substr(prefix.size(), dot - prefix.size()))] = tensor;
    }
  }
  std::vector<torch::Tensor> weights;
  for (auto& [index, tensor] : by_index) weights.push_back(tensor);
  return weights;
}

/// Copies every tensor of `generator` from `tensors` through `names`; every tensor of the file used.
void load_tensors(torch::nn::Module& generator, const Tensors& tensors, const NameMap& names, const std::string& file) {
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  auto entries = generator.named_parameters();
  for (const auto& buffer : generator.named_buffers()) entries.insert(buffer.key(), buffer.value());
  for (const auto& entry : entries) {
    const auto mapped = names.find(entry.key());
    const auto found = mapped == names.end() ? tensors.end() : tensors.find(mapped->second);
    const bool counter = entry.key().size() > 19 && entry.key().substr(entry.key().size() - 19) == "num_batches_tracked";
    if (found == tensors.end() && counter) continue;  // absent from files of PyTorch < 0.4.1; never used
    if (found == tensors.end()) fail("{}: has no tensor for {} of gankit's generator", file, entry.key());
    if (found->second.sizes() != entry.value().sizes()) {
      fail("{}: {} has shape {}, gankit's generator needs {}", file, found->first, c10::str(found->second.sizes()),
           c10::str(entry.value().sizes()));
    }
    entry.value().copy_(found->second);
    used.insert(found->first);
  }
  for (const auto& [name, tensor] : tensors) {
    if (used.count(name) == 0) fail("{}: tensor {} has no place in gankit's generator", file, name);
  }
}

/// Saves `generator` as a checkpoint's "generator".
class ImportedGenerator : public checkpoint::TrainingState {
 public:
  explicit ImportedGenerator(std::shared_ptr<torch::nn::Module> generator) : generator_(std::move(generator)) {}
  void save(torch::serialize::OutputArchive& archive) const override {
    torch::serialize::OutputArchive g;
    generator_->save(g);
    archive.write("generator", g);
  }
  void load(torch::serialize::InputArchive&) override { fail("an imported generator is saved, not resumed"); }

 private:
  std::shared_ptr<torch::nn::Module> generator_;
};

}  // namespace

checkpoint::CheckpointHeader import_pytorch_generator(const std::filesystem::path& pth, const std::filesystem::path& out) {
  const auto file = pth.string();
  Tensors tensors;
  for (auto& [name, tensor] : io::read_state_dict(pth)) tensors[name] = tensor;
  checkpoint::CheckpointHeader header;
  auto& config = header.config;
  std::shared_ptr<torch::nn::Module> generator;
  NameMap names;
  if (const int64_t levels = unet_levels(tensors); levels > 0) {
    const auto& first = tensors.at("model.model.0.weight");  // [ngf, in, 4, 4]
    const int64_t channels = first.size(1);
    if (levels < 5) fail("{}: a U-Net of {} levels; gankit's pix2pix has at least 5", file, levels);
    config.set("model.name=\"pix2pix\"");
    config.set("model.width=" + std::to_string(first.size(0)));
    config.set("data.channels=" + std::to_string(channels));
    config.set("data.image_size=" + std::to_string(int64_t{1} << levels));
    header.kind = models::ModelKind::ImageToImage;
    header.shape = {channels, int64_t{1} << levels, 0};
    generator = models::make_translation_networks(config.model, header.shape).generator.ptr();
    names = unet_names(levels);
  } else if (tensors.count("main.0.weight") != 0 || tensors.count("body.0.weight") != 0) {
    const std::string prefix = tensors.count("main.0.weight") != 0 ? "main." : "body.";
    const auto weights = transposed_weights(tensors, prefix);
    if (weights.size() < 2) fail("{}: not a DCGAN generator (too few transposed convolutions)", file);
    const int64_t size = int64_t{4} << (weights.size() - 1), channels = weights.back().size(1);
    config.set("model.name=\"dcgan\"");
    config.set("model.z_dim=" + std::to_string(weights.front().size(0)));
    config.set("model.width=" + std::to_string(weights.back().size(0)));
    config.set("data.channels=" + std::to_string(channels));
    config.set("data.image_size=" + std::to_string(size));
    header.kind = models::ModelKind::NoiseToImage;
    header.shape = {channels, size, 0};
    generator = models::make_networks(config.model, header.shape).generator;
    names = dcgan_names(tensors, prefix);
  } else {
    fail("{}: not a generator gankit imports (a pytorch-CycleGAN-and-pix2pix U-Net state_dict, "
         "model.model...; or a DCGAN generator's, main.N...)", file);
  }
  load_tensors(*generator, tensors, names, file);
  config.validate();
  checkpoint::save_checkpoint(out, ImportedGenerator(generator), header);
  return header;
}

}  // namespace gankit::exporter
