// TensorBoard event files: CRC-32C, TFRecord framing, and the Event wire format, checked against
// published values and a wire decoder written here (not the generated protobuf classes).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "gankit/error.h"
#include "gankit/report/crc32c.h"
#include "gankit/report/tensorboard.h"
#include "support/test_support.h"
#include "tensorboard_event.pb.h"

namespace {

namespace fs = std::filesystem;
using gankit::report::EventRecord;
using gankit::report::EventWriter;
using gankit::report::read_events;

using gankit::test::slurp;
using gankit::test::TempDir;

uint64_t read_le(const std::string& bytes, size_t at, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

std::string le(uint64_t value, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  return out;
}

/// The data of each TFRecord in `bytes`, with the offset where each record starts.
struct RawRecord {
  size_t offset;
  std::string data;
};
std::vector<RawRecord> split_records(const std::string& bytes) {
  std::vector<RawRecord> records;
  for (size_t at = 0; at + 12 <= bytes.size();) {
    const uint64_t length = read_le(bytes, at, 8);
    records.push_back({at, bytes.substr(at + 12, length)});
    at += 12 + length + 4;
  }
  return records;
}

/// Message of `error` thrown by `action`, or "" when nothing was thrown.
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const gankit::Error& error) {
    return error.what();
  }
  return "";
}

// ---- a protobuf wire decoder, independent of the generated code ----

struct WireField {
  int number;
  int wire_type;      // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t scalar;    // varint value, or the raw bits of a fixed field
  std::string bytes;  // a length-delimited field's content
};

uint64_t read_varint(const std::string& bytes, size_t& at) {
  uint64_t value = 0;
  for (int shift = 0;; shift += 7) {
    if (at >= bytes.size() || shift > 63) throw std::runtime_error("bad varint");
    const auto byte = static_cast<uint8_t>(bytes[at++]);
    value |= uint64_t{byte & 0x7Fu} << shift;
    if (!(byte & 0x80)) return value;
  }
}

std::vector<WireField> decode_wire(const std::string& bytes) {
  std::vector<WireField> fields;
  for (size_t at = 0; at < bytes.size();) {
    const uint64_t key = read_varint(bytes, at);
    WireField field{static_cast<int>(key >> 3), static_cast<int>(key & 7), 0, {}};
    const auto need = [&](uint64_t count) {
      if (count > bytes.size() - at) throw std::runtime_error("field runs past the end");
    };
    switch (field.wire_type) {
      case 0:
        field.scalar = read_varint(bytes, at);
        break;
      case 1:
        need(8);
        field.scalar = read_le(bytes, at, 8);
        at += 8;
        break;
      case 5:
        need(4);
        field.scalar = read_le(bytes, at, 4);
        at += 4;
        break;
      case 2: {
        const uint64_t length = read_varint(bytes, at);
        need(length);
        field.bytes = bytes.substr(at, length);
        at += length;
        break;
      }
      default:
        throw std::runtime_error("unexpected wire type");
    }
    fields.push_back(field);
  }
  return fields;
}

