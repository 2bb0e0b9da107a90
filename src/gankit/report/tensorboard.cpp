#include "gankit/report/tensorboard.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "gankit/error.h"
#include "gankit/report/crc32c.h"
#include "tensorboard_event.pb.h"

namespace gankit::report {

namespace fs = std::filesystem;
namespace pb = gankit::tensorboard;

namespace {

constexpr char kFileVersion[] = "brain.Event:2";  // the version every current writer uses

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// TFRecord integers are little endian whatever the machine.
std::string encode_le(uint64_t value, int bytes) {
  std::string out(bytes, '\0');
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

uint64_t decode_le(const char* bytes, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

pb::Event event_at(int64_t step) {
  pb::Event event;
  event.set_wall_time(now_seconds());
  event.set_step(step);
  return event;
}

// One EventRecord per summary value; other events give one each.
void append_records(const pb::Event& event, std::vector<EventRecord>& records) {
  EventRecord base;
  base.wall_time = event.wall_time();
  base.step = event.step();
  switch (event.what_case()) {
    case pb::Event::kFileVersion:
      base.file_version = event.file_version();
      break;
    case pb::Event::kSessionLog:
      base.session_start = event.session_log().status() == pb::SessionLog::START;
      break;
    case pb::Event::kSummary:
      for (const auto& value : event.summary().value()) {
        EventRecord record = base;
        record.tag = value.tag();
        if (value.value_case() == pb::Summary::Value::kSimpleValue) {
          record.scalar = value.simple_value();
        } else if (value.value_case() == pb::Summary::Value::kImage) {
          record.image_png = value.image().encoded_image_string();
          record.image_height = value.image().height();
          record.image_width = value.image().width();
          record.image_channels = value.image().colorspace();
        }
        records.push_back(std::move(record));
      }
      if (!event.summary().value().empty()) return;
      break;
    default:
      break;
  }
  records.push_back(std::move(base));
}

}  // namespace

EventWriter::EventWriter(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) fail("{}: cannot write events ({})", dir.string(), error.message());
  // TensorFlow's name: the zero-padded time makes a run's files sort in the order written, which
  // is the order TensorBoard reads them in.
  const std::string name = fmt::format("events.out.tfevents.{:010d}.{}.{}",
                                       static_cast<int64_t>(now_seconds()), host_name(), getpid());
  path_ = dir / name;
  for (int copy = 2; fs::exists(path_); ++copy) path_ = dir / fmt::format("{}.{}", name, copy);
  out_.open(path_, std::ios::binary);
  if (!out_) fail("{}: cannot write events ({})", dir.string(), std::strerror(errno));
  pb::Event event = event_at(0);
  event.set_file_version(kFileVersion);
  write_event(event);
  // Now rather than at the first flush(), so that an unwritable folder fails here, named.
  out_.flush();
  if (!out_) fail("{}: cannot write events (write failed: disk full?)", dir.string());
}

void EventWriter::add_scalar(const std::string& tag, int64_t step, double value) {
  pb::Event event = event_at(step);
  auto* summary_value = event.mutable_summary()->add_value();
  summary_value->set_tag(tag);
  summary_value->set_simple_value(static_cast<float>(value));
  write_event(event);
}

void EventWriter::add_image(const std::string& tag, int64_t step, const std::string& png, int height,
                            int width, int channels) {
  if (channels != 1 && channels != 3) {
    fail("{}: image '{}' has {} channels (TensorBoard images here are grey or RGB: 1 or 3)", path_.string(),
         tag, channels);
  }
  pb::Event event = event_at(step);
  auto* summary_value = event.mutable_summary()->add_value();
  summary_value->set_tag(tag);
  auto* image = summary_value->mutable_image();
  image->set_height(height);
  image->set_width(width);
  image->set_colorspace(channels);  // colorspace 1 is grey, 3 is RGB
  image->set_encoded_image_string(png);
  write_event(event);
}

void EventWriter::add_session_start(int64_t step) {
  pb::Event event = event_at(step);
  event.mutable_session_log()->set_status(pb::SessionLog::START);
  write_event(event);
}

void EventWriter::flush() {
  out_.flush();
  if (!out_) fail("{}: cannot write events (write failed: disk full?)", path_.string());
}

const fs::path& EventWriter::path() const { return path_; }

// TFRecord framing: length, masked CRC of the length bytes, data, masked CRC of the data.
void EventWriter::write_event(const pb::Event& event) {
  const std::string data = event.SerializeAsString();
  const std::string length = encode_le(data.size(), 8);
  std::string record = length;
  record += encode_le(masked_crc32c(length), 4);
  record += data;
  record += encode_le(masked_crc32c(data), 4);
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  if (!out_) fail("{}: cannot write events (write failed: disk full?)", path_.string());
}

std::vector<EventRecord> read_events(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot read events ({})", path.string(), std::strerror(errno));
  std::error_code error;
  const uint64_t file_size = fs::file_size(path, error);
  if (error) fail("{}: cannot read events ({})", path.string(), error.message());
  std::vector<EventRecord> records;
  uint64_t offset = 0;
  for (int64_t index = 0; offset < file_size; ++index) {
    char header[12];
    in.read(header, sizeof header);
    if (in.gcount() < static_cast<std::streamsize>(sizeof header)) {
      fail("{}: record {}: truncated header ({} of 12 bytes)", path.string(), index, in.gcount());
    }
    const uint32_t length_crc = masked_crc32c(std::string_view(header, 8));
    const auto stored_length_crc = static_cast<uint32_t>(decode_le(header + 8, 4));
    if (length_crc != stored_length_crc) {
      fail("{}: record {}: length checksum mismatch (stored {:#010x}, computed {:#010x})", path.string(),
           index, stored_length_crc, length_crc);
    }
    const uint64_t length = decode_le(header, 8);
    offset += sizeof header;
    // Checked before allocating: a truncated file must not turn into a huge allocation.
    if (length > file_size - offset || file_size - offset - length < 4) {
      fail("{}: record {}: truncated ({} data bytes and a 4-byte checksum announced, {} left)", path.string(),
           index, length, file_size - offset);
    }
    std::string data(length, '\0');
    char stored_crc_bytes[4];
    in.read(data.data(), static_cast<std::streamsize>(length));
    in.read(stored_crc_bytes, sizeof stored_crc_bytes);
    if (!in) fail("{}: record {}: read failed ({})", path.string(), index, std::strerror(errno));
    offset += length + 4;
    const uint32_t data_crc = masked_crc32c(data);
    const auto stored_data_crc = static_cast<uint32_t>(decode_le(stored_crc_bytes, 4));
    if (data_crc != stored_data_crc) {
      fail("{}: record {}: data checksum mismatch (stored {:#010x}, computed {:#010x})", path.string(), index,
           stored_data_crc, data_crc);
    }
    pb::Event event;
    if (!event.ParseFromString(data)) fail("{}: record {}: not an Event protobuf", path.string(), index);
    append_records(event, records);
  }
  return records;
}

}  // namespace gankit::report
