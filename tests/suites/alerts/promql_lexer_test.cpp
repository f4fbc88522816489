// Tests of the PromQL lexer: token kinds and byte positions for every token
// class, Prometheus' context rules (keywords inside braces, the bracket
// state), string escapes, and each lexing error with its position.
#include "suites/alerts/promql/lexer.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace greenlight::promql;

namespace {

std::vector<TokenKind> kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> out;
  for (const auto& t : tokens) out.push_back(t.kind);
  return out;
}

std::vector<std::string> texts(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(t.text);
  return out;
}

// The Error token ending the stream; fails the test when lexing succeeded.
Token lex_error(const std::string& expr) {
  auto tokens = lex_promql(expr);
  REQUIRE(!tokens.empty());
  INFO(expr);
  REQUIRE(tokens.back().kind == TokenKind::Error);
  return tokens.back();
}

}  // namespace

TEST_CASE("lexer gives kinds texts and byte positions", "[promql][lexer]") {
  auto tokens = lex_promql(R"(sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0.5)");
  using K = TokenKind;
  CHECK(kinds(tokens) == std::vector<K>{K::Sum, K::By, K::LeftParen, K::Identifier, K::RightParen, K::LeftParen,
                                        K::Identifier, K::LeftParen, K::Identifier, K::LeftBrace, K::Identifier,
                                        K::EqlRegex, K::String, K::RightBrace, K::LeftBracket, K::Duration,
                                        K::RightBracket, K::RightParen, K::RightParen, K::Gtr, K::Number, K::Eof});
  CHECK(texts(tokens)[12] == R"("5..")");
  CHECK(tokens[0].pos == 0);
  CHECK(tokens[1].pos == 4);   // by
  CHECK(tokens[6].pos == 14);  // rate
  CHECK(tokens[12].pos == 45);
  CHECK(tokens[12].end() == 50);
  CHECK(tokens[15].text == "5m");
  CHECK(tokens[15].pos == 52);
  CHECK(tokens.back().pos == 63);  // Eof at the end of the input
}

TEST_CASE("lexer recognises every operator", "[promql][lexer]") {
  using K = TokenKind;
  auto tokens = lex_promql("a + b - c * d / e % f ^ g == h != i > j < k >= l <= m and n or o unless p atan2 q @ 5");
  std::vector<K> ops;
  for (const auto& t : tokens)
    if (is_operator(t.kind)) ops.push_back(t.kind);
  CHECK(ops == std::vector<K>{K::Add, K::Sub, K::Mul, K::Div, K::Mod, K::Pow, K::Eqlc, K::Neq, K::Gtr, K::Lss, K::Gte,
                              K::Lte, K::And, K::Or, K::Unless, K::Atan2, K::At});
  CHECK(kinds(lex_promql(R"({a="1",b!="2",c=~"3",d!~"4"})")) ==
        std::vector<K>{K::LeftBrace, K::Identifier, K::Assign, K::String, K::Comma, K::Identifier, K::Neq, K::String,
                       K::Comma, K::Identifier, K::EqlRegex, K::String, K::Comma, K::Identifier, K::NeqRegex,
                       K::String, K::RightBrace, K::Eof});
}

TEST_CASE("lexer keywords are case-insensitive and only outside braces", "[promql][lexer]") {
  using K = TokenKind;
  CHECK(kinds(lex_promql("SUM Without BY on IGNORING group_left GROUP_RIGHT Bool offset START end")) ==
        std::vector<K>{K::Sum, K::Without, K::By, K::On, K::Ignoring, K::GroupLeft, K::GroupRight, K::Bool, K::Offset,
                       K::Start, K::End, K::Eof});
  CHECK(kinds(lex_promql("avg count min max group stddev stdvar topk bottomk count_values quantile limitk limit_ratio")) ==
        std::vector<K>{K::Avg, K::Count, K::Min, K::Max, K::Group, K::Stddev, K::Stdvar, K::Topk, K::Bottomk,
                       K::CountValues, K::Quantile, K::Limitk, K::LimitRatio, K::Eof});
  // Inside braces a keyword is just a label name.
  auto inside = lex_promql(R"({by="x", offset="y"})");
  CHECK(inside[1].kind == K::Identifier);
  CHECK(inside[1].text == "by");
  CHECK(inside[5].kind == K::Identifier);
  // Function names are identifiers; a colon makes a metric identifier.
  CHECK(kinds(lex_promql("rate job:rate5m :x")) == std::vector<K>{K::Identifier, K::MetricIdentifier,
                                                                   K::MetricIdentifier, K::Eof});
}

