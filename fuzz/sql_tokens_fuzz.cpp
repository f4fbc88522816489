// Feeds: the bytes as a migration file to the SQL tokenizer and statement
// splitter (suites/migration/sql_tokens.h), in both dialects; the first byte
// picks the dialect and a first_line offset, the rest is the SQL.
// Asserts beyond "no crash":
//  * the only exception is SqlSyntaxError (with a line within the text); a
//    text tokenize rejects, split_statements rejects too (the splitter alone
//    also rejects a trigger / BEGIN ATOMIC body without END);
//  * tokens come in order: lines never decrease, never below first_line,
//    columns >= 1, and no line beyond first_line + the number of newlines;
//  * statements are in order, none is empty, none holds a comment token, and
//    together they hold no more tokens than tokenize gave;
//  * the migration lint (lint_sql, which reads those statements) runs over
//    the same text without throwing, and its findings have lines within the text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "suites/migration/lint.h"
#include "suites/migration/sources.h"
#include "suites/migration/sql_tokens.h"

using namespace greenlight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Dialect dialect = (data[0] & 1) ? Dialect::postgresql : Dialect::sqlite;
  int first_line = 1 + (data[0] >> 1);
  std::string_view sql(reinterpret_cast<const char*>(data + 1), size - 1);
  const int last_line = first_line + static_cast<int>(std::count(sql.begin(), sql.end(), '\n'));

  std::vector<Token> tokens;
  bool token_error = false;
  try {
    tokens = tokenize(sql, dialect, first_line);
  } catch (const SqlSyntaxError& e) {
    token_error = true;
    FUZZ_ASSERT(e.line >= first_line && e.line <= last_line);
  }
  std::vector<Statement> statements;
  bool split_error = false;
  try {
    statements = split_statements(sql, dialect, first_line);
  } catch (const SqlSyntaxError& e) {
    split_error = true;
    FUZZ_ASSERT(e.line >= first_line && e.line <= last_line);
  }
  // split_statements has one error of its own (a CREATE TRIGGER / BEGIN
  // ATOMIC body without END: a statement-level, not a lexical, mistake), so
  // only a tokenizer error must show in both.
  FUZZ_ASSERT(!token_error || split_error);
  if (split_error) return 0;

  int line = first_line;
  for (const Token& t : tokens) {
    FUZZ_ASSERT(t.line >= line && t.line <= last_line);
    FUZZ_ASSERT(t.column >= 1);
    line = t.line;
  }
  size_t in_statements = 0;
  line = first_line;
  for (const Statement& s : statements) {
    FUZZ_ASSERT(!s.tokens.empty());
    FUZZ_ASSERT(s.line >= line && s.line <= last_line);
    line = s.line;
    for (const Token& t : s.tokens) FUZZ_ASSERT(t.kind != TokenKind::comment);
    in_statements += s.tokens.size();
  }
  FUZZ_ASSERT(in_statements <= tokens.size());

  SqlPart part;
  part.file = "fuzz.sql";
  part.sql = std::string(sql);
  part.first_line = first_line;
  for (const LintFinding& f : lint_sql(part, dialect, (data[0] & 2) != 0))
    FUZZ_ASSERT(f.line == 0 || (f.line >= first_line && f.line <= last_line));
  return 0;
}
