// The PromQL lexer: turns an expression into tokens with byte positions, with
// the rules (and the quirks) of Prometheus 2.x's lexer (promql/parser/lex.go),
// so that an expression Prometheus rejects at the lexing stage is rejected here
// too, at the same position.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::promql {

enum class TokenKind {
  Eof,
  Error,    // text holds the message; lexing stops there
  Comment,  // "# ..." up to the end of the line
  Identifier,
  MetricIdentifier,  // an identifier containing ':'
  Number,            // also Inf and NaN, in any case
  Duration,
  String,  // text keeps the quotes and escapes as written
  LeftParen,
  RightParen,
  LeftBrace,
  RightBrace,
  LeftBracket,
  RightBracket,
  Comma,
  Assign,  // "=" (label matching)
  Colon,   // subquery ":"
  // Operators.
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Pow,
  Eqlc,  // ==
  Neq,
  Lss,
  Lte,
  Gtr,
  Gte,
  EqlRegex,
  NeqRegex,
  At,
  And,
  Or,
  Unless,
  Atan2,
  // Aggregation operators.
  Sum,
  Avg,
  Count,
  Min,
  Max,
  Group,
  Stddev,
  Stdvar,
  Topk,
  Bottomk,
  CountValues,
  Quantile,
  Limitk,
  LimitRatio,
  // Keywords.
  Offset,
  By,
  Without,
  On,
  Ignoring,
  GroupLeft,
  GroupRight,
  Bool,
  Start,  // start, end: only meaningful as `@ start()` / `@ end()`
  End,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  std::size_t pos = 0;  // byte offset of the token's first byte
  std::string text;     // the source text (Error: the message)

  std::size_t end() const { return kind == TokenKind::Error ? pos : pos + text.size(); }
};

// Every token of `expr`, comments included, ending with exactly one Eof or
// Error token. Keywords are case-insensitive ("SUM", "And"), as in Prometheus.
std::vector<Token> lex_promql(std::string_view expr);

bool is_aggregator(TokenKind k);
bool is_operator(TokenKind k);  // binary operators, "@" and atan2
bool is_keyword(TokenKind k);   // by, without, on, ignoring, group_left, group_right, bool, offset

// How Prometheus names a token in "unexpected ..." messages: `<op:*>`,
// `<aggr:sum>`, `<by>`, `identifier "foo"`, `"("`, `end of input`...
std::string describe_token(const Token& t);

// The value of a String token (quotes included): Go escapes for "..." and
// '...', none for `...`. The lexer has already rejected bad escapes.
std::string unquote_string(std::string_view quoted);

// Go's strconv.Quote: a double-quoted string with Go escapes ("a\"b\n").
std::string quote_string(std::string_view s);
// Go's %q of a code point, for messages: 'a', '\n', 'é'.
std::string quote_rune(char32_t r);

}  // namespace greenlight::promql