TEST_CASE("lexer numbers and durations", "[promql][lexer]") {
  using K = TokenKind;
  auto tokens = lex_promql("1 0.5 .5 5. 1e3 1.5E-3 0x1F 0755 Inf nan NaN");
  std::vector<K> expected(11, K::Number);
  expected.push_back(K::Eof);
  CHECK(kinds(tokens) == expected);
  CHECK(texts(tokens)[6] == "0x1F");
  auto durations = lex_promql("x offset 5m offset 1h30m offset 5ms offset 2w1d offset 1y");
  std::vector<std::string> seen;
  for (const auto& t : durations)
    if (t.kind == K::Duration) seen.push_back(t.text);
  CHECK(seen == std::vector<std::string>{"5m", "1h30m", "5ms", "2w1d", "1y"});
}

TEST_CASE("lexer brackets hold durations and the subquery colon", "[promql][lexer]") {
  using K = TokenKind;
  auto tokens = lex_promql("x[5m:1m]");
  CHECK(kinds(tokens) == std::vector<K>{K::Identifier, K::LeftBracket, K::Duration, K::Colon, K::Duration,
                                        K::RightBracket, K::Eof});
  CHECK(tokens[3].pos == 4);
  CHECK(kinds(lex_promql("x[ 5m ]")) ==
        std::vector<K>{K::Identifier, K::LeftBracket, K::Duration, K::RightBracket, K::Eof});
  CHECK(kinds(lex_promql("x[5m:]")) ==
        std::vector<K>{K::Identifier, K::LeftBracket, K::Duration, K::Colon, K::RightBracket, K::Eof});
  // Prometheus 2.x lexes any letter inside brackets as the colon; promtool
  // accepts `x[5m y]` as a subquery, so this lexer does too.
  auto quirk = lex_promql("x[5m y]");
  CHECK(quirk[3].kind == K::Colon);
  CHECK(quirk[3].text == "y");
}

