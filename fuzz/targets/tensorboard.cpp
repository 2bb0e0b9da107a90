// TensorBoard event files: report::read_events (gankit writes them; its reader serves tests and
// tools). Two modes chosen by the first byte: even, the rest is the file as it is (TFRecord
// framing, length and data CRC-32Cs); odd, the rest is split at the first bytes "\n--\n" into
// records that are framed with correct CRCs, so that the fuzzer reaches the Event protobuf decoding.
// fuzz-instrument: src/gankit/report/tensorboard.cpp
// fuzz-max-len: 16384
#include "../fuzz_target.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "gankit/error.h"
#include "gankit/report/tensorboard.h"

namespace {

uint32_t crc32c(std::string_view bytes) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

uint32_t masked(std::string_view bytes) {
  const uint32_t crc = crc32c(bytes);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

void put_le(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i) & 0xff));
}

std::string framed(std::string_view records) {
  std::string out;
  for (size_t start = 0; start <= records.size();) {
    const size_t end = std::min(records.find("\n--\n", start), records.size());
    const std::string_view record = records.substr(start, end - start);
    std::string header;
    put_le(header, record.size(), 8);
    out += header;
    put_le(out, masked(header), 4);
    out += record;
    put_le(out, masked(record), 4);
    start = end + 4;
  }
  return out;
}

}  // namespace

GANKIT_FUZZ_TARGET(tensorboard) {
  if (size == 0) return;
  static gankit::fuzz::ScratchFile file("events.out.tfevents.0.fuzz");
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string bytes = (data[0] & 1) ? framed(rest) : std::string(rest);
  try {
    (void)gankit::report::read_events(file.write(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  } catch (const gankit::Error&) {
  }
}
