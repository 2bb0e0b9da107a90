#include "gankit/io/bounded_json.h"

#include "gankit/error.h"

namespace gankit::io {

namespace {

/// Thrown from the parser's callback to stop it; caught below.
struct TooDeep {};

}  // namespace

nlohmann::json parse_bounded_json(std::string_view text, int max_depth, const std::string& name,
                                  const std::string& what) {
  const auto bound = [max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    const bool opens = event == nlohmann::json::parse_event_t::object_start ||
                       event == nlohmann::json::parse_event_t::array_start;
    if (opens && depth >= max_depth) throw TooDeep{};
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), bound);
  } catch (const TooDeep&) {
    fail("{}: {} nests deeper than {} levels", name, what, max_depth);
  } catch (const nlohmann::json::exception& error) {
    const std::string message = error.what();
    fail("{}: {} is not valid JSON ({})", name, what, message.substr(0, message.find('\n')));
  }
}

}  // namespace gankit::io
