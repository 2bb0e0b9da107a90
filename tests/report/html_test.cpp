// HTML helpers: escaping, base64 (RFC 4648's test vectors) and URL paths.
#include <gtest/gtest.h>

#include "gankit/report/html.h"

namespace gankit::report {
namespace {

TEST(Html, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(data_uri("foo", "image/png"), "data:image/png;base64,Zm9v");
}

TEST(Html, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
}

TEST(Html, UrlPathsEncodeWhatBrowsersWouldMisread) {
  EXPECT_EQ(url_path("samples/step_000060.png"), "samples/step_000060.png");
  EXPECT_EQ(url_path("my run/#1?.png"), "my%20run/%231%3F.png");
  EXPECT_EQ(url_path("100%"), "100%25");
}

}  // namespace
}  // namespace gankit::report
