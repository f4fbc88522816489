// Reading DDL from tokens for the lint: names, column definitions, table
// constraints. Tolerant by design: it extracts what the rules need and skips
// what it does not understand, since the database, not the lint, is the
// judge of full syntax.
#include <algorithm>
#include <cctype>

#include "suites/migration/lint_internal.h"

namespace greenlight::lint_detail {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_identifier(const Token& t) { return t.kind == TokenKind::word || t.kind == TokenKind::quoted_identifier; }

Name name_of(const Token& t, Dialect d) {
  if (t.kind == TokenKind::quoted_identifier && d == Dialect::postgresql) return {t.text, t.text};
  return {t.text, lower(t.text)};
}

bool Cursor::at(std::string_view word, size_t ahead) const {
  const Token* t = peek(ahead);
  return t && t->is(word);
}

bool Cursor::at_punct(std::string_view p, size_t ahead) const {
  const Token* t = peek(ahead);
  return t && t->kind == TokenKind::punct && t->text == p;
}

bool Cursor::accept(std::string_view word) {
  if (!at(word)) return false;
  ++pos_;
  return true;
}

bool Cursor::accept(std::initializer_list<std::string_view> words) {
  size_t i = 0;
  for (auto w : words)
    if (!at(w, i++)) return false;
  pos_ += words.size();
  return true;
}

bool Cursor::accept_punct(std::string_view p) {
  if (!at_punct(p)) return false;
  ++pos_;
  return true;
}

std::optional<Name> Cursor::qualified_name(Dialect d) {
  const Token* t = peek();
  if (!t || !is_identifier(*t)) return std::nullopt;
  Name n = name_of(*t, d);
  ++pos_;
  while (at_punct(".") && peek(1) && is_identifier(*peek(1))) {
    n = name_of(*peek(1), d);
    pos_ += 2;
  }
  return n;
}

void Cursor::skip_parens() {
  if (!at_punct("(")) return;
  pos_ = std::min(end_, matching_paren(t_, pos_, end_) + 1);
}

size_t matching_paren(const std::vector<Token>& t, size_t open, size_t end) {
  int depth = 0;
  for (size_t i = open; i < end; ++i) {
    if (t[i].kind != TokenKind::punct) continue;
    if (t[i].text == "(") ++depth;
    else if (t[i].text == ")" && --depth == 0) return i;
  }
  return end;
}

std::vector<std::array<size_t, 2>> split_commas(const std::vector<Token>& t, size_t begin, size_t end) {
  std::vector<std::array<size_t, 2>> out;
  int depth = 0;
  size_t start = begin;
  for (size_t i = begin; i < end; ++i) {
    if (t[i].kind != TokenKind::punct) continue;
    if (t[i].text == "(" || t[i].text == "[") ++depth;
    else if (t[i].text == ")" || t[i].text == "]") --depth;
    else if (t[i].text == "," && depth == 0) {
      out.push_back({start, i});
      start = i + 1;
    }
  }
  if (start < end) out.push_back({start, end});
  return out;
}

bool contains_words(const std::vector<Token>& t, size_t begin, size_t end, std::initializer_list<std::string_view> seq) {
  for (size_t i = begin; i + seq.size() <= end; ++i) {
    size_t k = 0;
    for (auto w : seq) {
      if (!t[i + k].is(w)) break;
      ++k;
    }
    if (k == seq.size()) return true;
  }
  return false;
}

namespace {

// Words that end a column's type and start its constraints.
bool ends_type(const Token& t) {
  static const char* const words[] = {"constraint", "not",        "null",    "default", "primary",     "unique",
                                      "check",      "references", "generated", "collate", "compression", "storage",
                                      "using",      "as"};
  if (t.kind != TokenKind::word) return false;
  for (const char* w : words)
    if (t.is(w)) return true;
  return false;
}

// Words that end a DEFAULT expression at parenthesis depth 0.
bool ends_default(const Cursor& c) {
  static const char* const words[] = {"constraint", "primary", "unique",     "check",    "references", "generated",
                                      "collate",    "as",      "deferrable", "initially", "null"};
  if (c.at("not") && (c.at("null", 1) || c.at("deferrable", 1))) return true;
  for (const char* w : words)
    if (c.at(w)) return true;
  return false;
}

std::vector<Name> column_list(const std::vector<Token>& t, Cursor& c, Dialect d) {
  std::vector<Name> out;
  if (!c.at_punct("(")) return out;
  size_t open = c.pos();
  size_t close = matching_paren(t, open, c.end());
  for (auto [b, e] : split_commas(t, open + 1, close))
    if (b < e && is_identifier(t[b])) out.push_back(name_of(t[b], d));
  c.skip_parens();
  return out;
}

// CHECK (col IS NOT NULL), with any number of extra parentheses.
std::optional<Name> not_null_check_column(const std::vector<Token>& t, size_t open, size_t close, Dialect d) {
  size_t b = open + 1, e = close;
  while (e > b + 1 && t[b].kind == TokenKind::punct && t[b].text == "(" && matching_paren(t, b, e) == e - 1) {
    ++b;
    --e;
  }
  if (e - b == 4 && is_identifier(t[b]) && t[b + 1].is("is") && t[b + 2].is("not") && t[b + 3].is("null"))
    return name_of(t[b], d);
  return std::nullopt;
}

}  // namespace

ColumnDef parse_column(const std::vector<Token>& t, size_t begin, size_t end, Dialect d) {
  ColumnDef col;
  Cursor c(t, begin, end);
  if (c.done()) return col;
  col.name = name_of(*c.peek(), d);
  c.skip();

  while (!c.done() && !ends_type(*c.peek())) {
    if (c.at_punct("(")) {
      size_t close = matching_paren(t, c.pos(), end);
      for (size_t i = c.pos(); i <= close && i < end; ++i) col.type.push_back(t[i]);
      c.skip_parens();
      continue;
    }
    col.type.push_back(*c.peek());
    c.skip();
  }
  for (size_t i = 0; i < col.type.size(); ++i) {
    if (col.type[i].kind != TokenKind::word) continue;
    col.type_base = lower(col.type[i].text);
    if (i + 2 < col.type.size() && col.type[i + 1].text == "." && col.type[i + 2].kind == TokenKind::word)
      col.type_base = lower(col.type[i + 2].text);
    break;
  }

  while (!c.done()) {
    if (c.accept("constraint")) {
      c.skip();  // its name
    } else if (c.accept({"not", "null"})) {
      col.not_null = true;
    } else if (c.accept({"primary", "key"})) {
      col.primary_key = true;
    } else if (c.accept("unique")) {
      col.unique = true;
    } else if (c.accept("check")) {
      c.skip_parens();
    } else if (c.accept("references")) {
      col.references = true;
      if (auto n = c.qualified_name(d)) col.referenced_table = n->shown;
    } else if (c.accept("default")) {
      col.has_default = true;
      // The first token always belongs to the expression (DEFAULT NULL).
      bool first = true;
      while (!c.done() && (first || !ends_default(c))) {
        first = false;
        if (c.at_punct("(")) {
          size_t close = matching_paren(t, c.pos(), end);
          for (size_t i = c.pos(); i <= close && i < end; ++i) col.default_expr.push_back(t[i]);
          c.skip_parens();
        } else {
          col.default_expr.push_back(*c.peek());
          c.skip();
        }
      }
    } else if (c.at("generated") || c.at("as")) {
      // PostgreSQL: GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY, GENERATED
      // ALWAYS AS (expr) STORED; SQLite: [GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL].
      c.accept("generated");
      c.accept("always") || c.accept({"by", "default"});
      c.accept("as");
      if (c.accept("identity")) {
        col.identity = true;
        c.skip_parens();
      } else {
        c.skip_parens();
        if (c.accept("stored")) col.generated_stored = true;
      }
    } else {
      c.skip();  // NULL, COLLATE x, ASC, ON CONFLICT ..., DEFERRABLE, ...
    }
  }
  return col;
}

bool starts_table_constraint(const Cursor& c) {
  return c.at("constraint") || c.at("check") || c.at("unique") || (c.at("primary") && c.at("key", 1)) ||
         (c.at("foreign") && c.at("key", 1)) || c.at("exclude");
}

TableConstraint parse_table_constraint(const std::vector<Token>& t, size_t begin, size_t end, Dialect d) {
  TableConstraint tc;
  Cursor c(t, begin, end);
  if (c.accept("constraint") && !c.done()) {
    tc.name = name_of(*c.peek(), d).key;
    c.skip();
  }
  if (c.accept("check")) {
    tc.kind = TableConstraint::check;
    if (c.at_punct("(")) {
      size_t close = matching_paren(t, c.pos(), end);
      tc.not_null_column = not_null_check_column(t, c.pos(), close, d);
      c.skip_parens();
    }
  } else if (c.accept({"primary", "key"})) {
    tc.kind = TableConstraint::primary_key;
    if (c.at_punct("(")) tc.columns = column_list(t, c, d);
    else tc.using_index = c.accept({"using", "index"});
  } else if (c.accept("unique")) {
    tc.kind = TableConstraint::unique;
    c.accept({"nulls", "not", "distinct"}) || c.accept({"nulls", "distinct"});
    if (c.at_punct("(")) tc.columns = column_list(t, c, d);
    else tc.using_index = c.accept({"using", "index"});
  } else if (c.accept({"foreign", "key"})) {
    tc.kind = TableConstraint::foreign_key;
    tc.columns = column_list(t, c, d);
    if (c.accept("references"))
      if (auto n = c.qualified_name(d)) tc.referenced_table = n->shown;
  } else if (c.accept("exclude")) {
    tc.kind = TableConstraint::exclude;
  }
  tc.not_valid = contains_words(t, c.pos(), end, {"not", "valid"});
  return tc;
}

}  // namespace greenlight::lint_detail
