// TensorBoard event files (events.out.tfevents.*): scalars and images, written without TensorFlow.
// A file is a sequence of TFRecords, each a serialized Event (see tensorboard_event.proto).
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace gankit::tensorboard {
class Event;  // generated from tensorboard_event.proto; only the .cpp needs its definition
}

namespace gankit::report {

class EventWriter {
 public:
  /// Opens a new file events.out.tfevents.<unix seconds>.<hostname>.<pid> in `dir` (created if
  /// missing) and writes the file_version event. Throws gankit::Error "DIR: cannot write events
  /// (reason)". Should that name be taken (a second writer within the same second), ".2", ".3"...
  /// is appended: TensorBoard reads every file whose name contains "tfevents".
  explicit EventWriter(const std::filesystem::path& dir);

  /// A scalar at `step` (TensorBoard stores simple_value as float32).
  void add_scalar(const std::string& tag, int64_t step, double value);

  /// png: encoded PNG bytes of an image height x width with `channels` 1 or 3.
  void add_image(const std::string& tag, int64_t step, const std::string& png, int height, int width,
                 int channels);

  /// A SessionLog START at `step`: on a resumed run TensorBoard then drops the events it already
  /// had at or past `step` (those the run is about to write again).
  void add_session_start(int64_t step);

  /// Pushes buffered records to the file; throws gankit::Error "PATH: cannot write events (...)".
  void flush();

  const std::filesystem::path& path() const;

 private:
  void write_event(const tensorboard::Event& event);

  std::filesystem::path path_;
  std::ofstream out_;
};

/// One decoded event, as a reader sees it.
struct EventRecord {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;
  std::string tag;
  std::optional<double> scalar;
  std::string image_png;
  int image_height = 0, image_width = 0, image_channels = 0;
  bool session_start = false;
};

/// Reads every record of an events file, checking both CRCs; a corrupt or truncated record is a
/// gankit::Error "PATH: record N: <what is wrong>", N counting TFRecords from 0 (the file_version
/// event). A summary with several values gives several EventRecords.
std::vector<EventRecord> read_events(const std::filesystem::path& path);

}  // namespace gankit::report
