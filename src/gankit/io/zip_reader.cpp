#include "gankit/io/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <unordered_set>

#include "gankit/error.h"

namespace gankit::io {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr size_t kEndSize = 22, kEntrySize = 46, kLocalSize = 30, kZip64EndSize = 56, kLocatorSize = 20;
constexpr uint32_t kAll32 = 0xffffffff;

/// `n` little-endian bytes at `at` (the caller has checked they are there).
uint64_t little_endian(std::string_view bytes, uint64_t at, size_t n) {
  uint64_t value = 0;
  for (size_t i = n; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

/// Whether [offset, offset + size) lies inside `total` bytes, without overflowing.
bool inside(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

/// zlib's CRC-32 of any length (crc32_z takes a size_t).
uint32_t crc32_of(std::string_view bytes) {
  if (bytes.empty()) return 0;
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<z_size_t>(bytes.size())));
}

/// Raw deflate `in` into exactly `size` bytes; false if the stream is broken or of another length.
bool inflate_exactly(std::string_view in, std::string& out, uint64_t size) {
  out.assign(static_cast<size_t>(size), '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  int status = Z_OK;
  // avail_in and avail_out are 32-bit: feed and drain in chunks of at most 1 GiB.
  size_t in_left = in.size(), out_left = out.size();
  while (status == Z_OK) {
    if (stream.avail_in == 0 && in_left > 0) {
      stream.avail_in = static_cast<uInt>(std::min<size_t>(in_left, size_t{1} << 30));
      in_left -= stream.avail_in;
    }
    if (stream.avail_out == 0 && out_left > 0) {
      stream.avail_out = static_cast<uInt>(std::min<size_t>(out_left, size_t{1} << 30));
      out_left -= stream.avail_out;
    }
    status = inflate(&stream, Z_NO_FLUSH);  // Z_BUF_ERROR once no progress is possible
  }
  const bool whole = status == Z_STREAM_END && stream.total_out == size;
  inflateEnd(&stream);
  return whole;
}

}  // namespace

bool looks_like_zip(std::string_view bytes) {
  return bytes.size() >= 4 && little_endian(bytes, 0, 4) == kLocalHeader;
}

ZipReader::ZipReader(std::string_view bytes, std::string name) : bytes_(bytes), name_(std::move(name)) {
  const uint64_t total = bytes_.size();
  if (total < kEndSize) fail("{}: not a zip archive ({} bytes, truncated?)", name_, total);
  // The end record sits in the last 22 + 65535 bytes (its comment may follow it).
  const uint64_t lowest = total > kEndSize + 0xffff ? total - kEndSize - 0xffff : 0;
  uint64_t end = total - kEndSize + 1;
  do {
    --end;
    if (little_endian(bytes_, end, 4) == kEndOfDirectory &&
        end + kEndSize + little_endian(bytes_, end + 20, 2) == total) {
      break;
    }
    if (end == lowest) fail("{}: not a zip archive, or truncated (no end-of-directory record)", name_);
  } while (true);
  uint64_t count = little_endian(bytes_, end + 10, 2);
  uint64_t size = little_endian(bytes_, end + 12, 4);
  uint64_t offset = little_endian(bytes_, end + 16, 4);
  if (count == 0xffff || size == kAll32 || offset == kAll32) {  // the zip64 end record has them
    if (end < kLocatorSize || little_endian(bytes_, end - kLocatorSize, 4) != kZip64Locator)
      fail("{}: corrupt zip archive (no zip64 locator)", name_);
    const uint64_t at = little_endian(bytes_, end - kLocatorSize + 8, 8);
    if (!inside(at, kZip64EndSize, total) || little_endian(bytes_, at, 4) != kZip64End)
      fail("{}: corrupt zip archive (no zip64 end record)", name_);
    count = little_endian(bytes_, at + 32, 8);
    size = little_endian(bytes_, at + 40, 8);
    offset = little_endian(bytes_, at + 48, 8);
  }
  if (!inside(offset, size, total))
    fail("{}: corrupt zip archive (its directory lies outside the file)", name_);
  if (count > kMaxEntries || count > size / kEntrySize)
    fail("{}: corrupt zip archive ({} entries in a {}-byte directory)", name_, count, size);
  read_directory(offset, size, count);
}

void ZipReader::read_directory(uint64_t offset, uint64_t size, uint64_t count) {
  const uint64_t end = offset + size;
  entries_.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) offset = read_entry(offset, end, i);
  std::unordered_set<std::string_view> names;
  for (const auto& entry : entries_) {
    if (!names.insert(entry.name).second)
      fail("{}: corrupt zip archive (two entries named {})", name_, entry.name);
  }
}

uint64_t ZipReader::read_entry(uint64_t offset, uint64_t end, uint64_t i) {
  if (!inside(offset, kEntrySize, end) || little_endian(bytes_, offset, 4) != kDirectoryEntry)
    fail("{}: corrupt zip archive (directory entry {} is damaged)", name_, i);
  ZipEntry entry;
  const uint64_t flags = little_endian(bytes_, offset + 8, 2);
  entry.method = static_cast<uint16_t>(little_endian(bytes_, offset + 10, 2));
  entry.crc32 = static_cast<uint32_t>(little_endian(bytes_, offset + 16, 4));
  entry.compressed_size = little_endian(bytes_, offset + 20, 4);
  entry.size = little_endian(bytes_, offset + 24, 4);
  const uint64_t name_length = little_endian(bytes_, offset + 28, 2);
  const uint64_t extra_length = little_endian(bytes_, offset + 30, 2);
  const uint64_t comment_length = little_endian(bytes_, offset + 32, 2);
  uint64_t local = little_endian(bytes_, offset + 42, 4);
  const uint64_t next = offset + kEntrySize + name_length + extra_length + comment_length;
  if (next > end) fail("{}: corrupt zip archive (directory entry {} is damaged)", name_, i);
  entry.name = std::string(bytes_.substr(offset + kEntrySize, name_length));
  if (flags & 1) fail("{}: {} is encrypted", name_, entry.name);
  if (entry.method != 0 && entry.method != 8)
    fail("{}: {} uses zip compression method {} (only stored and deflated are read)", name_, entry.name,
         entry.method);
  // Zip64 extra field: the 64-bit values of the fields that say 0xffffffff, in this order.
  for (uint64_t at = offset + kEntrySize + name_length, stop = at + extra_length; at + 4 <= stop;) {
    const uint64_t id = little_endian(bytes_, at, 2), length = little_endian(bytes_, at + 2, 2);
    uint64_t field = at + 4;
    at = field + length;
    if (id != 1 || at > stop) continue;
    for (uint64_t* value : {&entry.size, &entry.compressed_size, &local}) {
      if (*value != kAll32) continue;
      if (field + 8 > at) fail("{}: corrupt zip archive ({}: short zip64 field)", name_, entry.name);
      *value = little_endian(bytes_, field, 8);
      field += 8;
    }
  }
  // The data follows the local header, whose own name and extra lengths may differ.
  if (!inside(local, kLocalSize, bytes_.size()) || little_endian(bytes_, local, 4) != kLocalHeader)
    fail("{}: corrupt zip archive ({}: no local header where the directory says)", name_, entry.name);
  entry.data_offset =
      local + kLocalSize + little_endian(bytes_, local + 26, 2) + little_endian(bytes_, local + 28, 2);
  if (!inside(entry.data_offset, entry.compressed_size, bytes_.size()))
    fail("{}: truncated zip archive ({} reaches past the end of the file)", name_, entry.name);
  if (entry.method == 0 && entry.size != entry.compressed_size)
    fail("{}: corrupt zip archive ({}: stored with two sizes)", name_, entry.name);
  entries_.push_back(std::move(entry));
  return next;
}

const ZipEntry* ZipReader::find(std::string_view name) const {
  const auto found = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const ZipEntry& entry) { return entry.name == name; });
  return found == entries_.end() ? nullptr : &*found;
}

