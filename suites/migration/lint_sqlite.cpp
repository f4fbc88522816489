// SQLite statement checks: what its ALTER TABLE cannot do (by version, and
// what fails only once the table has rows), plus dropping and renaming,
// which break the running code in any database. Each "fails" rule is proven
// against a real SQLite in the tests.
#include "suites/migration/lint_internal.h"

namespace greenlight::lint_detail {

namespace {

constexpr Dialect kLite = Dialect::sqlite;

std::string version_text(const std::array<int, 3>& v) {
  return std::to_string(v[0]) + "." + std::to_string(v[1]) + "." + std::to_string(v[2]);
}

bool older_than(const std::array<int, 3>& v, int major, int minor, int patch) {
  return v < std::array<int, 3>{major, minor, patch};
}

// What SQLite's ADD COLUMN accepts as a constant default: a literal, a
// signed number, NULL/TRUE/FALSE or a bare word (taken as a string), in any
// number of parentheses. CURRENT_TIME/DATE/TIMESTAMP and expressions are not.
bool constant_default(const std::vector<Token>& expr) {
  size_t b = 0, e = expr.size();
  while (e > b + 1 && expr[b].text == "(" && expr[e - 1].text == ")") {
    ++b;
    --e;
  }
  if (e > b + 1 && expr[b].kind == TokenKind::punct && (expr[b].text == "-" || expr[b].text == "+")) ++b;
  if (e != b + 1) return false;
  const Token& t = expr[b];
  if (t.kind == TokenKind::number || t.kind == TokenKind::string) return true;
  if (t.kind == TokenKind::word)
    return !(t.is("current_time") || t.is("current_date") || t.is("current_timestamp"));
  return false;
}

bool default_is_null(const ColumnDef& col) {
  if (!col.has_default) return true;
  size_t b = 0, e = col.default_expr.size();
  while (e > b + 1 && col.default_expr[b].text == "(" && col.default_expr[e - 1].text == ")") {
    ++b;
    --e;
  }
  return e == b + 1 && col.default_expr[b].is("null");
}

void create_table(Cursor& c, const std::vector<Token>& t, PartState& st, SchemaFacts& facts) {
  c.accept({"if", "not", "exists"});
  auto table = c.qualified_name(kLite);
  if (!table) return;
  st.created_tables.insert(table->key);
  st.written_tables.erase(table->key);
  auto& undroppable = facts.undroppable[table->key];
  undroppable.clear();
  if (!c.at_punct("(")) {
    if (c.at("as")) st.written_tables.insert(table->key);  // CREATE TABLE ... AS SELECT has rows
    return;
  }
  size_t close = matching_paren(t, c.pos(), c.end());
  for (auto [b, e] : split_commas(t, c.pos() + 1, close)) {
    Cursor item(t, b, e);
    if (item.done()) continue;
    if (starts_table_constraint(item)) {
      TableConstraint tc = parse_table_constraint(t, b, e, kLite);
      const char* why = tc.kind == TableConstraint::primary_key ? "part of the PRIMARY KEY"
                        : tc.kind == TableConstraint::unique    ? "part of a UNIQUE constraint"
                        : tc.kind == TableConstraint::foreign_key ? "used in a table-level FOREIGN KEY"
                                                                  : nullptr;
      if (why)
        for (const auto& col : tc.columns) undroppable.emplace(col.key, why);
      continue;
    }
    ColumnDef col = parse_column(t, b, e, kLite);
    if (col.primary_key) undroppable.emplace(col.name.key, "the PRIMARY KEY");
    else if (col.unique) undroppable.emplace(col.name.key, "UNIQUE");
    // A column-level REFERENCES goes away with its column: no obstacle.
  }
}

void create_index(Cursor& c, const std::vector<Token>& t, PartState& st, SchemaFacts& facts) {
  c.accept("unique");
  c.accept("index");
  c.accept({"if", "not", "exists"});
  auto index = c.qualified_name(kLite);
  if (!index || !c.accept("on")) return;
  auto table = c.qualified_name(kLite);
  if (!table || !c.at_punct("(")) return;
  st.created_indexes[index->key] = table->key;
  size_t close = matching_paren(t, c.pos(), c.end());
  for (auto [b, e] : split_commas(t, c.pos() + 1, close))
    if (b < e && is_identifier(t[b]))
      facts.undroppable[table->key].emplace(name_of(t[b], kLite).key, "indexed by " + index->shown);
}

void drop_index(Cursor& c, PartState& st, SchemaFacts& facts) {
  c.accept({"if", "exists"});
  auto index = c.qualified_name(kLite);
  if (!index) return;
  const std::string reason = "indexed by " + index->shown;
  for (auto& [table, columns] : facts.undroppable)
    for (auto it = columns.begin(); it != columns.end();)
      it = lower(it->second) == lower(reason) ? columns.erase(it) : std::next(it);
  st.created_indexes.erase(index->key);
}

void add_column(const std::vector<Token>& t, size_t b, size_t e, const Name& table, PartState& st) {
  ColumnDef col = parse_column(t, b, e, kLite);
  const std::string column = table.shown + "." + col.name.shown;
  // An empty table (created in this part, nothing inserted since) accepts
  // what SQLite only refuses for existing rows.
  const bool empty = st.is_new(table.key) && !st.written_tables.count(table.key);
  if (col.primary_key || col.unique)
    st.report("sqlite-add-column-unique-or-primary-key",
              "ADD COLUMN " + column + (col.primary_key ? " PRIMARY KEY" : " UNIQUE") + ": SQLite rejects it ('Cannot add a " +
                  (col.primary_key ? "PRIMARY KEY" : "UNIQUE") + " column')");
  if (empty) return;
  if (col.not_null && default_is_null(col))
    st.report("sqlite-add-column-not-null-without-default",
              "ADD COLUMN " + column + " NOT NULL without a non-NULL DEFAULT fails once table " + table.shown +
                  " has rows ('Cannot add a NOT NULL column with default value NULL')");
  if (col.has_default && !constant_default(col.default_expr)) {
    std::string expr;
    for (const auto& tk : col.default_expr) expr += (expr.empty() ? "" : " ") + tk.text;
    st.report("sqlite-add-column-non-constant-default",
              "ADD COLUMN " + column + " DEFAULT " + expr + " is not a constant: fails once table " + table.shown +
                  " has rows ('Cannot add a column with non-constant default')");
  }
  if (col.generated_stored)
    st.report("sqlite-add-column-stored-generated",
              "ADD COLUMN " + column + " GENERATED ... STORED fails once table " + table.shown + " has rows ('cannot add a STORED column')");
}

void alter_table(Cursor& c, const std::vector<Token>& t, PartState& st, SchemaFacts& facts) {
  auto table = c.qualified_name(kLite);
  if (!table) return;
  const bool fresh = st.is_new(table->key);
  auto actions = split_commas(t, c.pos(), c.end());
  if (actions.empty()) return;
  if (actions.size() > 1)
    st.report("sqlite-alter-column", "ALTER TABLE " + table->shown + " has " + std::to_string(actions.size()) +
                                         " actions separated by commas: SQLite's ALTER TABLE takes exactly one");
  auto [b, e] = actions.front();
  Cursor a(t, b, e);
  if (a.accept("rename")) {
    if (a.accept("to")) {
      auto to = a.qualified_name(kLite);
      if (!to) return;
      if (fresh) {
        st.created_tables.insert(to->key);
        if (st.written_tables.count(table->key)) st.written_tables.insert(to->key);
      } else {
        st.report("renaming-table", "RENAME of existing table " + table->shown + " to " + to->shown +
                                        ": the running code that uses " + table->shown + " fails");
      }
      auto moved = facts.undroppable[table->key];
      facts.undroppable.erase(table->key);
      facts.undroppable[to->key] = moved;
      return;
    }
    a.accept("column");
    if (a.done()) return;
    Name from = name_of(*a.peek(), kLite);
    a.skip();
    a.accept("to");
    if (a.done()) return;
    Name to = name_of(*a.peek(), kLite);
    if (older_than(st.sqlite_version, 3, 25, 0))
      st.report("sqlite-rename-column", "RENAME COLUMN " + table->shown + "." + from.shown + " needs SQLite 3.25.0; this is " +
                                            version_text(st.sqlite_version));
    if (!fresh)
      st.report("renaming-column", "RENAME COLUMN " + table->shown + "." + from.shown + " to " + to.shown +
                                       ": the running code that uses " + from.shown + " fails");
    auto& cols = facts.undroppable[table->key];
    auto it = cols.find(from.key);
    if (it != cols.end()) {
      cols[to.key] = it->second;
      cols.erase(from.key);
    }
    return;
  }
  if (a.accept("add")) {
    if (starts_table_constraint(a)) {
      std::string what = a.at("constraint") && a.peek(1) ? " CONSTRAINT " + name_of(*a.peek(1), kLite).shown
                         : a.at("primary") || a.at("foreign")  ? " " + a.peek()->text + " " + a.peek(1)->text
                                                               : " " + a.peek()->text;
      st.report("sqlite-add-constraint", "ALTER TABLE " + table->shown + " ADD" + what +
                                             ": SQLite's ALTER TABLE cannot add a constraint (syntax error)");
      return;
    }
    a.accept("column");
    return add_column(t, a.pos(), e, *table, st);
  }
  if (a.accept("drop")) {
    if (a.at("constraint")) {
      st.report("sqlite-add-constraint", "ALTER TABLE " + table->shown + " DROP CONSTRAINT: SQLite's ALTER TABLE cannot drop a constraint (syntax error)");
      return;
    }
    a.accept("column");
    if (a.done()) return;
    Name col = name_of(*a.peek(), kLite);
    const std::string column = table->shown + "." + col.shown;
    auto& cols = facts.undroppable[table->key];
    if (older_than(st.sqlite_version, 3, 35, 0)) {
      st.report("sqlite-drop-column", "DROP COLUMN " + column + " needs SQLite 3.35.0; this is " + version_text(st.sqlite_version));
    } else if (auto why = cols.find(col.key); why != cols.end()) {
      st.report("sqlite-drop-column", "DROP COLUMN " + column + " fails: the column is " + why->second);
    }
    cols.erase(col.key);
    if (!fresh)
      st.report("ban-drop-column", "DROP COLUMN " + column + ": the running code that still reads or writes it fails");
    return;
  }
  if (a.accept("alter")) {
    a.accept("column");
    std::string col = a.done() ? "" : " " + table->shown + "." + name_of(*a.peek(), kLite).shown;
    st.report("sqlite-alter-column", "ALTER COLUMN" + col + ": SQLite has no ALTER TABLE ... ALTER COLUMN (syntax error)");
    return;
  }
  st.report("sqlite-alter-column", "ALTER TABLE " + table->shown + " " + (a.done() ? "" : a.peek()->text) +
                                       ": SQLite's ALTER TABLE supports only RENAME TO, RENAME COLUMN, ADD COLUMN and DROP COLUMN");
}

void drop_table(Cursor& c, PartState& st, SchemaFacts& facts) {
  c.accept({"if", "exists"});
  auto table = c.qualified_name(kLite);
  if (!table) return;
  facts.undroppable.erase(table->key);
  if (st.is_new(table->key) || st.renamed_to.count(table->key)) return;
  st.report("ban-drop-table", "DROP TABLE " + table->shown + ": the running code that still uses it fails, and its data is gone");
}

}  // namespace

void lint_sqlite_statement(const Statement& s, PartState& st, SchemaFacts& facts) {
  const auto& t = s.tokens;
  Cursor c(t);
  if (c.accept("create")) {
    c.accept("temporary") || c.accept("temp");
    if (c.accept("table")) return create_table(c, t, st, facts);
    if (c.at("unique") || c.at("index")) return create_index(c, t, st, facts);
    return;
  }
  if (c.at("insert") || c.at("replace")) {
    c.skip();
    if (c.accept("or")) c.skip();
    c.accept("into");
    if (auto table = c.qualified_name(kLite)) st.written_tables.insert(table->key);
    return;
  }
  if (c.accept({"alter", "table"})) return alter_table(c, t, st, facts);
  if (c.accept({"drop", "table"})) return drop_table(c, st, facts);
  if (c.accept({"drop", "index"})) return drop_index(c, st, facts);
}

}  // namespace greenlight::lint_detail
