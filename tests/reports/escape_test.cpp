// clean_text and the escapers: what makes arbitrary target bytes legal XML/HTML.
#include <catch2/catch.hpp>

#include "reports/escape.h"

using namespace greenlight;

TEST_CASE("clean_text keeps valid UTF-8 and whitespace as they are") {
  std::string s = "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x9a\x80\ttab\nlf\r\ncrlf";
  CHECK(clean_text(s) == s);
}

TEST_CASE("clean_text shows C0 controls as control pictures and drops DEL and C1") {
  CHECK(clean_text(std::string("a\x01" "b", 3)) == "a\xe2\x90\x81" "b");
  CHECK(clean_text(std::string("\0", 1)) == "\xe2\x90\x80");        // NUL -> U+2400
  CHECK(clean_text("\x1b[31m") == "\xe2\x90\x9b[31m");              // ESC -> U+241B
  CHECK(clean_text("x\x7fy") == "x\xef\xbf\xbdy");                  // DEL
  CHECK(clean_text("x\xc2\x85y") == "x\xef\xbf\xbdy");              // NEL (C1)
  CHECK(clean_text("x\xef\xbf\xbey") == "x\xef\xbf\xbdy");          // U+FFFE is not an XML char
}

TEST_CASE("clean_text replaces each invalid UTF-8 byte with U+FFFD") {
  const std::string r = "\xef\xbf\xbd";
  CHECK(clean_text("\xff") == r);
  CHECK(clean_text("a\xc3(") == "a" + r + "(");                     // truncated 2-byte sequence
  CHECK(clean_text("\xc0\xaf") == r + r);                           // overlong '/'
  CHECK(clean_text("\xed\xa0\x80") == r + r + r);                   // UTF-16 surrogate
  CHECK(clean_text("\xf4\x90\x80\x80") == r + r + r + r);           // above U+10FFFF
  CHECK(clean_text("end\xe2\x9c") == "end" + r + r);                // cut at the end
}

TEST_CASE("xml_text escapes markup, keeps CR, and neutralises the CDATA end marker") {
  CHECK(xml_text("<a href='x'>&</a>]]>\r\n") == "&lt;a href='x'&gt;&amp;&lt;/a&gt;]]&gt;&#13;\n");
}

TEST_CASE("xml_attr escapes quotes and keeps whitespace through attribute normalisation") {
  CHECK(xml_attr("\"a\" 'b' <c>\td\ne\r") == "&quot;a&quot; &apos;b&apos; &lt;c&gt;&#9;d&#10;e&#13;");
}

TEST_CASE("html_escape spells control bytes out and repairs UTF-8 like clean_text") {
  CHECK(html_escape(std::string("a\0b\x1b", 4)) ==
        "a<span class=\"ctl\" title=\"control byte 0x00\">\\x00</span>b"
        "<span class=\"ctl\" title=\"control byte 0x1B\">\\x1B</span>");
  CHECK(html_escape("caf\xc3\xa9\t\xff\x7f") == "caf\xc3\xa9\t\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("html_escape escapes the five characters that matter in HTML") {
  CHECK(html_escape("<script>alert('x\" & y')</script>") ==
        "&lt;script&gt;alert(&#39;x&quot; &amp; y&#39;)&lt;/script&gt;");
}