double as_double(uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

float as_float(uint64_t bits) {
  const auto narrow = static_cast<uint32_t>(bits);
  float value;
  std::memcpy(&value, &narrow, sizeof value);
  return value;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---- CRC-32C ----

TEST(Crc32c, StandardCheckValues) {
  EXPECT_EQ(gankit::report::crc32c("123456789"), 0xE3069283u);            // the catalogued check value
  EXPECT_EQ(gankit::report::crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720, B.4
  EXPECT_EQ(gankit::report::crc32c(""), 0u);
}

TEST(Crc32c, MaskedAsInARealEventFile) {
  // The data CRC of a real TensorFlow record, Event(file_version="CRC test, one two"), quoted in
  // TensorBoard's data server (tensorboard/data/server/masked_crc.rs).
  EXPECT_EQ(gankit::report::masked_crc32c(std::string("\x1a\x11"
                                                      "CRC test, one two")),
            0x5794D08Au);
  // And the mask formula on the check value: rotate right by 15, add 0xa282ead8.
  const uint32_t crc = 0xE3069283u;
  EXPECT_EQ(gankit::report::masked_crc32c("123456789"), ((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
}

// ---- writing and reading ----

TEST(EventWriter, NamesTheFileLikeTensorFlowInAFolderItCreates) {
  TempDir dir;
  const fs::path logdir = dir / "runs" / "a";
  EventWriter writer(logdir);
  EXPECT_EQ(writer.path().parent_path(), logdir);
  EXPECT_TRUE(fs::is_regular_file(writer.path()));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::string name = writer.path().filename().string();
  std::smatch match;
  ASSERT_TRUE(std::regex_match(name, match, std::regex(R"(events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+))")))
      << name;
  EXPECT_NEAR(std::stod(match[1]), now_seconds(), 5);
  EXPECT_EQ(match[2], host);
  EXPECT_EQ(match[3], std::to_string(getpid()));

  // A second writer in the same second gets a file of its own.
  EventWriter second(logdir);
  EXPECT_NE(second.path(), writer.path());
  EXPECT_NE(second.path().filename().string().find("tfevents"), std::string::npos);
}

TEST(EventWriter, FailsNamingTheFolder) {
  TempDir dir;
  gankit::test::write_file(dir / "file", "not a folder");
  const auto message = error_of([&] { EventWriter writer(dir / "file" / "logs"); });
  EXPECT_NE(message.find((dir / "file" / "logs").string() + ": cannot write events ("), std::string::npos)
      << message;
}

TEST(EventWriter, RoundTripsScalarsImagesAndSessionStart) {
  TempDir dir;
  const double before = now_seconds();
  EventWriter writer(dir / "logs");
  const std::string png("\x89PNG\r\n\x1a\n\0\xff fake", 16);
  writer.add_scalar("loss/d", 1, 0.5);
  writer.add_scalar("loss/g", 2, -2.25);
  writer.add_image("samples", 2, png, 28, 56, 1);
  writer.add_image("samples/rgb", 3, "rgb", 4, 5, 3);
  writer.add_session_start(7);
  writer.add_scalar("loss/d", 7, 1e-3);
  writer.flush();

  const auto records = read_events(writer.path());
  ASSERT_EQ(records.size(), 7u);
  for (const auto& record : records) {
    EXPECT_GE(record.wall_time, before - 1);
    EXPECT_LE(record.wall_time, now_seconds() + 1);
  }
  EXPECT_EQ(records[0].file_version, "brain.Event:2");
  EXPECT_EQ(records[0].step, 0);
  EXPECT_TRUE(records[0].tag.empty());

  EXPECT_EQ(records[1].tag, "loss/d");
  EXPECT_EQ(records[1].step, 1);
  EXPECT_EQ(records[1].scalar, 0.5);
  EXPECT_EQ(records[2].tag, "loss/g");
  EXPECT_EQ(records[2].scalar, -2.25);

  EXPECT_EQ(records[3].tag, "samples");
  EXPECT_EQ(records[3].step, 2);
  EXPECT_FALSE(records[3].scalar.has_value());
  EXPECT_EQ(records[3].image_png, png);
  EXPECT_EQ(records[3].image_height, 28);
  EXPECT_EQ(records[3].image_width, 56);
  EXPECT_EQ(records[3].image_channels, 1);
  EXPECT_EQ(records[4].image_channels, 3);
  EXPECT_EQ(records[4].image_png, "rgb");

  EXPECT_TRUE(records[5].session_start);
  EXPECT_EQ(records[5].step, 7);
  EXPECT_TRUE(records[5].tag.empty());
  EXPECT_FALSE(records[4].session_start);

  ASSERT_TRUE(records[6].scalar.has_value());
  EXPECT_FLOAT_EQ(static_cast<float>(*records[6].scalar), 1e-3f);  // stored as float32
}

TEST(EventWriter, RejectsImagesThatAreNeitherGreyNorRgb) {
  TempDir dir;
  EventWriter writer(dir / "logs");
  const auto message = error_of([&] { writer.add_image("x", 0, "png", 2, 2, 4); });
  EXPECT_NE(message.find("4 channels"), std::string::npos) << message;
}

TEST(ReadEvents, ASummaryWithSeveralValuesGivesSeveralRecords) {
  // TensorFlow writers put several values in one summary; gankit's writer never does.
  TempDir dir;
  gankit::tensorboard::Event event;
  event.set_step(4);
  auto* first = event.mutable_summary()->add_value();
  first->set_tag("a");
  first->set_simple_value(1);
  auto* second = event.mutable_summary()->add_value();
  second->set_tag("b");
  second->set_simple_value(2);
  const std::string data = event.SerializeAsString();
  const std::string length = le(data.size(), 8);
  gankit::test::write_file(dir / "events", length + le(gankit::report::masked_crc32c(length), 4) + data +
                                  le(gankit::report::masked_crc32c(data), 4));
  const auto records = read_events(dir / "events");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].tag, "a");
  EXPECT_EQ(records[1].tag, "b");
  EXPECT_EQ(records[1].scalar, 2.0);
  EXPECT_EQ(records[1].step, 4);
}

// ---- damaged files ----

class DamagedEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    EventWriter writer(dir_ / "logs");
    writer.add_scalar("loss", 1, 0.25);
    writer.add_scalar("loss", 2, 0.125);
    writer.flush();
    path_ = writer.path();
    bytes_ = slurp(path_);
    records_ = split_records(bytes_);
    ASSERT_EQ(records_.size(), 3u);
  }
  std::string error_after(const std::string& bytes) {
    gankit::test::write_file(path_, bytes);
    return error_of([&] { read_events(path_); });
  }

  TempDir dir_;
  fs::path path_;
  std::string bytes_;
  std::vector<RawRecord> records_;
};

TEST_F(DamagedEvents, ALengthChecksumMismatchNamesFileAndRecord) {
  std::string bytes = bytes_;
  bytes[records_[1].offset + 9] ^= 0x01;  // inside record 1's length CRC
  const auto message = error_after(bytes);
  EXPECT_NE(message.find(path_.string() + ": record 1: length checksum mismatch"), std::string::npos)
      << message;
}

TEST_F(DamagedEvents, ACorruptLengthIsCaughtByItsChecksum) {
  std::string bytes = bytes_;
  bytes[records_[2].offset] ^= 0x40;
  const auto message = error_after(bytes);
  EXPECT_NE(message.find(path_.string() + ": record 2: length checksum mismatch"), std::string::npos)
      << message;
}

TEST_F(DamagedEvents, ADataChecksumMismatchNamesFileAndRecord) {
  std::string bytes = bytes_;
  bytes[records_[1].offset + 12 + records_[1].data.size() - 1] ^= 0x01;  // last data byte
  const auto message = error_after(bytes);
  EXPECT_NE(message.find(path_.string() + ": record 1: data checksum mismatch"), std::string::npos)
      << message;
}

TEST_F(DamagedEvents, ATruncatedFileNamesTheTornRecord) {
  auto message = error_after(bytes_.substr(0, bytes_.size() - 3));
  EXPECT_NE(message.find(path_.string() + ": record 2: truncated"), std::string::npos) << message;
  message = error_after(bytes_.substr(0, records_[2].offset + 5));
  EXPECT_NE(message.find(path_.string() + ": record 2: truncated header (5 of 12 bytes)"), std::string::npos)
      << message;
  EXPECT_EQ(error_after(bytes_.substr(0, records_[2].offset)), "");  // whole records only: fine
}

TEST_F(DamagedEvents, AMissingFileIsAnError) {
  const auto message = error_of([&] { read_events(dir_ / "absent"); });
  EXPECT_NE(message.find("absent: cannot read events"), std::string::npos) << message;
}

// ---- the bytes on disk, decoded by hand ----

TEST(EventWireFormat, MatchesTensorBoardsFieldNumbers) {
  TempDir dir;
  const double before = now_seconds();
  EventWriter writer(dir / "logs");
  writer.add_scalar("loss/d", 5, 0.75);
  writer.add_session_start(3);
  writer.flush();
  const std::string bytes = slurp(writer.path());
  const auto records = split_records(bytes);
  ASSERT_EQ(records.size(), 3u);
  ASSERT_EQ(bytes.size(), records[2].offset + 12 + records[2].data.size() + 4);

  // Record 0: Event{wall_time (1, double), file_version (3, string)}; step 0 is proto3's default
  // and so is not written.
  auto fields = decode_wire(records[0].data);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].number, 1);
  EXPECT_EQ(fields[0].wire_type, 1);
  EXPECT_NEAR(as_double(fields[0].scalar), before, 5);
  EXPECT_EQ(fields[1].number, 3);
  EXPECT_EQ(fields[1].wire_type, 2);
  EXPECT_EQ(fields[1].bytes, "brain.Event:2");

  // Record 1: Event{wall_time 1, step (2, varint), summary (5) {value (1) {tag 1, simple_value
  // (2, float)}}}.
  fields = decode_wire(records[1].data);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].number, 1);
  EXPECT_EQ(fields[0].wire_type, 1);
  EXPECT_NEAR(as_double(fields[0].scalar), before, 5);
  EXPECT_EQ(fields[1].number, 2);
  EXPECT_EQ(fields[1].wire_type, 0);
  EXPECT_EQ(fields[1].scalar, 5u);
  EXPECT_EQ(fields[2].number, 5);
  ASSERT_EQ(fields[2].wire_type, 2);
  const auto summary = decode_wire(fields[2].bytes);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].number, 1);
  ASSERT_EQ(summary[0].wire_type, 2);
  const auto value = decode_wire(summary[0].bytes);
  ASSERT_EQ(value.size(), 2u);
  EXPECT_EQ(value[0].number, 1);
  EXPECT_EQ(value[0].wire_type, 2);
  EXPECT_EQ(value[0].bytes, "loss/d");
  EXPECT_EQ(value[1].number, 2);
  EXPECT_EQ(value[1].wire_type, 5);
  EXPECT_EQ(as_float(value[1].scalar), 0.75f);

  // Record 2: Event{wall_time 1, step 2, session_log (7) {status (1) = START (1)}}.
  fields = decode_wire(records[2].data);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].scalar, 3u);
  EXPECT_EQ(fields[2].number, 7);
  ASSERT_EQ(fields[2].wire_type, 2);
  const auto session_log = decode_wire(fields[2].bytes);
  ASSERT_EQ(session_log.size(), 1u);
  EXPECT_EQ(session_log[0].number, 1);
  EXPECT_EQ(session_log[0].wire_type, 0);
  EXPECT_EQ(session_log[0].scalar, 1u);

  // And the framing: each CRC over the bytes the format says.
  for (const auto& record : records) {
    EXPECT_EQ(read_le(bytes, record.offset + 8, 4),
              gankit::report::masked_crc32c(bytes.substr(record.offset, 8)));
    EXPECT_EQ(read_le(bytes, record.offset + 12 + record.data.size(), 4),
              gankit::report::masked_crc32c(record.data));
  }
}

}  // namespace
