#include "gankit/io/image.h"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "gankit/error.h"
#include "gankit/io/atomic_file.h"
#include "gankit/io/jpeg_decoder.h"

namespace gankit::io {

namespace {

torch::Tensor to_chw(unsigned char* pixels, int width, int height, int channels_in_file,
                     const std::string& name) {
  if (pixels == nullptr) fail("{}: cannot read image ({})", name, stbi_failure_reason());
  // Keep gray as 1 channel, everything else as RGB (stb converted it for us).
  const int channels = (channels_in_file <= 2) ? 1 : 3;
  auto hwc = torch::from_blob(pixels, {height, width, channels}, torch::kUInt8);
  // [H,W,C] -> [C,H,W]. clone, not contiguous(): for C = 1 the permuted view is already
  // contiguous, so contiguous() would keep pointing into the buffer freed below.
  auto chw = hwc.permute({2, 0, 1}).clone(at::MemoryFormat::Contiguous);
  stbi_image_free(pixels);
  return chw;
}

int64_t max_pixels_from_environment() {
  const char* text = std::getenv("GANKIT_MAX_IMAGE_PIXELS");
  if (text == nullptr) return kDefaultMaxImagePixels;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value <= 0) {
    fail("GANKIT_MAX_IMAGE_PIXELS={}: expected a positive whole number of pixels", text);
  }
  return value;
}

std::atomic<int64_t>& max_pixels() {
  static std::atomic<int64_t> value{max_pixels_from_environment()};
  return value;
}

/// stb_image 2.27 grows its buffer to a PNG chunk's declared length before reading the chunk, so a
/// 100-byte file can have it allocate 2 GB: chunks longer than what the file holds are refused first.
/// Also stb copies an empty IDAT chunk met before any image data into a buffer it has not yet
/// allocated (memcpy to null; found by fuzzing): empty IDAT chunks hold nothing and are returned
/// as [start, end) byte ranges for the caller to drop.
std::vector<std::pair<size_t, size_t>> check_png_chunks(const std::string& bytes, const std::string& name) {
  std::vector<std::pair<size_t, size_t>> empty_data;
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return empty_data;
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t at = 8; bytes.size() - at >= 8;) {  // length, type, data, CRC
    const uint64_t length = uint64_t{b[at]} << 24 | uint64_t{b[at + 1]} << 16 | uint64_t{b[at + 2]} << 8 | b[at + 3];
    if (length > bytes.size() - at - 8) {
      fail("{}: cannot read image (corrupt PNG: a chunk of {} bytes, {} left in the file)", name, length,
           bytes.size() - at - 8);
    }
    if (bytes.compare(at + 4, 4, "IEND") == 0) break;
    const size_t next = at + std::min<uint64_t>(12 + length, bytes.size() - at);
    if (length == 0 && bytes.compare(at + 4, 4, "IDAT") == 0) empty_data.emplace_back(at, next);
    at = next;
  }
  return empty_data;
}

/// `bytes` without the byte ranges `dropped` (sorted, disjoint).
std::string without_ranges(const std::string& bytes, const std::vector<std::pair<size_t, size_t>>& dropped) {
  std::string kept;
  kept.reserve(bytes.size());
  size_t from = 0;
  for (const auto& [start, end] : dropped) {
    kept.append(bytes, from, start - from);
    from = end;
  }
  return kept.append(bytes, from, std::string::npos);
}

/// Only the formats gankit documents are decoded: PNG, JPEG, BMP and GIF, told by their magic
/// numbers. stb would also take PSD, PIC, PNM, HDR and TGA (the last with no magic number at all, so
/// any bytes), whose decoders in stb 2.27 overflow on hostile headers (fuzz target image). JPEGs go
/// to libjpeg-turbo (jpeg_decoder.h), the others to stb.
void check_format(const std::string& bytes, const std::string& name) {
  const bool png = bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
  const bool jpeg = is_jpeg(bytes);
  const bool bmp = bytes.compare(0, 2, "BM") == 0;
  const bool gif = bytes.compare(0, 4, "GIF8") == 0;
  if (!png && !jpeg && !bmp && !gif) {
    fail("{}: cannot read image ({})", name, bytes.empty() ? "empty file" : "not a PNG, JPEG, BMP or GIF file");
  }
}

