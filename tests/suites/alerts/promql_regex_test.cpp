// Tests of the Go (RE2) regexp syntax check used for =~ and !~ matchers:
// what Go accepts and rejects, Go's messages, and matching the empty string.
#include "suites/alerts/promql/regex_check.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace greenlight::promql;

TEST_CASE("regex check accepts RE2 syntax that std::regex would not", "[promql][regex]") {
  for (std::string ok :
       {"", "abc", "a|b", "(?i)error", "(?i:a)(?-i)b(?s-m:c)", "(?P<name>x)", "\\pL+", "\\p{Greek}", "\\P{^Han}",
        "[[:alpha:]]+", "[^[:space:]]", "\\Qa.b*c\\E", "\\d\\D\\s\\S\\w\\W", "\\A\\z\\b\\B", "a{2}", "a{2,}", "a{2,5}",
        "a{,5}", "x{01}", "a*?b+?c??", "(?U)a+", "\\x41\\x{263a}\\101\\08", "[]a]", "[^]a]", "[a-z0-9_-]",
        "[\\d\\pL[:alpha:]-]", "^*", "$*", "\\b+", "\\_\\-\\ ", "(a{500}){2}", "a{1000}", ".*", "é+"})
    CHECK_FALSE(regex_error(ok));
}

TEST_CASE("regex check rejects what Go rejects with Go's message", "[promql][regex]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"(", "missing closing ): `(`"},
      {"a)", "unexpected ): `a)`"},
      {"[a", "missing closing ]: `[a`"},
      {"[]", "missing closing ]: `[]`"},
      {"*", "missing argument to repetition operator: `*`"},
      {"a|*", "missing argument to repetition operator: `*`"},
      {"a**", "invalid nested repetition operator: `**`"},
      {"a*??", "invalid nested repetition operator: `*??`"},
      {"x{2}{3}", "invalid nested repetition operator: `{2}{3}`"},
      {"a{1001}", "invalid repeat count: `{1001}`"},
      {"x{2,1}", "invalid repeat count: `{2,1}`"},
      {"(a{500}){3}", "invalid repeat count: `{3}`"},
      {"[z-a]", "invalid character class range: `z-a`"},
      {"[[:foo:]]", "invalid character class range: `[:foo:]`"},
      {"\\p{Foo}", "invalid character class range: `\\p{Foo}`"},
      {"\\1", "invalid escape sequence: `\\1`"},
      {"\\8", "invalid escape sequence: `\\8`"},
      {"\\C", "invalid escape sequence: `\\C`"},
      {"\\q", "invalid escape sequence: `\\q`"},
      {"\\x4G", "invalid escape sequence: `\\x4G`"},
      {"\\x{110000}", "invalid escape sequence: `\\x{110000`"},
      {"[a-\\d]", "invalid escape sequence: `\\d`"},
      {"\\", "trailing backslash at end of expression: ``"},
      {"(?=x)", "invalid or unsupported Perl syntax: `(?=`"},
      {"(?<n>x)", "invalid or unsupported Perl syntax: `(?<`"},
      {"(?-)", "invalid or unsupported Perl syntax: `(?-)`"},
      {"(?P<a-b>x)", "invalid named capture: `(?P<a-b>`"},
      {"(?P<>x)", "invalid named capture: `(?P<>`"},
      {"a\xff", "invalid UTF-8: `\xff`"},
  };
  for (const auto& [pattern, message] : cases) {
    INFO(pattern);
    auto err = regex_error(pattern);
    REQUIRE(err);
    CHECK(*err == "error parsing regexp: " + message);
  }
}

TEST_CASE("matcher regex check compiles anchored and alone like Prometheus 2.42", "[promql][regex]") {
  CHECK(*matcher_regex_error("(") == "error parsing regexp: missing closing ): `^(?:()$`");
  // Valid once wrapped in ^(?:...)$, invalid alone.
  CHECK_FALSE(regex_error("^(?:a)|(b)$"));
  CHECK(*matcher_regex_error("a)|(b") == "error parsing regexp: unexpected ): `a)|(b`");
  CHECK_FALSE(matcher_regex_error("5.."));
}

TEST_CASE("regex check tells whether a pattern matches the empty string", "[promql][regex]") {
  for (std::string empty : {"", ".*", "a*", "a?", "(a)?", "a|", "|a", "(|a)+", "^$", "\\B", "(?:)", "a{0}",
                            "a{0,3}", "(?i)", "\\Q\\E", "(a*)(b?)"})
    CHECK(regex_matches_empty(empty));
  for (std::string nonempty : {".+", "a", "a+", "\\b", "[^a]*b", "a{1,3}", "(a|b)", "\\pL*x", "x|y"})
    CHECK_FALSE(regex_matches_empty(nonempty));

  auto m = [](MatchOp op, std::string v) { return LabelMatcher{"l", op, std::move(v), {}}; };
  CHECK(matcher_matches_empty(m(MatchOp::Equal, "")));
  CHECK_FALSE(matcher_matches_empty(m(MatchOp::Equal, "x")));
  CHECK(matcher_matches_empty(m(MatchOp::NotEqual, "x")));
  CHECK_FALSE(matcher_matches_empty(m(MatchOp::NotEqual, "")));
  CHECK(matcher_matches_empty(m(MatchOp::Regex, ".*")));
  CHECK_FALSE(matcher_matches_empty(m(MatchOp::Regex, ".+")));
  CHECK(matcher_matches_empty(m(MatchOp::NotRegex, "x")));
  CHECK_FALSE(matcher_matches_empty(m(MatchOp::NotRegex, ".*")));
}
