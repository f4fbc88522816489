// The evaluator's Go-syntax regex engine: whole-string matching as
// Prometheus anchors matchers, Go's syntax (flags, named groups, classes,
// \Q..\E), leftmost-first submatches for label_replace, Go's $-expansion,
// the fast paths agreeing with the VM, and patterns Go rejects.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "suites/alerts/promql/eval_regex.h"

using greenlight::promql::cached_regex;
using greenlight::promql::expand_template;
using greenlight::promql::GoRegex;

namespace {

bool matches(const std::string& pattern, const std::string& s) { return GoRegex(pattern).full_match(s); }

// Group 1's text of a whole-string match, "<none>" without a match.
std::string group1(const std::string& pattern, const std::string& s) {
  GoRegex re(pattern);
  std::vector<std::pair<int, int>> g;
  if (!re.full_match(s, g)) return "<none>";
  if (g.size() < 2 || g[1].first < 0) return "<unset>";
  return s.substr(static_cast<std::size_t>(g[1].first), static_cast<std::size_t>(g[1].second - g[1].first));
}

}  // namespace

TEST_CASE("regex matchers match whole strings only", "[promql][eval][regex]") {
  CHECK(matches("api", "api"));
  CHECK_FALSE(matches("api", "api-server"));
  CHECK_FALSE(matches("api", "my-api"));
  CHECK(matches("api.*", "api-server"));
  CHECK_FALSE(matches("api.*", "my-api"));
  CHECK(matches(".*api", "my-api"));
  CHECK(matches(".*-api-.*", "x-api-y"));
  CHECK_FALSE(matches(".*-api-.*", "x-apy-y"));
  CHECK(matches("a|bc|d", "bc"));
  CHECK_FALSE(matches("a|bc|d", "b"));
  CHECK(matches("(?:5..|429)", "503"));
  CHECK_FALSE(matches("5..", "5030"));
  CHECK(matches("", ""));
  CHECK_FALSE(matches("", "x"));
  CHECK(matches(".*", ""));
  CHECK_FALSE(matches(".+", ""));
}

TEST_CASE("regexes follow Go's syntax and semantics", "[promql][eval][regex]") {
  CHECK(matches("[[:digit:]]+", "0123"));
  CHECK_FALSE(matches("[[:digit:]]+", "12a"));
  CHECK(matches("[^a-c]x", "dx"));
  CHECK_FALSE(matches("[^a-c]x", "bx"));
  CHECK(matches("\\d{2,3}", "123"));
  CHECK_FALSE(matches("\\d{2,3}", "1234"));
  CHECK(matches("a{,2}", "a{,2}"));  // not a repetition in Go: literal braces
  CHECK(matches("(?i)PROD", "prod"));
  CHECK_FALSE(matches("PROD", "prod"));
  CHECK(matches("(?i:a)b", "Ab"));
  CHECK_FALSE(matches("(?i:a)b", "AB"));
  CHECK(matches("\\Q.*+\\E", ".*+"));
  CHECK_FALSE(matches("\\Q.*+\\E", "abc"));
  CHECK(matches("\\w+\\s\\S", "ab_1 x"));
  // `.` does not match a newline unless (?s); it matches one whole UTF-8 rune.
  CHECK_FALSE(matches("a.b", "a\nb"));
  CHECK(matches("(?s)a.b", "a\nb"));
  CHECK(matches("caf.", "caf\xc3\xa9"));
  CHECK(matches("\\pL+", "caf\xc3\xa9"));
  // Empty-width loops terminate.
  CHECK(matches("(a*)*b", "aaab"));
  CHECK_FALSE(matches("(a*)*b", std::string(5000, 'a')));
  CHECK(matches("x*", std::string(100000, 'x')));
}

TEST_CASE("submatches are leftmost-first as in Go", "[promql][eval][regex]") {
  CHECK(group1("(.*)-(.*)", "a-b-c") == "a-b");
  CHECK(group1("(.*?)-(.*)", "a-b-c") == "a");
  CHECK(group1("(a|ab)(c|bcd)", "abcd") == "a");
  CHECK(group1("(x)?y", "y") == "<unset>");
  CHECK(group1("(?P<host>[^:]+):\\d+", "node-1:9100") == "node-1");
  CHECK(group1("(a)", "b") == "<none>");
}

TEST_CASE("templates expand like Go's Regexp.ExpandString", "[promql][eval][regex]") {
  GoRegex re("(?P<host>[^:]+):(\\d+)");
  std::string s = "node-1:9100";
  std::vector<std::pair<int, int>> g;
  REQUIRE(re.full_match(s, g));
  CHECK(expand_template(re, "$1", s, g) == "node-1");
  CHECK(expand_template(re, "${1}_x", s, g) == "node-1_x");
  CHECK(expand_template(re, "$1_x", s, g) == "");  // the group named "1_x" does not exist
  CHECK(expand_template(re, "$host/$2", s, g) == "node-1/9100");
  CHECK(expand_template(re, "$$1 costs $", s, g) == "$1 costs $");
  CHECK(expand_template(re, "${2", s, g) == "${2");
  CHECK(expand_template(re, "$9", s, g) == "");
  CHECK(re.group_index("host") == 1);
  CHECK(re.group_index("port") == -1);
}

TEST_CASE("patterns Go rejects are errors with Go's message", "[promql][eval][regex]") {
  CHECK_THROWS_WITH(GoRegex("(a"), Catch::Contains("missing closing )"));
  CHECK_THROWS_WITH(GoRegex("a**"), Catch::Contains("invalid nested repetition operator"));
  CHECK_THROWS_WITH(GoRegex("(?<n>a)"), Catch::Contains("invalid or unsupported Perl syntax"));
  CHECK_THROWS_WITH(GoRegex("\\1"), Catch::Contains("invalid escape sequence"));
  CHECK_NOTHROW(GoRegex("(?P<n>a)|[[:alpha:]]\\pN"));
}

TEST_CASE("compiled regexes are cached per pattern", "[promql][eval][regex]") {
  auto a = cached_regex("cache-me-.*");
  auto b = cached_regex("cache-me-.*");
  auto c = cached_regex("cache-me-.+");
  CHECK(a.get() == b.get());
  CHECK(a.get() != c.get());
  CHECK(a->full_match("cache-me-"));
  CHECK_FALSE(c->full_match("cache-me-"));
}