/// Refuses a header of no pixels or of more than max_image_pixels().
void check_pixel_count(const std::string& name, int width, int height) {
  const int64_t pixels = int64_t{width} * height;
  if (width <= 0 || height <= 0) fail("{}: image is {}x{}: holds no pixels", name, width, height);
  if (pixels > max_image_pixels()) {
    fail("{}: image is {}x{} ({} pixels), more than the limit of {} (data.max_image_pixels, or the "
         "environment variable GANKIT_MAX_IMAGE_PIXELS)",
         name, width, height, pixels, max_image_pixels());
  }
}

/// The header's width, height and channels (stb's formats), refused when it declares more pixels
/// than allowed.
void check_stb_header(const std::string& bytes, const std::string& name, int& width, int& height, int& channels) {
  if (!stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()),
                             &width, &height, &channels)) {
    fail("{}: cannot read image ({})", name, stbi_failure_reason());
  }
  check_pixel_count(name, width, height);
}

}  // namespace

int64_t max_image_pixels() { return max_pixels().load(); }

void set_max_image_pixels(int64_t pixels) { max_pixels().store(pixels); }

int image_channels(const std::filesystem::path& path) {
  // The header is in the first bytes of every format stb reads; a PNG's IHDR within 33.
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) fail("{}: cannot read image (no such file or not readable)", path.string());
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  int width = 0, height = 0, channels = 0;
  check_format(head, path.string());
  if (is_jpeg(head)) {
    JpegHeader header;
    std::string reason;
    // A header beyond 64 KB (a JPEG's big EXIF block) needs the whole file.
    return read_jpeg_header(head, header, reason) ? header.channels : static_cast<int>(read_image(path).size(0));
  }
  if (!stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(head.data()), static_cast<int>(head.size()), &width,
                             &height, &channels)) {
    return static_cast<int>(read_image(path).size(0));  // a header beyond 64 KB (a JPEG's big EXIF block)
  }
  return channels <= 2 ? 1 : 3;
}

torch::Tensor decode_image(const std::string& bytes, const std::string& name) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) fail("{}: image file over 2 GB", name);
  check_format(bytes, name);
  if (is_jpeg(bytes)) {
    return decode_jpeg(bytes, name, [&](const JpegHeader& header) { check_pixel_count(name, header.width, header.height); });
  }
  const auto empty_data = check_png_chunks(bytes, name);
  const std::string cleaned = empty_data.empty() ? std::string() : without_ranges(bytes, empty_data);
  const std::string& input = empty_data.empty() ? bytes : cleaned;
  int width = 0, height = 0, channels_in_file = 0;
  check_stb_header(input, name, width, height, channels_in_file);
  const int wanted = (channels_in_file <= 2) ? 1 : 3;
  unsigned char* pixels =
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(input.data()),
                            static_cast<int>(input.size()), &width, &height, &channels_in_file, wanted);
  return to_chw(pixels, width, height, channels_in_file, name);
}

torch::Tensor read_image(const std::filesystem::path& path) {
  return decode_image(read_file_bytes(path, "image"), path.string());
}

std::string encode_png(const torch::Tensor& chw) {
  TORCH_CHECK(chw.dim() == 3 && chw.scalar_type() == torch::kUInt8,
              "encode_png expects uint8 [C,H,W], got ", chw.sizes(), " ", chw.scalar_type());
  const auto channels = chw.size(0);
  TORCH_CHECK(channels == 1 || channels == 3, "encode_png expects 1 or 3 channels, got ", channels);
  auto hwc = chw.permute({1, 2, 0}).contiguous().cpu();
  std::string out;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
  };
  const int height = static_cast<int>(hwc.size(0)), width = static_cast<int>(hwc.size(1));
  if (!stbi_write_png_to_func(append, &out, width, height, static_cast<int>(channels),
                              hwc.data_ptr<uint8_t>(), width * static_cast<int>(channels))) {
    fail("cannot encode a {}x{} PNG", width, height);
  }
  return out;
}

void write_png(const std::filesystem::path& path, const torch::Tensor& chw) {
  write_file_atomically(path, encode_png(chw));
}

}  // namespace gankit::io
