// Image files in and out (stb): decode PNG/JPEG/BMP/GIF to uint8 CHW, encode PNG.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace gankit::io {

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
