// CRC-32C (Castagnoli), the checksum of TFRecord framing. Written here because Debian bookworm
// packages no CRC-32C library (there is no libcrc32c-dev).
#pragma once
#include <cstdint>
#include <string_view>

namespace gankit::report {

/// CRC-32C of `bytes` (reflected polynomial 0x82F63B78, as in iSCSI, ext4 and LevelDB).
uint32_t crc32c(std::string_view bytes);

/// The masked CRC-32C that TFRecord stores: rotated and offset so that the CRC of data holding
/// embedded CRCs is not degenerate (the same masking as LevelDB's).
uint32_t masked_crc32c(std::string_view bytes);

}  // namespace gankit::report
