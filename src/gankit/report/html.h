// Small pieces of HTML writing: escaping text and embedding files as data URIs.
#pragma once
#include <string>
#include <string_view>

namespace gankit::report {

/// Text made safe inside HTML elements and quoted attributes.
std::string html_escape(std::string_view text);

/// RFC 4648 base64 with padding.
std::string base64(std::string_view bytes);

/// A data: URI holding the bytes, e.g. data_uri(png, "image/png"), so a page carries its images.
std::string data_uri(std::string_view bytes, std::string_view mime_type);

/// A path as a URL path: each segment percent-encoded where needed (spaces, #, ?, %, ...).
std::string url_path(std::string_view path);

}  // namespace gankit::report
