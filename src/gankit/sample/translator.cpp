#include "gankit/sample/translator.h"

#include <algorithm>

#include "gankit/data/image_folder.h"
#include "gankit/data/pairs.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/image.h"
#include "gankit/models/registry.h"

namespace gankit::sample {

namespace fs = std::filesystem;

Translator::Translator(const fs::path& path, compute::Precision precision) {
  generator_ = checkpoint::load_generator(
      path, models::ModelKind::ImageToImage, "`gankit translate`", {"generator"}, header_,
      [](const auto& header) {
        return models::make_translation_networks(header.config.model, header.shape).generator;
      });
  precision_ = models::resolve_model_precision(precision, generator_->parameters().front().device(),
                                               header_.config.model.name, "--precision");
}

Translation Translator::translate_file(const fs::path& path) {
  const auto& data = header_.config.data;
  const int64_t size = header_.shape.image_size, channels = header_.shape.channels;
  auto image = io::read_image(path);  // [C,H,W] uint8
  torch::Tensor input = image, target;
  const int64_t height = image.size(1), width = image.size(2);
  if (width == 2 * height) {  // an A|B pair, like the training files
    auto a = image.narrow(2, 0, height), b = image.narrow(2, height, height);
    if (data::parse_b_to_a(data.direction)) std::swap(a, b);
    input = a, target = b;
  }
  const auto fit = data::parse_fit(data.fit);
  const auto prepare = [&](const torch::Tensor& side) {
    return data::convert_channels(data::fit_to_size(side, size, fit, path.string()), channels).contiguous();
  };
  Translation result;
  result.input = prepare(input);
  if (target.defined()) result.target = prepare(target);
  compute::AutocastScope autocast(precision_.precision, generator_->parameters().front().device());
  const auto output = models::translate(generator_, data::to_unit_range(result.input).unsqueeze(0));
  result.output = data::from_unit_range(output)[0];
  return result;
}

std::vector<fs::path> list_inputs(const std::vector<fs::path>& inputs) {
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    if (fs::is_directory(input)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::directory_iterator(input)) {
        if (entry.is_regular_file() && data::is_image_file(entry.path())) found.push_back(entry.path());
      }
      if (found.empty()) fail("{}: no images (.png, .jpg, .jpeg, .bmp) in this folder", input.string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(input)) {
      files.push_back(input);
    } else {
      fail("{}: no such file or folder", input.string());
    }
  }
  return files;
}

}  // namespace gankit::sample
