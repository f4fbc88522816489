// Private to the lint: a cursor over one statement's tokens, column
// definition parsing shared by both dialects, the facts one statement leaves
// for later ones, and the per-dialect statement checks.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "suites/migration/lint.h"

namespace greenlight::lint_detail {

// What a rule protects against; a down is linted only for lock, fails and
// syntax (it is expected to drop and rename).
enum class RuleKind { lock, fails, breaking, timeout, type, syntax };
RuleKind rule_kind(const std::string& id);
const LintRule* find_rule(const std::string& id, Dialect dialect);

// An identifier as written (`shown`) and as the database compares it
// (`key`): PostgreSQL folds unquoted names to lower case and keeps quoted
// ones; SQLite compares case-insensitively either way.
struct Name {
  std::string shown;
  std::string key;
};
std::string lower(std::string_view s);
bool is_identifier(const Token& t);
Name name_of(const Token& t, Dialect d);

class Cursor {
 public:
  Cursor(const std::vector<Token>& tokens, size_t begin, size_t end) : t_(tokens), pos_(begin), end_(end) {}
  explicit Cursor(const std::vector<Token>& tokens) : Cursor(tokens, 0, tokens.size()) {}

  bool done() const { return pos_ >= end_; }
  size_t pos() const { return pos_; }
  size_t end() const { return end_; }
  const Token* peek(size_t ahead = 0) const { return pos_ + ahead < end_ ? &t_[pos_ + ahead] : nullptr; }
  bool at(std::string_view word, size_t ahead = 0) const;
  bool at_punct(std::string_view p, size_t ahead = 0) const;
  bool accept(std::string_view word);
  // All the words in order, or nothing consumed.
  bool accept(std::initializer_list<std::string_view> words);
  bool accept_punct(std::string_view p);
  void skip(size_t n = 1) { pos_ = std::min(end_, pos_ + n); }
  // [schema.]name: the last part; nullopt (nothing consumed) when no
  // identifier is here.
  std::optional<Name> qualified_name(Dialect d);
  // At '(': moves past the matching ')'.
  void skip_parens();

 private:
  const std::vector<Token>& t_;
  size_t pos_;
  size_t end_;
};

// [begin, end) ranges of the comma-separated items at parenthesis depth 0.
std::vector<std::array<size_t, 2>> split_commas(const std::vector<Token>& t, size_t begin, size_t end);
// Index of the ')' that closes the '(' at `open` (or `end`).
size_t matching_paren(const std::vector<Token>& t, size_t open, size_t end);
bool contains_words(const std::vector<Token>& t, size_t begin, size_t end, std::initializer_list<std::string_view> seq);

struct ColumnDef {
  Name name;
  std::vector<Token> type;      // as written: "timestamp", "(", "3", ")", "without", ...
  std::string type_base;        // lower-case first word (last part when schema-qualified)
  bool not_null = false;
  bool has_default = false;
  std::vector<Token> default_expr;
  bool primary_key = false;
  bool unique = false;
  bool references = false;
  std::string referenced_table;
  bool generated_stored = false;
  bool identity = false;
};
ColumnDef parse_column(const std::vector<Token>& t, size_t begin, size_t end, Dialect d);

// A table-level constraint (CREATE TABLE element or ALTER TABLE ... ADD).
struct TableConstraint {
  std::string name;  // empty when unnamed
  enum Kind { check, foreign_key, unique, primary_key, exclude, other } kind = other;
  std::vector<Name> columns;  // PRIMARY KEY (a, b), UNIQUE (a), FOREIGN KEY (a)
  std::string referenced_table;
  bool not_valid = false;
  bool using_index = false;
  std::optional<Name> not_null_column;  // CHECK (col IS NOT NULL)
};
// `begin` at CONSTRAINT, CHECK, UNIQUE, PRIMARY, FOREIGN or EXCLUDE.
TableConstraint parse_table_constraint(const std::vector<Token>& t, size_t begin, size_t end, Dialect d);
bool starts_table_constraint(const Cursor& c);

// What earlier statements tell about the schema; carried from one migration
// to the next by lint_migrations.
struct SchemaFacts {
  // SQLite: table -> column -> why DROP COLUMN fails ("PRIMARY KEY", ...).
  std::map<std::string, std::map<std::string, std::string>> undroppable;
  struct NotNullCheck {
    std::string table, column;
    bool validated = false;
  };
  // PostgreSQL: CHECK (col IS NOT NULL) constraints by table, then name.
  std::map<std::string, std::map<std::string, NotNullCheck>> not_null_checks;
};

struct RawFinding {
  std::string rule;
  int line = 0;
  std::string message;
  size_t statement = 0;
};

enum class TimeoutState { none, session, local };

// Everything known while walking one part's statements.
struct PartState {
  Dialect dialect;
  bool in_transaction = false;
  std::array<int, 3> sqlite_version{};
  std::set<std::string> created_tables;  // keys, in this part
  std::set<std::string> written_tables;  // created here, then INSERTed into
  std::set<std::string> renamed_to;      // targets of ALTER TABLE ... RENAME TO in this part
  std::map<std::string, std::string> created_indexes;  // index key -> table key
  std::set<std::string> not_valid_in_transaction;      // constraint names added NOT VALID in the open transaction
  TimeoutState lock_timeout = TimeoutState::none;
  TimeoutState statement_timeout = TimeoutState::none;
  bool lock_timeout_reported = false;
  bool statement_timeout_reported = false;
  size_t statement = 0;  // index of the statement being linted
  int line = 0;          // its line
  std::vector<RawFinding> findings;

  bool is_new(const std::string& table_key) const { return created_tables.count(table_key) > 0; }
  void report(const std::string& rule, const std::string& message) { findings.push_back({rule, line, message, statement}); }
};

void lint_postgres_statement(const Statement& s, PartState& st, SchemaFacts& facts);
void lint_sqlite_statement(const Statement& s, PartState& st, SchemaFacts& facts);

}  // namespace greenlight::lint_detail
