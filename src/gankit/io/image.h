// Image files in and out: decode PNG/BMP/GIF (stb) and JPEG (libjpeg-turbo) to uint8 CHW, encode PNG (stb).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace gankit::io {

/// The most pixels (width x height) an image may declare in its header; larger ones are refused
/// before decoding (a 1 MB PNG can declare 30000x30000 pixels, 2.7 GB decoded). Default
/// kDefaultMaxImagePixels, or the environment variable GANKIT_MAX_IMAGE_PIXELS; a run sets it from
/// data.max_image_pixels.
constexpr int64_t kDefaultMaxImagePixels = int64_t{1} << 26;  // 64 megapixels, e.g. 8192x8192
int64_t max_image_pixels();
void set_max_image_pixels(int64_t pixels);

/// The channels an image file holds (1 for gray or gray+alpha, 3 otherwise), from its header
/// alone; throws gankit::Error as read_image does.
int image_channels(const std::filesystem::path& path);

/// Decodes an image file to uint8 [C,H,W] with C = 1 (gray) or 3 (RGB); alpha is dropped.
/// Throws gankit::Error "PATH: cannot read image (reason)" on a missing or undecodable file.
torch::Tensor read_image(const std::filesystem::path& path);

/// Decodes an in-memory encoded image (same rules as read_image); `name` is used in errors.
torch::Tensor decode_image(const std::string& bytes, const std::string& name);

/// Encodes uint8 [C,H,W] (C = 1 or 3) as PNG bytes.
std::string encode_png(const torch::Tensor& chw);

/// Writes uint8 [C,H,W] as a PNG file, atomically.
void write_png(const std::filesystem::path& path, const torch::Tensor& chw);

}  // namespace gankit::io