std::string_view ZipReader::stored_bytes(const ZipEntry& entry) const {
  return bytes_.substr(entry.data_offset, entry.compressed_size);
}

std::string_view ZipReader::read_into(const ZipEntry& entry, std::string& buffer, uint64_t max_size) const {
  if (entry.size > max_size)
    fail("{}: {} is larger than gankit reads ({} bytes, at most {})", name_, entry.name, entry.size,
         max_size);
  std::string_view content = stored_bytes(entry);
  if (entry.method == 8) {
    // Deflate expands at most ~1032:1: a larger stated size is a lie that must not allocate.
    if (entry.size / 1032 > entry.compressed_size + 1 || !inflate_exactly(content, buffer, entry.size))
      fail("{}: damaged zip entry {} (it does not inflate to its stated {} bytes)", name_, entry.name,
           entry.size);
    content = buffer;
  }
  if (crc32_of(content) != entry.crc32)
    fail("{}: damaged zip entry {} (its CRC-32 does not match: the file changed after it was written)", name_,
         entry.name);
  return content;
}

std::string ZipReader::read(const ZipEntry& entry, uint64_t max_size) const {
  std::string buffer;
  const auto content = read_into(entry, buffer, max_size);
  return entry.method == 8 ? std::move(buffer) : std::string(content);
}

}  // namespace gankit::io
