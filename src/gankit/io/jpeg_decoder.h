// JPEG decoding through libjpeg-turbo (Debian's libjpeg62-turbo). stb_image 2.27 (Debian 12's
// libstb) has undefined behaviour on hostile progressive JPEGs (tests/fuzz/crashes/image); libjpeg-turbo
// is fuzzed upstream, and it is the decoder PIL uses, so pixels match Python pipelines.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>

namespace gankit::io {

/// What a JPEG's header says: its size, and 1 (gray) or 3 (colour: YCbCr, RGB, CMYK, YCCK) channels.
struct JpegHeader {
  int width = 0;
  int height = 0;
  int channels = 0;
};

/// True where the bytes start with a JPEG's start-of-image marker (FF D8 FF).
bool is_jpeg(const std::string& bytes);

/// Reads the header (up to the first scan); false with `reason` (libjpeg's words) where it cannot.
bool read_jpeg_header(const std::string& bytes, JpegHeader& header, std::string& reason);

/// Decodes to uint8 [C,H,W] (C = 1 or 3; CMYK and YCCK converted to RGB). `check` sees the header
/// before any pixel is allocated and throws to refuse it. A file that ends before its last row, or
/// a progressive one of more than kMaxJpegScans scans, is refused. Throws gankit::Error
/// "NAME: cannot read image (reason)".
torch::Tensor decode_jpeg(const std::string& bytes, const std::string& name,
                          const std::function<void(const JpegHeader&)>& check);

/// libjpeg-turbo's own fuzzers stop at 500 scans: a progressive file of a few KB can otherwise
/// hold thousands of scans, each re-reading the whole coefficient buffer.
constexpr int kMaxJpegScans = 500;

}  // namespace gankit::io