TEST_CASE("lexer strings keep their source text and unquote like Go", "[promql][lexer]") {
  auto tokens = lex_promql(R"("a\"b\n\x41\101\u00e9\U0001F600" 'it\'s "x"' `raw\n"`)");
  REQUIRE(tokens.size() == 4);
  CHECK(tokens[0].kind == TokenKind::String);
  CHECK(unquote_string(tokens[0].text) == "a\"b\nAA\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(unquote_string(tokens[1].text) == "it's \"x\"");
  CHECK(unquote_string(tokens[2].text) == "raw\\n\"");
  CHECK(tokens[2].pos == tokens[1].end() + 1);
  // Raw strings may span lines; quoted ones may not.
  CHECK(lex_promql("`a\nb`")[0].kind == TokenKind::String);
  CHECK(quote_string("a\"b\n\x01\xff") == R"("a\"b\n\x01\xff")");
}

TEST_CASE("lexer comments run to the end of the line", "[promql][lexer]") {
  using K = TokenKind;
  auto tokens = lex_promql("up # is it?\n== 0");
  CHECK(kinds(tokens) == std::vector<K>{K::Identifier, K::Comment, K::Eqlc, K::Number, K::Eof});
  CHECK(tokens[1].text == "# is it?");
  CHECK(tokens[2].pos == 12);
  CHECK(kinds(lex_promql("x{a=\"b\" # c\n}")) ==
        std::vector<K>{K::Identifier, K::LeftBrace, K::Identifier, K::Assign, K::String, K::Comment, K::RightBrace,
                       K::Eof});
}

TEST_CASE("lexer errors carry Prometheus' message and position", "[promql][lexer]") {
  struct Case {
    std::string expr, message;
    std::size_t pos;
  };
  const std::vector<Case> cases = {
      {"(foo", "unclosed left parenthesis", 4},
      {"foo)", "unexpected right parenthesis ')'", 4},
      {"foo[5m", "unclosed left bracket", 6},
      {"foo ! bar", "unexpected character after '!': ' '", 4},
      {"foo =~ bar", "unexpected character after '=': '~'", 4},
      {"foo{a=\"b\"", "unexpected end of input inside braces", 9},
      {"foo{a=\"b\")", "unexpected character inside braces: ')'", 9},
      {"foo{{", "unexpected left brace '{'", 4},
      {"foo{a!b}", "unexpected character after '!' inside braces: 'b'", 5},
      {"foo[5]", "missing unit character in duration", 4},
      {"foo[]", "missing unit character in duration", 4},
      {"foo[1y2y]", "bad duration syntax: \"1y2\"", 4},
      {"foo[5mx]", "bad duration syntax: \"5mx\"", 4},
      {"foo[5m[", "unexpected left bracket '['", 6},
      {"foo]", "unexpected right bracket ']'", 3},
      {"foo[5m:1m:1m]", "unexpected colon ':'", 9},
      {"1_000", "bad number or duration syntax: \"1\"", 0},
      {"foo offset 5m5", "bad number or duration syntax: \"5m5\"", 11},
      {"fooé", "unexpected character: 'é'", 3},
      {"\"abc", "unterminated quoted string", 0},
      {"\"a\nb\"", "unterminated quoted string", 0},
      {"`abc", "unterminated raw string", 0},
      {"x + \"\\q\"", "unknown escape sequence U+0071 'q'", 4},
      {"\"a\\'b\"", "unknown escape sequence U+0027 '''", 0},
      {"\"\\x4\"", "illegal character U+0022 '\"' in escape sequence", 0},
      {"\"\\400\"", "escape sequence is an invalid Unicode code point", 0},
      {"\"\\ud800\"", "escape sequence is an invalid Unicode code point", 0},
      {"\"a\xff\"", "invalid UTF-8 rune", 0},
      {"\"\\", "escape sequence not terminated", 0},
  };
  for (const auto& c : cases) {
    Token t = lex_error(c.expr);
    INFO(c.expr);
    CHECK(t.text == c.message);
    CHECK(t.pos == c.pos);
  }
  // The tokens before the error are still there.
  auto tokens = lex_promql("sum(x) ! 1");
  CHECK(tokens.size() == 5);
  CHECK(tokens[3].kind == TokenKind::RightParen);
}

TEST_CASE("lexer describes tokens the way Prometheus' messages do", "[promql][lexer]") {
  auto t = lex_promql(R"(sum by foo 5m 1 "s" * and ( x:y abcdefghijklmnopqrstu ))");
  CHECK(describe_token(t[0]) == "<aggr:sum>");
  CHECK(describe_token(t[1]) == "<by>");
  CHECK(describe_token(t[2]) == "identifier \"foo\"");
  CHECK(describe_token(t[3]) == "duration \"5m\"");
  CHECK(describe_token(t[4]) == "number \"1\"");
  CHECK(describe_token(t[5]) == "string \"\\\"s\\\"\"");
  CHECK(describe_token(t[6]) == "<op:*>");
  CHECK(describe_token(t[7]) == "<op:and>");
  CHECK(describe_token(t[8]) == "\"(\"");
  CHECK(describe_token(t[9]) == "metric identifier \"x:y\"");
  CHECK(describe_token(t[10]) == "identifier \"abcdefghijklmnopqrstu\"");
  CHECK(describe_token(t.back()) == "end of input");
}
