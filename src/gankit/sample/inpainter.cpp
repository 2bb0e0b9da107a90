#include "gankit/sample/inpainter.h"

#include "gankit/data/masks.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/io/image.h"
#include "gankit/models/registry.h"

namespace gankit::sample {

namespace fs = std::filesystem;

Inpainter::Inpainter(const fs::path& path, compute::Precision precision) {
  generator_ = checkpoint::load_generator(
      path, models::ModelKind::Inpainting, "`gankit inpaint`", {"generator"}, header_,
      [](const auto& header) {
        return models::make_inpainting_networks(header.config.model, header.shape).generator;
      });
  precision_ = models::resolve_model_precision(precision, generator_->parameters().front().device(),
                                               header_.config.model.name, "--precision");
}

Completion Inpainter::complete_file(const fs::path& image, const fs::path& mask) {
  const int64_t size = header_.shape.image_size;
  Completion result;
  result.input = data::convert_channels(
                     data::fit_to_size(io::read_image(image), size, data::parse_fit(header_.config.data.fit),
                                       image.string()),
                     header_.shape.channels)
                     .contiguous();
  if (mask.empty()) {
    auto generator = at::detail::createCPUGenerator(0);
    result.mask = data::make_masks(data::MaskKind::Center, 1, size, generator)[0];
  } else {
    result.mask = data::read_mask(mask, size, size)[0];
  }
  compute::AutocastScope autocast(precision_.precision, generator_->parameters().front().device());
  const auto completed =
      models::complete(generator_, data::to_unit_range(result.input).unsqueeze(0), result.mask.unsqueeze(0));
  // Composite in uint8, so known pixels are bit-for-bit the input's.
  result.output = torch::where(result.mask > 0.5, data::from_unit_range(completed)[0], result.input);
  return result;
}

}  // namespace gankit::sample
