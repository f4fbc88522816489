// PostgreSQL statement checks (squawk's rules, by squawk's ids): what locks
// or rewrites an existing table, what fails in a transaction, what breaks the
// running code, and column types with a long-term cost. Tables created in the
// same part are exempt from all but the type rules: nobody uses them yet.
#include <set>

#include "suites/migration/lint_internal.h"

namespace greenlight::lint_detail {

namespace {

constexpr Dialect kPg = Dialect::postgresql;

std::string joined(const std::vector<Token>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    bool glue = !out.empty() && (t.text == "(" || t.text == ")" || t.text == "[" || t.text == "]" || t.text == "," ||
                                 out.back() == '(' || out.back() == '[');
    if (!out.empty() && !glue) out += ' ';
    out += t.kind == TokenKind::quoted_identifier ? "\"" + t.text + "\"" : t.text;
  }
  return out;
}

// Both timeout rules report once per part, at the first statement that
// locks an existing table, as squawk does.
void lock_taken(PartState& st, const std::string& what) {
  if (st.lock_timeout == TimeoutState::none && !st.lock_timeout_reported) {
    st.report("require-lock-timeout", what + " with no SET lock_timeout before it: queued behind a long transaction it waits forever, and every query on the table waits behind it");
    st.lock_timeout_reported = true;
  }
  if (st.statement_timeout == TimeoutState::none && !st.statement_timeout_reported) {
    st.report("require-statement-timeout", what + " with no SET statement_timeout before it: nothing bounds how long it holds its lock");
    st.statement_timeout_reported = true;
  }
}

void check_type(PartState& st, const std::vector<Token>& type, const std::string& base, const std::string& column) {
  static const std::set<std::string> int4 = {"int", "integer", "int4", "serial", "serial4"};
  static const std::set<std::string> int2 = {"smallint", "int2", "smallserial", "serial2"};
  if (int4.count(base))
    st.report("prefer-bigint-over-int", "column " + column + " is " + joined(type) + " (32-bit: overflows at 2147483647)");
  else if (int2.count(base))
    st.report("prefer-bigint-over-smallint", "column " + column + " is " + joined(type) + " (16-bit: overflows at 32767)");
  else if (base == "timestamp") {
    for (const auto& t : type)
      if (t.is("with")) return;
    st.report("prefer-timestamptz", "column " + column + " is " + joined(type) + " (without time zone: the UTC offset is dropped)");
  }
}

// The function a DEFAULT calls that makes PostgreSQL rewrite the table:
// a known volatile one, or one it cannot know (user-defined functions are
// VOLATILE unless declared otherwise). Stable functions such as now() are
// evaluated once by ADD COLUMN, so no rewrite.
std::optional<std::string> volatile_call(const std::vector<Token>& expr) {
  static const std::set<std::string> known_volatile = {
      "random", "random_normal", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
      "gen_random_bytes", "clock_timestamp", "timeofday", "nextval", "setval", "currval", "lastval", "uuidv7", "uuidv4"};
  static const std::set<std::string> not_volatile = {
      // grammar constructs that look like calls
      "cast", "coalesce", "nullif", "greatest", "least", "array", "row", "extract", "position", "substring", "trim",
      "overlay", "normalize",
      // stable or immutable built-ins seen in defaults
      "now", "current_timestamp", "current_time", "localtime", "localtimestamp", "transaction_timestamp",
      "statement_timestamp", "current_setting", "current_schema", "current_database", "lower", "upper", "length",
      "concat", "concat_ws", "format", "replace", "md5", "abs", "round", "date_trunc", "date_part", "to_char",
      "to_date", "to_timestamp", "to_number", "make_date", "make_time", "make_timestamp", "make_timestamptz",
      "make_interval", "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array", "to_jsonb",
      "to_json", "array_fill"};
  for (size_t i = 0; i + 1 < expr.size(); ++i) {
    if (expr[i].kind != TokenKind::word || expr[i + 1].text != "(") continue;
    if (i > 0 && expr[i - 1].text == "::") continue;  // 'x'::varchar(10)
    std::string name = lower(expr[i].text);
    if (not_volatile.count(name)) continue;
    if (known_volatile.count(name)) return name + "(), a volatile function";
    return name + "(), a function of unknown volatility (user-defined functions are VOLATILE unless declared otherwise)";
  }
  return std::nullopt;
}

void set_timeout(Cursor& c, PartState& st) {
  bool local = c.accept("local");
  if (!local) c.accept("session");
  const Token* name = c.peek();
  if (!name || name->kind != TokenKind::word || c.at_punct(".", 1)) return;
  TimeoutState* target = name->is("lock_timeout") ? &st.lock_timeout
                         : name->is("statement_timeout") ? &st.statement_timeout
                                                         : nullptr;
  if (!target) return;
  c.skip();
  c.accept("to") || c.accept_punct("=");
  const Token* value = c.peek();
  bool disables = !value || value->is("default") || value->text == "0" || value->text == "'0'";
  // SET LOCAL outside a transaction block only draws a warning from PostgreSQL.
  if (disables || (local && !st.in_transaction)) *target = TimeoutState::none;
  else *target = local ? TimeoutState::local : TimeoutState::session;
}

// SELECT set_config('lock_timeout', '2s', false)
void set_config_call(const std::vector<Token>& t, PartState& st) {
  for (size_t i = 0; i + 7 < t.size(); ++i) {
    if (!t[i].is("set_config") || t[i + 1].text != "(") continue;
    const std::string& name = t[i + 2].text;
    TimeoutState* target = name == "'lock_timeout'" ? &st.lock_timeout
                           : name == "'statement_timeout'" ? &st.statement_timeout
                                                           : nullptr;
    if (!target) continue;
    bool local = t[i + 6].is("true");
    bool disables = t[i + 4].text == "'0'";
    if (disables || (local && !st.in_transaction)) *target = TimeoutState::none;
    else *target = local ? TimeoutState::local : TimeoutState::session;
  }
}

void end_transaction(PartState& st) {
  st.in_transaction = false;
  if (st.lock_timeout == TimeoutState::local) st.lock_timeout = TimeoutState::none;
  if (st.statement_timeout == TimeoutState::local) st.statement_timeout = TimeoutState::none;
  st.not_valid_in_transaction.clear();
}

void create_table(Cursor& c, const std::vector<Token>& t, PartState& st, SchemaFacts& facts) {
  c.accept({"if", "not", "exists"});
  auto table = c.qualified_name(kPg);
  if (!table) return;
  st.created_tables.insert(table->key);
  facts.not_null_checks.erase(table->key);
  if (!c.at_punct("(")) return;  // AS query, OF type, PARTITION OF parent
  size_t close = matching_paren(t, c.pos(), c.end());
  for (auto [b, e] : split_commas(t, c.pos() + 1, close)) {
    Cursor item(t, b, e);
    if (item.done() || item.at("like")) continue;
    if (starts_table_constraint(item)) {
      TableConstraint tc = parse_table_constraint(t, b, e, kPg);
      if (tc.kind == TableConstraint::check && tc.not_null_column) {
        std::string name = tc.name.empty() ? table->key + "_" + tc.not_null_column->key + "_check" : tc.name;
        facts.not_null_checks[table->key][name] = {table->key, tc.not_null_column->key, !tc.not_valid};
      }
      continue;
    }
    ColumnDef col = parse_column(t, b, e, kPg);
    check_type(st, col.type, col.type_base, table->shown + "." + col.name.shown);
  }
}

void create_index(Cursor& c, PartState& st) {
  bool unique = c.accept("unique");
  c.accept("index");
  bool concurrently = c.accept("concurrently");
  c.accept({"if", "not", "exists"});
  std::optional<Name> index;
  if (!c.at("on")) index = c.qualified_name(kPg);
  if (!c.accept("on")) return;
  c.accept("only");
  auto table = c.qualified_name(kPg);
  if (!table) return;
  if (index) st.created_indexes[index->key] = table->key;
  std::string what = std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX " +
                     (concurrently ? "CONCURRENTLY " : "") + (index ? index->shown + " " : "") + "on table " + table->shown;
  if (concurrently && st.in_transaction)
    st.report("ban-concurrent-index-creation-in-transaction",
              what + " runs inside a transaction block, where PostgreSQL refuses CONCURRENTLY: the migration fails");
  if (st.is_new(table->key) || concurrently) return;
  st.report("require-concurrent-index-creation",
            std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX " + (index ? index->shown + " " : "") +
                "on existing table " + table->shown + " without CONCURRENTLY blocks writes to " + table->shown +
                " while the index builds");
  lock_taken(st, what);
}

void drop_index(Cursor& c, const std::vector<Token>& t, PartState& st) {
  bool concurrently = c.accept("concurrently");
  c.accept({"if", "exists"});
  std::vector<Name> indexes;
  for (auto [b, e] : split_commas(t, c.pos(), c.end())) {
    Cursor item(t, b, e);
    if (auto n = item.qualified_name(kPg)) indexes.push_back(*n);
  }
  std::string names;
  for (const auto& n : indexes) names += (names.empty() ? "" : ", ") + n.shown;
  if (concurrently && st.in_transaction)
    st.report("ban-concurrent-index-creation-in-transaction",
              "DROP INDEX CONCURRENTLY " + names + " runs inside a transaction block, where PostgreSQL refuses CONCURRENTLY: the migration fails");
  if (concurrently) return;
  std::string existing;
  for (const auto& n : indexes) {
    auto created = st.created_indexes.find(n.key);
    if (created != st.created_indexes.end() && st.is_new(created->second)) continue;
    existing += (existing.empty() ? "" : ", ") + n.shown;
  }
  if (existing.empty()) return;
  st.report("require-concurrent-index-deletion",
            "DROP INDEX " + existing + " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the indexed table: reads and writes wait");
  lock_taken(st, "DROP INDEX " + existing + " locks the indexed table");
}

std::string constraint_label(const TableConstraint& tc) {
  static const char* const kinds[] = {"CHECK", "FOREIGN KEY", "UNIQUE", "PRIMARY KEY", "EXCLUDE", "constraint"};
  std::string label = kinds[tc.kind];
  return tc.name.empty() ? label : label + " constraint " + tc.name;
}

// PostgreSQL's name for an unnamed constraint, so that a later VALIDATE
// CONSTRAINT can be matched to it.
std::string constraint_name(const TableConstraint& tc, const Name& table) {
  if (!tc.name.empty()) return tc.name;
  if (tc.kind == TableConstraint::check)
    return table.key + (tc.not_null_column ? "_" + tc.not_null_column->key : "") + "_check";
  if (tc.kind == TableConstraint::foreign_key) {
    std::string n = table.key;
    for (const auto& c : tc.columns) n += "_" + c.key;
    return n + "_fkey";
  }
  return table.key;
}

void add_constraint(const TableConstraint& tc, const Name& table, bool fresh, PartState& st, SchemaFacts& facts) {
  std::string name = constraint_name(tc, table);
  if (tc.kind == TableConstraint::check && tc.not_null_column)
    facts.not_null_checks[table.key][name] = {table.key, tc.not_null_column->key, !tc.not_valid};
  if (tc.not_valid && st.in_transaction) st.not_valid_in_transaction.insert(name);
  if (fresh) return;
  const std::string label = constraint_label(tc);
  switch (tc.kind) {
    case TableConstraint::check:
      if (!tc.not_valid)
        st.report("constraint-missing-not-valid", "ADD " + label + " on existing table " + table.shown +
                                                      " without NOT VALID scans the whole table while blocking reads and writes");
      break;
    case TableConstraint::foreign_key:
      if (!tc.not_valid) {
        st.report("constraint-missing-not-valid", "ADD " + label + " on existing table " + table.shown +
                                                      " without NOT VALID scans the whole table while blocking writes");
        st.report("adding-foreign-key-constraint",
                  "ADD " + label + " on existing table " + table.shown + " (referencing " + tc.referenced_table +
                      ") is added and validated in one step: writes to " + table.shown + " and " + tc.referenced_table +
                      " wait while " + table.shown + " is scanned");
      }
      break;
    case TableConstraint::unique:
      if (!tc.using_index)
        st.report("disallowed-unique-constraint", "ADD " + label + " on existing table " + table.shown +
                                                      " builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait");
      break;
    case TableConstraint::primary_key:
      if (!tc.using_index)
        st.report("adding-serial-primary-key-field", "ADD " + label + " on existing table " + table.shown +
                                                         " builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait");
      break;
    default:
      break;
  }
}

void add_column(const ColumnDef& col, const Name& table, bool fresh, PartState& st) {
  const std::string column = table.shown + "." + col.name.shown;
  check_type(st, col.type, col.type_base, column);
  if (fresh) return;
  if (col.not_null && !col.has_default && !col.generated_stored && !col.identity)
    st.report("adding-required-field", "ADD COLUMN " + column +
                                           " NOT NULL without DEFAULT: fails if existing table " + table.shown +
                                           " has rows, and inserts from the running code, which does not set it, fail");
  static const std::set<std::string> serials = {"serial", "serial4", "serial8", "bigserial", "smallserial", "serial2"};
  if (col.has_default) {
    if (auto call = volatile_call(col.default_expr))
      st.report("adding-field-with-default", "ADD COLUMN " + column + " with DEFAULT " + *call +
                                                 ": PostgreSQL rewrites existing table " + table.shown +
                                                 " under an ACCESS EXCLUSIVE lock");
  } else if (serials.count(col.type_base)) {
    st.report("adding-field-with-default", "ADD COLUMN " + column + " of type " + col.type_base +
                                               " fills every row from nextval(), a volatile default: PostgreSQL rewrites existing table " +
                                               table.shown + " under an ACCESS EXCLUSIVE lock");
  }
  if (col.generated_stored)
    st.report("adding-field-with-default", "ADD COLUMN " + column + " GENERATED ... STORED computes every row: PostgreSQL rewrites existing table " +
                                               table.shown + " under an ACCESS EXCLUSIVE lock");
  if (col.identity)
    st.report("adding-field-with-default", "ADD COLUMN " + column + " GENERATED AS IDENTITY numbers every row: PostgreSQL rewrites existing table " +
                                               table.shown + " under an ACCESS EXCLUSIVE lock");
  if (col.primary_key)
    st.report("adding-serial-primary-key-field", "ADD COLUMN " + column + " PRIMARY KEY builds the key's index on existing table " +
                                                     table.shown + " under an ACCESS EXCLUSIVE lock: reads and writes wait");
  if (col.unique)
    st.report("disallowed-unique-constraint", "ADD COLUMN " + column + " UNIQUE builds its index on existing table " +
                                                  table.shown + " under an ACCESS EXCLUSIVE lock: reads and writes wait");
  if (col.references)
    st.report("adding-foreign-key-constraint", "ADD COLUMN " + column + " REFERENCES " + col.referenced_table +
                                                   " adds a foreign key in one step: writes to " + table.shown + " and " +
                                                   col.referenced_table + " wait");
}

bool has_valid_not_null_check(const SchemaFacts& facts, const std::string& table, const std::string& column) {
  auto t = facts.not_null_checks.find(table);
  if (t == facts.not_null_checks.end()) return false;
  for (const auto& [name, check] : t->second)
    if (check.column == column && check.validated) return true;
  return false;
}

void alter_action(const std::vector<Token>& t, size_t b, size_t e, const Name& table, PartState& st, SchemaFacts& facts) {
  Cursor a(t, b, e);
  const bool fresh = st.is_new(table.key);
  if (a.accept("add")) {
    if (starts_table_constraint(a)) return add_constraint(parse_table_constraint(t, a.pos(), e, kPg), table, fresh, st, facts);
    a.accept("column");
    a.accept({"if", "not", "exists"});
    return add_column(parse_column(t, a.pos(), e, kPg), table, fresh, st);
  }
  if (a.accept("alter")) {
    if (a.at("constraint")) return;
    a.accept("column");
    if (a.done()) return;
    Name col = name_of(*a.peek(), kPg);
    a.skip();
    const std::string column = table.shown + "." + col.shown;
    if (a.accept("type") || a.accept({"set", "data", "type"})) {
      std::vector<Token> type;
      while (!a.done() && !a.at("using") && !a.at("collate")) {
        type.push_back(*a.peek());
        a.skip();
      }
      ColumnDef parsed;
      for (const auto& tk : type)
        if (tk.kind == TokenKind::word) {
          parsed.type_base = lower(tk.text);
          break;
        }
      check_type(st, type, parsed.type_base, column);
      if (!fresh)
        st.report("changing-column-type", "ALTER COLUMN " + column + " TYPE " + joined(type) + " rewrites existing table " +
                                              table.shown + " and its indexes under an ACCESS EXCLUSIVE lock");
    } else if (a.accept({"set", "not", "null"})) {
      if (!fresh && !has_valid_not_null_check(facts, table.key, col.key))
        st.report("adding-not-nullable-field", "ALTER COLUMN " + column + " SET NOT NULL scans existing table " + table.shown +
                                                   " under an ACCESS EXCLUSIVE lock (no validated CHECK (" + col.shown +
                                                   " IS NOT NULL) proves it first)");
    }
    return;
  }
  if (a.accept("drop")) {
    if (a.accept("constraint")) {
      a.accept({"if", "exists"});
      if (!a.done()) {
        auto tbl = facts.not_null_checks.find(table.key);
        if (tbl != facts.not_null_checks.end()) tbl->second.erase(name_of(*a.peek(), kPg).key);
      }
      return;
    }
    a.accept("column");
    a.accept({"if", "exists"});
    if (a.done() || fresh) return;
    st.report("ban-drop-column", "DROP COLUMN " + table.shown + "." + name_of(*a.peek(), kPg).shown +
                                     ": the running code that still reads or writes it fails");
    return;
  }
  if (a.accept({"validate", "constraint"})) {
    if (a.done()) return;
    Name name = name_of(*a.peek(), kPg);
    bool same_transaction = st.in_transaction && st.not_valid_in_transaction.count(name.key);
    auto tbl = facts.not_null_checks.find(table.key);
    if (tbl != facts.not_null_checks.end()) {
      auto check = tbl->second.find(name.key);
      if (check != tbl->second.end()) check->second.validated = true;
    }
    if (same_transaction && !fresh)
      st.report("constraint-missing-not-valid", "VALIDATE CONSTRAINT " + name.shown + " on existing table " + table.shown +
                                                    " runs in the transaction that added it NOT VALID: the lock taken by ADD CONSTRAINT is held for the whole scan");
    return;
  }
  if (a.accept("rename")) {
    if (a.accept("to")) {
      auto to = a.qualified_name(kPg);
      if (!to) return;
      if (fresh) st.created_tables.insert(to->key);
      else st.report("renaming-table", "RENAME of existing table " + table.shown + " to " + to->shown +
                                           ": the running code that uses " + table.shown + " fails");
      facts.not_null_checks[to->key] = facts.not_null_checks[table.key];
      return;
    }
    if (a.at("constraint")) return;
    a.accept("column");
    if (a.done()) return;
    Name from = name_of(*a.peek(), kPg);
    a.skip();
    a.accept("to");
    std::string to = a.done() ? "?" : name_of(*a.peek(), kPg).shown;
    if (!fresh)
      st.report("renaming-column", "RENAME COLUMN " + table.shown + "." + from.shown + " to " + to +
                                       ": the running code that uses " + from.shown + " fails");
  }
}

void alter_table(Cursor& c, const std::vector<Token>& t, PartState& st, SchemaFacts& facts) {
  c.accept({"if", "exists"});
  c.accept("only");
  auto table = c.qualified_name(kPg);
  if (!table) return;  // ALTER TABLE ALL IN TABLESPACE
  c.accept_punct("*");
  if (!st.is_new(table->key)) lock_taken(st, "ALTER TABLE " + table->shown + " locks existing table " + table->shown);
  for (auto [b, e] : split_commas(t, c.pos(), c.end())) alter_action(t, b, e, *table, st, facts);
}

void drop_table(Cursor& c, const std::vector<Token>& t, PartState& st) {
  c.accept({"if", "exists"});
  bool locked = false;
  for (auto [b, e] : split_commas(t, c.pos(), c.end())) {
    Cursor item(t, b, e);
    auto table = item.qualified_name(kPg);
    if (!table || st.is_new(table->key)) continue;
    if (!locked) lock_taken(st, "DROP TABLE " + table->shown + " locks existing table " + table->shown);
    locked = true;
    if (st.renamed_to.count(table->key)) continue;  // rebuilt under the same name below
    st.report("ban-drop-table", "DROP TABLE " + table->shown + ": the running code that still uses it fails, and its data is gone");
  }
}

void truncate(Cursor& c, const std::vector<Token>& t, PartState& st) {
  c.accept("table");
  std::vector<Name> tables;
  for (auto [b, e] : split_commas(t, c.pos(), c.end())) {
    Cursor item(t, b, e);
    item.accept("only");
    if (item.at("restart") || item.at("continue") || item.at("cascade") || item.at("restrict")) continue;
    if (auto n = item.qualified_name(kPg)) tables.push_back(*n);
  }
  std::string names;
  for (const auto& n : tables) names += (names.empty() ? "" : ", ") + n.shown;
  if (contains_words(t, c.pos(), c.end(), {"cascade"}))
    st.report("ban-truncate-cascade", "TRUNCATE " + names + " CASCADE also empties every table with a foreign key to " + names + ", recursively");
  for (const auto& n : tables)
    if (!st.is_new(n.key)) {
      lock_taken(st, "TRUNCATE " + n.shown + " locks existing table " + n.shown);
      break;
    }
}

// Statements that lock a table without a rule of their own still need the
// timeouts: LOCK, CREATE TRIGGER, VACUUM FULL, CLUSTER, REINDEX, REFRESH.
void other_lock(const Statement& s, PartState& st) {
  const auto& t = s.tokens;
  Cursor c(t);
  auto table_after = [&](std::string_view word) -> std::optional<Name> {
    for (size_t i = 0; i + 1 < t.size(); ++i)
      if (t[i].is(word)) {
        Cursor n(t, i + 1, t.size());
        n.accept("table");
        n.accept("only");
        return n.qualified_name(kPg);
      }
    return std::nullopt;
  };
  std::optional<Name> table;
  std::string verb;
  if (c.at("lock")) {
    table = table_after("lock");
    verb = "LOCK TABLE";
  } else if (c.at("create") && (contains_words(t, 1, std::min<size_t>(t.size(), 4), {"trigger"}))) {
    table = table_after("on");
    verb = "CREATE TRIGGER";
  } else if (c.at("vacuum") && contains_words(t, 0, t.size(), {"full"})) {
    // VACUUM FULL t or VACUUM (FULL, ANALYZE) t: the table comes last.
    if (is_identifier(t.back()) && !t.back().is("full")) table = name_of(t.back(), kPg);
    verb = "VACUUM FULL";
  } else if (c.at("cluster")) {
    table = table_after("cluster");
    verb = "CLUSTER";
  } else if (c.at("reindex") && !contains_words(t, 0, t.size(), {"concurrently"})) {
    verb = "REINDEX";
    if (t.size() > 2) table = name_of(t.back(), kPg);
  } else if (c.at("refresh") && !contains_words(t, 0, t.size(), {"concurrently"})) {
    table = table_after("view");
    verb = "REFRESH MATERIALIZED VIEW";
  } else {
    return;
  }
  if (!table || st.is_new(table->key)) return;
  lock_taken(st, verb + " " + table->shown + " locks existing " + table->shown);
}

}  // namespace

