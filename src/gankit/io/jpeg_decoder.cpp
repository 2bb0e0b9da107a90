#include "gankit/io/jpeg_decoder.h"

// jpeglib.h needs FILE and size_t declared first.
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jerror.h>
#include <jpeglib.h>

#include "gankit/error.h"

namespace gankit::io {

namespace {

/// libjpeg reports errors by calling error_exit, which must not return: it longjmps back to the
/// setjmp of the phase that called libjpeg (no C++ object lives between the two).
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jump_back(ErrorManager& error) { std::longjmp(error.jump, 1); }

[[noreturn]] void on_error(j_common_ptr cinfo) {
  auto& error = *reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error.message);
  jump_back(error);
}

/// Warnings are not printed. libjpeg pads a file that ends early with gray rows; that is refused
/// (a silently wrong image), the other warnings (extraneous bytes, a bad code) are let pass as
/// PIL lets them.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) on_error(cinfo);
}

void on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number <= kMaxJpegScans) return;
  auto& error = *reinterpret_cast<ErrorManager*>(cinfo->err);
  std::snprintf(error.message, sizeof error.message, "a progressive JPEG of more than %d scans", kMaxJpegScans);
  jump_back(error);
}

/// One libjpeg decompressor over bytes it does not own.
struct Decompressor {
  jpeg_decompress_struct cinfo;
  ErrorManager error;
  jpeg_progress_mgr progress;
  bool created = false;

  Decompressor() {
    std::memset(&cinfo, 0, sizeof cinfo);
    std::memset(&error, 0, sizeof error);
    std::memset(&progress, 0, sizeof progress);
  }
  ~Decompressor() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
};

/// Creates the decompressor and reads the header; false (error.message) where libjpeg gave up.
bool open(Decompressor& d, const std::string& bytes) {
  d.cinfo.err = jpeg_std_error(&d.error.base);
  d.error.base.error_exit = on_error;
  d.error.base.emit_message = on_message;
  if (setjmp(d.error.jump)) return false;
  jpeg_create_decompress(&d.cinfo);
  d.created = true;
  d.progress.progress_monitor = on_progress;
  d.cinfo.progress = &d.progress;
  jpeg_mem_src(&d.cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&d.cinfo, TRUE);
  return true;
}

bool is_cmyk(const jpeg_decompress_struct& cinfo) {
  return cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
}

JpegHeader header_of(const jpeg_decompress_struct& cinfo) {
  JpegHeader header;
  header.width = static_cast<int>(cinfo.image_width);
  header.height = static_cast<int>(cinfo.image_height);
  header.channels = cinfo.num_components == 1 ? 1 : 3;
  return header;
}

/// Decodes every row into `out` (output_height rows of row_bytes); false (error.message) on error.
bool decode_rows(Decompressor& d, unsigned char* out, size_t row_bytes) {
  if (setjmp(d.error.jump)) return false;
  jpeg_start_decompress(&d.cinfo);
  if (static_cast<size_t>(d.cinfo.output_width) * d.cinfo.output_components != row_bytes) {
    std::snprintf(d.error.message, sizeof d.error.message, "decoded rows differ from the header");
    return false;
  }
  while (d.cinfo.output_scanline < d.cinfo.output_height) {
    JSAMPROW row = out + static_cast<size_t>(d.cinfo.output_scanline) * row_bytes;
    jpeg_read_scanlines(&d.cinfo, &row, 1);
  }
  // No jpeg_finish_decompress: what follows the last row (a missing EOI, trailing bytes) does not
  // change the image.
  return true;
}

/// Adobe's CMYK as libjpeg returns it (inverted: 255 is no ink) to RGB: colour x black / 255,
/// rounded as PIL rounds it (((t >> 8) + t) >> 8 with t = a * b + 128).
torch::Tensor cmyk_to_rgb(const torch::Tensor& hwc4) {
  auto values = hwc4.to(torch::kInt32);
  auto product = values.narrow(2, 0, 3) * values.narrow(2, 3, 1) + 128;
  return ((product.div(256, "floor") + product).div(256, "floor")).to(torch::kUInt8);
}

}  // namespace

bool is_jpeg(const std::string& bytes) { return bytes.compare(0, 3, "\xFF\xD8\xFF") == 0; }

bool read_jpeg_header(const std::string& bytes, JpegHeader& header, std::string& reason) {
  Decompressor d;
  if (!open(d, bytes)) {
    reason = d.error.message;
    return false;
  }
  header = header_of(d.cinfo);
  return true;
}

torch::Tensor decode_jpeg(const std::string& bytes, const std::string& name,
                          const std::function<void(const JpegHeader&)>& check) {
  Decompressor d;
  if (!open(d, bytes)) fail("{}: cannot read image ({})", name, d.error.message);
  const JpegHeader header = header_of(d.cinfo);
  check(header);
  const bool cmyk = is_cmyk(d.cinfo);
  d.cinfo.out_color_space = header.channels == 1 ? JCS_GRAYSCALE : (cmyk ? JCS_CMYK : JCS_RGB);
  const int64_t components = header.channels == 1 ? 1 : (cmyk ? 4 : 3);
  auto hwc = torch::empty({header.height, header.width, components}, torch::kUInt8);
  if (!decode_rows(d, hwc.data_ptr<uint8_t>(), static_cast<size_t>(header.width * components))) {
    fail("{}: cannot read image ({})", name, d.error.message);
  }
  if (cmyk) hwc = cmyk_to_rgb(hwc);
  return hwc.permute({2, 0, 1}).contiguous();
}

}  // namespace gankit::io
