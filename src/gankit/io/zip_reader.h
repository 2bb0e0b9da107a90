// Zip archives read by gankit itself, bounded and checked: LibTorch's bundled miniz never checks
// an entry's CRC, so a flipped bit in a .pth file or an old checkpoint would load silently.
// Handles what PyTorch and LibTorch write: stored and deflated entries, zip64 records, data
// descriptors. Everything is checked against the archive's size before anything is allocated.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace gankit::io {

/// One entry of a zip archive's central directory.
struct ZipEntry {
  std::string name;
  uint16_t method = 0;           ///< 0 stored, 8 deflated
  uint32_t crc32 = 0;            ///< of the uncompressed bytes
  uint64_t compressed_size = 0;  ///< bytes in the archive
  uint64_t size = 0;             ///< bytes once inflated
  uint64_t data_offset = 0;      ///< where its bytes start in the archive
};

/// The entries of a zip archive held in memory. Errors are gankit::Error "NAME: what is wrong".
class ZipReader {
 public:
  static constexpr size_t kMaxEntries = size_t{1} << 20;
  static constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

  /// Reads the central directory of `bytes` (which must outlive the reader); `name` is the file in
  /// errors. A missing or inconsistent directory, an encrypted entry, an unknown compression, a
  /// duplicate name or an entry reaching past the end is an error.
  ZipReader(std::string_view bytes, std::string name);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// The entry called `name`, or nullptr.
  const ZipEntry* find(std::string_view name) const;

  /// The entry's content, inflated if need be and checked against its CRC-32. An entry larger than
  /// `max_size` is an error "NAME: ENTRY is larger than ... bytes" (nothing is allocated for it).
  std::string read(const ZipEntry& entry, uint64_t max_size = kNoLimit) const;

  /// read() without a copy for a stored entry: its checked bytes where they lie in the archive. A
  /// deflated entry is inflated into `buffer`, which the result then views.
  std::string_view read_into(const ZipEntry& entry, std::string& buffer, uint64_t max_size = kNoLimit) const;

 private:
  void read_directory(uint64_t offset, uint64_t size, uint64_t count);
  /// Reads directory entry `i` at `offset` (the directory ends at `end`); returns the next offset.
  uint64_t read_entry(uint64_t offset, uint64_t end, uint64_t i);
  std::string_view stored_bytes(const ZipEntry& entry) const;

  std::string_view bytes_;
  std::string name_;
  std::vector<ZipEntry> entries_;
};

/// Whether `bytes` start the way a zip archive does ("PK\3\4").
bool looks_like_zip(std::string_view bytes);

}  // namespace gankit::io