void lint_postgres_statement(const Statement& s, PartState& st, SchemaFacts& facts) {
  const auto& t = s.tokens;
  Cursor c(t);
  if (c.at("begin") || (c.at("start") && c.at("transaction", 1))) {
    st.in_transaction = true;
    return;
  }
  if (c.at("commit") || c.at("end") || c.at("abort") || (c.at("rollback") && !contains_words(t, 0, t.size(), {"to"}))) {
    end_transaction(st);
    return;
  }
  if (c.accept("set")) return set_timeout(c, st);
  if (c.accept("reset")) {
    if (c.at("lock_timeout") || c.at("all")) st.lock_timeout = TimeoutState::none;
    if (c.at("statement_timeout") || c.at("all")) st.statement_timeout = TimeoutState::none;
    return;
  }
  if (c.at("select")) return set_config_call(t, st);
  if (c.accept("create")) {
    c.accept({"or", "replace"});
    if (c.at("unique") || c.at("index")) return create_index(c, st);
    c.accept("global") || c.accept("local");
    c.accept("temporary") || c.accept("temp") || c.accept("unlogged");
    if (c.accept("table")) return create_table(c, t, st, facts);
    return other_lock(s, st);
  }
  if (c.accept({"alter", "table"})) return alter_table(c, t, st, facts);
  if (c.accept({"drop", "table"})) return drop_table(c, t, st);
  if (c.accept({"drop", "index"})) return drop_index(c, t, st);
  if (c.accept("truncate")) return truncate(c, t, st);
  other_lock(s, st);
}

}  // namespace greenlight::lint_detail
