// Zip archives (LibTorch's checkpoints and classifier files, torch.save's .pth) check a CRC-32 of
// every record, so nearly every mutation a fuzzer makes would stop at "crc mismatch". The zip
// targets first recompute the CRCs of the records the bytes hold (stored records, as LibTorch
// writes them), in the local headers and in the central directory, and parse what that gives.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>

namespace gankit::fuzz {

namespace zip_detail {

inline uint32_t get(const std::string& b, size_t at, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(b[at + i]);
  return value;
}

inline void put32(std::string& b, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(value >> (8 * i) & 0xff);
}

/// The CRC of the stored data of the local header at `at`, written into it; false if the header
/// does not fit the bytes.
inline bool fix_local(std::string& b, size_t at, uint32_t& crc) {
  if (at > b.size() || b.size() - at < 30 || get(b, at, 4) != 0x04034b50) return false;
  if (get(b, at + 8, 2) != 0) return false;  // compressed (LibTorch stores its records as they are)
  const uint64_t size = get(b, at + 18, 4);
  const uint64_t start = at + 30 + get(b, at + 26, 2) + get(b, at + 28, 2);
  if (start > b.size() || size > b.size() - start) return false;
  crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(b.data() + start),
                                      static_cast<uInt>(size)));
  put32(b, at + 14, crc);
  return true;
}

}  // namespace zip_detail

/// `bytes` with the CRC-32 of every record recomputed (anything else left as it is).
inline std::string fix_zip_crcs(std::string bytes) {
  using namespace zip_detail;
  for (size_t at = 0; at + 30 <= bytes.size(); ++at) {
    const uint32_t signature = get(bytes, at, 4);
    uint32_t crc = 0;
    if (signature == 0x04034b50) {
      fix_local(bytes, at, crc);
    } else if (signature == 0x02014b50 && bytes.size() - at >= 46 &&
               fix_local(bytes, get(bytes, at + 42, 4), crc)) {
      put32(bytes, at + 16, crc);  // the central directory's copy
    }
  }
  return bytes;
}

}  // namespace gankit::fuzz
