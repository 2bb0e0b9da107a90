// JSON from files gankit reads back (tensor file headers, archive structures), parsed with a
// bound on nesting: nlohmann's parser does not recurse, but whoever walks the result does.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace gankit::io {

/// Parses `text`, refusing nesting deeper than `max_depth` as soon as the parser reaches it. Errors
/// are gankit::Error "NAME: WHAT is not valid JSON (the parser's first line)" or "NAME: WHAT nests
/// deeper than MAX_DEPTH levels".
nlohmann::json parse_bounded_json(std::string_view text, int max_depth, const std::string& name,
                                  const std::string& what);

}  // namespace gankit::io
