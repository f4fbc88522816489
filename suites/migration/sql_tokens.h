// A real SQL tokenizer and statement splitter for migration files (lint,
// apply, error positions). It knows what regexes over raw text get wrong:
// -- and nested /* */ comments, 'strings' with '' escapes, E'...' escapes,
// "quoted identifiers", PostgreSQL $tag$dollar quoting$tag$, SQLite
// [brackets] and `backticks`, and semicolons inside CREATE TRIGGER ... BEGIN
// ... END or BEGIN ATOMIC ... END bodies.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "harness/database.h"

namespace greenlight {

enum class TokenKind {
  word,               // keyword or bare identifier, as written
  quoted_identifier,  // "x", [x], `x`; text holds the unquoted name
  string,             // '...', E'...', $$...$$; text holds the raw literal
  number,
  punct,              // ( ) , . ; and operators (one or more symbol characters)
  comment,            // -- ... or /* ... */, raw
};

struct Token {
  TokenKind kind;
  std::string text;
  int line = 1;    // 1-based, in the file (first_line offset applied)
  int column = 1;  // 1-based, in bytes

  // Case-insensitive keyword test for word tokens: is("create").
  bool is(std::string_view keyword) const;
};

struct Statement {
  std::string text;  // from its first token to its last, without the ';'
  int line = 1;      // line of its first non-comment token
  std::vector<Token> tokens;          // without comments and without the ';'
  std::vector<std::string> comments;  // comments inside it and directly before it (since the previous ';')
};

// Unterminated string, quoted identifier, comment or dollar quote.
struct SqlSyntaxError : std::runtime_error {
  int line;
  SqlSyntaxError(const std::string& message, int line) : std::runtime_error(message), line(line) {}
};

std::vector<Token> tokenize(std::string_view sql, Dialect dialect, int first_line = 1);
// Statements in order; empty statements (";;", a file of comments) are left out.
std::vector<Statement> split_statements(std::string_view sql, Dialect dialect, int first_line = 1);

}  // namespace greenlight
