// Reads a database's schema into a SchemaSnapshot.
//
// PostgreSQL: from pg_catalog, through the server's own deparsers
// (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef,
// pg_get_viewdef, pg_get_triggerdef, pg_get_functiondef), which print one
// canonical text for equivalent definitions. Their output depends on
// search_path (names visible in it are printed unqualified), so it is pinned
// to "public" for the snapshot: the scratch and the target then print alike
// whatever their roles' settings.
//
// SQLite: from sqlite_schema and the table-valued pragmas. SQLite keeps the
// CREATE text as written, so text that is compared (index, view and trigger
// definitions, defaults, check expressions) is re-spelled from its tokens:
// identifiers and keywords lower case (SQLite ignores their case), one
// canonical spacing. Constraints SQLite does not name are named by their
// columns ("users.unique(email)"), never by sqlite_autoindex_users_1, whose
// number depends on the order of the CREATE TABLE text.
#include "suites/migration/schema_snapshot.h"

#include <cctype>
#include <functional>

#include "suites/migration/sql_tokens.h"

namespace greenlight {

namespace {

using Attrs = std::map<std::string, std::string>;

void add(SchemaSnapshot& s, const std::string& kind, const std::string& name, Attrs attrs) {
  s.objects[kind + " " + name] = SchemaObject{kind, name, std::move(attrs)};
}

std::string text(const Row& r, size_t i) { return i < r.size() && r[i] ? *r[i] : ""; }
bool is_null(const Row& r, size_t i) { return i >= r.size() || !r[i]; }
bool truthy(const std::string& v) { return v == "t" || v == "true" || v == "1" || v == "on"; }
std::string yes_no(bool b) { return b ? "yes" : "no"; }

// Runs of whitespace as one space: the deparsers' line breaks and the
// indentation of function bodies are layout, not schema.
std::string collapse_space(const std::string& s) {
  std::string out;
  bool pending = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending = !out.empty();
    } else {
      if (pending) out += ' ';
      pending = false;
      out += c;
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void for_rows(Database& db, const std::string& sql, const std::function<void(const Row&)>& f) {
  for (const Row& r : db.query(sql).rows) f(r);
}

bool excluded(const SnapshotOptions& o, const std::string& bare, const std::string& qualified) {
  return o.exclude_tables.count(bare) || o.exclude_tables.count(qualified);
}

// ------------------------------------------------------------------ PostgreSQL

std::string qualify(const std::string& schema, const std::string& name) {
  return schema == "public" ? name : schema + "." + name;
}

// Schemas of the user: not the system's, not temporary ones.
const char* kUserSchema =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

// Objects an extension created (CREATE EXTENSION) belong to the extension,
// which is compared as one object.
std::string not_in_extension(const std::string& catalog, const std::string& oid) {
  return "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ext WHERE ext.classid = 'pg_catalog." + catalog +
         "'::regclass AND ext.objid = " + oid + " AND ext.deptype = 'e')";
}

void pg_schemas(Database& db, SchemaSnapshot& s) {
  for_rows(db,
           std::string("SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE ") + kUserSchema + " AND " +
               not_in_extension("pg_namespace", "n.oid"),
           [&](const Row& r) { add(s, "schema", text(r, 0), {}); });
  for_rows(db,
           "SELECT e.extname, n.nspname FROM pg_catalog.pg_extension e "
           "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace",
           [&](const Row& r) { add(s, "extension", text(r, 0), {{"schema", text(r, 1)}}); });
}

void pg_tables(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  const std::string sql = std::string(
                              "SELECT n.nspname, c.relname, c.relkind, c.relpersistence, "
                              "  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, "
                              "  (SELECT string_agg(CASE WHEN pn.nspname = 'public' THEN '' ELSE pn.nspname || '.' END "
                              "                     || p.relname, ', ' ORDER BY i.inhseqno) "
                              "     FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent "
                              "     JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid), "
                              "  c.relispartition, pg_catalog.pg_get_expr(c.relpartbound, c.oid), c.relrowsecurity, "
                              "  array_to_string(c.reloptions, ', ') "
                              "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE c.relkind IN ('r', 'p') AND ") +
                          kUserSchema + " AND " + not_in_extension("pg_class", "c.oid");
  for_rows(db, sql, [&](const Row& r) {
    const std::string name = qualify(text(r, 0), text(r, 1));
    if (excluded(o, text(r, 1), name)) return;
    Attrs a;
    a["persistence"] = text(r, 3) == "u" ? "unlogged" : "logged";
    if (text(r, 2) == "p") a["partitioned by"] = text(r, 4);
    if (truthy(text(r, 6))) {
      a["partition of"] = text(r, 5);
      a["partition bound"] = text(r, 7);
    } else if (!is_null(r, 5)) {
      a["inherits"] = text(r, 5);
    }
    a["row security"] = truthy(text(r, 8)) ? "on" : "off";
    if (!is_null(r, 9)) a["options"] = text(r, 9);
    add(s, "table", name, a);
  });
}

// Live columns of tables; "position" is the rank among them, so that a
// column dropped and re-added elsewhere does not count, only the order a
// SELECT * shows.
void pg_columns(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  const std::string sql =
      std::string(
          "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
          "  pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
          "  row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum), "
          "  CASE WHEN a.attcollation <> t.typcollation THEN "
          "    (SELECT co.collname FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) END "
          "FROM pg_catalog.pg_attribute a "
          "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
          "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
          "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
          "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
          "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ") +
      kUserSchema + " AND " + not_in_extension("pg_class", "c.oid");
  for_rows(db, sql, [&](const Row& r) {
    const std::string table = qualify(text(r, 0), text(r, 1));
    if (excluded(o, text(r, 1), table)) return;
    Attrs a;
    a["table"] = table;
    a["type"] = text(r, 3);
    a["nullable"] = yes_no(!truthy(text(r, 4)));
    a["position"] = text(r, 8);
    const std::string identity = text(r, 6), generated = text(r, 7);
    if (generated == "s")
      a["generated"] = "stored as " + text(r, 5);
    else if (!is_null(r, 5))
      a["default"] = text(r, 5);
    if (identity == "a") a["identity"] = "always";
    if (identity == "d") a["identity"] = "by default";
    if (!is_null(r, 9)) a["collation"] = text(r, 9);
    add(s, "column", table + "." + text(r, 2), a);
  });
}

void pg_constraints(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  const std::string sql = std::string(
                              "SELECT n.nspname, c.relname, co.conname, co.contype, "
                              "  pg_catalog.pg_get_constraintdef(co.oid) "
                              "FROM pg_catalog.pg_constraint co "
                              "JOIN pg_catalog.pg_class c ON c.oid = co.conrelid "
                              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE co.contype IN ('p', 'u', 'f', 'c', 'x') AND ") +
                          kUserSchema + " AND " + not_in_extension("pg_class", "c.oid");
  static const std::map<std::string, std::string> kinds = {
      {"p", "primary key"}, {"u", "unique"}, {"f", "foreign key"}, {"c", "check"}, {"x", "exclusion"}};
  for_rows(db, sql, [&](const Row& r) {
    const std::string table = qualify(text(r, 0), text(r, 1));
    if (excluded(o, text(r, 1), table)) return;
    add(s, kinds.at(text(r, 3)), table + "." + text(r, 2), {{"table", table}, {"definition", text(r, 4)}});
  });
}

// Indexes a constraint owns are that constraint (compared as such); the rest
// are named on their own: index names are unique in their schema.
void pg_indexes(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  const std::string sql = std::string(
                              "SELECT n.nspname, t.relname, i.relname, pg_catalog.pg_get_indexdef(x.indexrelid), "
                              "  x.indisvalid "
                              "FROM pg_catalog.pg_index x "
                              "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid "
                              "JOIN pg_catalog.pg_class t ON t.oid = x.indrelid "
                              "JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace "
                              "WHERE t.relkind IN ('r', 'p', 'm') AND NOT EXISTS (SELECT 1 FROM "
                              "  pg_catalog.pg_constraint co WHERE co.conindid = x.indexrelid "
                              "  AND co.contype IN ('p', 'u', 'x')) AND ") +
                          kUserSchema + " AND " + not_in_extension("pg_class", "t.oid");
  for_rows(db, sql, [&](const Row& r) {
    const std::string table = qualify(text(r, 0), text(r, 1));
    if (excluded(o, text(r, 1), table)) return;
    Attrs a{{"table", table}, {"definition", text(r, 3)}};
    // An invalid index (a failed CREATE INDEX CONCURRENTLY) exists but is never used.
    if (!truthy(text(r, 4))) a["valid"] = "no";
    add(s, "index", qualify(text(r, 0), text(r, 2)), a);
  });
}

void pg_views(Database& db, SchemaSnapshot& s) {
  const std::string sql = std::string(
                              "SELECT n.nspname, c.relname, c.relkind, pg_catalog.pg_get_viewdef(c.oid), "
                              "  array_to_string(c.reloptions, ', ') "
                              "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE c.relkind IN ('v', 'm') AND ") +
                          kUserSchema + " AND " + not_in_extension("pg_class", "c.oid");
  for_rows(db, sql, [&](const Row& r) {
    Attrs a{{"definition", collapse_space(text(r, 3))}, {"materialized", yes_no(text(r, 2) == "m")}};
    if (!is_null(r, 4)) a["options"] = text(r, 4);
    add(s, "view", qualify(text(r, 0), text(r, 1)), a);
  });
}

void pg_triggers_and_policies(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  const std::string sql = std::string(
                              "SELECT n.nspname, c.relname, tg.tgname, pg_catalog.pg_get_triggerdef(tg.oid), "
                              "  tg.tgenabled "
                              "FROM pg_catalog.pg_trigger tg "
                              "JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid "
                              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE NOT tg.tgisinternal AND ") +
                          kUserSchema + " AND " + not_in_extension("pg_class", "c.oid");
  static const std::map<std::string, std::string> enabled = {
      {"O", "yes"}, {"D", "no"}, {"R", "replica only"}, {"A", "always"}};
  for_rows(db, sql, [&](const Row& r) {
    const std::string table = qualify(text(r, 0), text(r, 1));
    if (excluded(o, text(r, 1), table)) return;
    auto e = enabled.find(text(r, 4));
    add(s, "trigger", table + "." + text(r, 2),
        {{"table", table},
         {"definition", collapse_space(text(r, 3))},
         {"enabled", e == enabled.end() ? text(r, 4) : e->second}});
  });
  const std::string policies = std::string(
                                   "SELECT n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive, "
                                   "  (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE "
                                   "     pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END, ', ' ORDER BY 1) "
                                   "   FROM unnest(p.polroles) r), "
                                   "  pg_catalog.pg_get_expr(p.polqual, p.polrelid), "
                                   "  pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) "
                                   "FROM pg_catalog.pg_policy p "
                                   "JOIN pg_catalog.pg_class c ON c.oid = p.polrelid "
                                   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ") +
                               kUserSchema;
  static const std::map<std::string, std::string> cmds = {
      {"r", "select"}, {"a", "insert"}, {"w", "update"}, {"d", "delete"}, {"*", "all"}};
  for_rows(db, policies, [&](const Row& r) {
    const std::string table = qualify(text(r, 0), text(r, 1));
    if (excluded(o, text(r, 1), table)) return;
    auto cmd = cmds.find(text(r, 3));
    Attrs a{{"table", table},
            {"command", cmd == cmds.end() ? text(r, 3) : cmd->second},
            {"permissive", yes_no(truthy(text(r, 4)))},
            {"roles", text(r, 5)}};
    if (!is_null(r, 6)) a["using"] = text(r, 6);
    if (!is_null(r, 7)) a["with check"] = text(r, 7);
    add(s, "policy", table + "." + text(r, 2), a);
  });
}

// The definition, not the state: last_value moves with every insert.
void pg_sequences(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  const std::string sql = std::string(
                              "SELECT n.nspname, c.relname, pg_catalog.format_type(q.seqtypid, NULL), q.seqstart, "
                              "  q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle, "
                              "  own.nspname, own.relname, own.attname "
                              "FROM pg_catalog.pg_sequence q "
                              "JOIN pg_catalog.pg_class c ON c.oid = q.seqrelid "
                              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                              "LEFT JOIN LATERAL (SELECT tn.nspname, t.relname, a.attname "
                              "  FROM pg_catalog.pg_depend d "
                              "  JOIN pg_catalog.pg_class t ON t.oid = d.refobjid "
                              "  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
                              "  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                              "  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = q.seqrelid "
                              "    AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i') "
                              "    AND d.refobjsubid > 0 LIMIT 1) own ON true "
                              "WHERE ") +
                          kUserSchema + " AND " + not_in_extension("pg_class", "c.oid");
  for_rows(db, sql, [&](const Row& r) {
    Attrs a{{"type", text(r, 2)},    {"start", text(r, 3)}, {"increment", text(r, 4)}, {"min", text(r, 5)},
            {"max", text(r, 6)},     {"cache", text(r, 7)}, {"cycle", yes_no(truthy(text(r, 8)))}};
    if (!is_null(r, 10)) {
      const std::string table = qualify(text(r, 9), text(r, 10));
      if (excluded(o, text(r, 10), table)) return;  // belongs to a history table
      a["owned by"] = table + "." + text(r, 11);
    }
    add(s, "sequence", qualify(text(r, 0), text(r, 1)), a);
  });
}

void pg_functions(Database& db, SchemaSnapshot& s) {
  const std::string sql =
      std::string(
          "SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind, "
          "  CASE WHEN p.prokind = 'a' THEN NULL ELSE pg_catalog.pg_get_functiondef(p.oid) END, "
          "  CASE WHEN p.prokind = 'a' THEN pg_catalog.format_type(p.prorettype, NULL) END "
          "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE ") +
      kUserSchema + " AND " + not_in_extension("pg_proc", "p.oid");
  static const std::map<std::string, std::string> kinds = {
      {"f", "function"}, {"p", "procedure"}, {"a", "aggregate"}, {"w", "window function"}};
  for_rows(db, sql, [&](const Row& r) {
    auto k = kinds.find(text(r, 3));
    Attrs a{{"kind", k == kinds.end() ? text(r, 3) : k->second}};
    if (!is_null(r, 4)) a["definition"] = collapse_space(text(r, 4));
    if (!is_null(r, 5)) a["returns"] = text(r, 5);
    add(s, "function", qualify(text(r, 0), text(r, 1)) + "(" + text(r, 2) + ")", a);
  });
}

// User-defined types: enums (labels in order: the order is their sort order),
// domains, composite and range types. Row types of tables and array types come
// with their tables and element types and are left out.
void pg_types(Database& db, SchemaSnapshot& s) {
  const std::string base = std::string(" AND ") + kUserSchema + " AND " + not_in_extension("pg_type", "t.oid");
  for_rows(db,
           "SELECT n.nspname, t.typname, (SELECT string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' "
           "  ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) "
           "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
           "WHERE t.typtype = 'e'" + base,
           [&](const Row& r) {
             add(s, "type", qualify(text(r, 0), text(r, 1)), {{"kind", "enum"}, {"labels", text(r, 2)}});
           });
  for_rows(db,
           "SELECT n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull, "
           "  t.typdefault, (SELECT string_agg(c.conname || ' ' || pg_catalog.pg_get_constraintdef(c.oid), '; ' "
           "  ORDER BY c.conname) FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid) "
           "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
           "WHERE t.typtype = 'd'" + base,
           [&](const Row& r) {
             Attrs a{{"kind", "domain"}, {"type", text(r, 2)}, {"nullable", yes_no(!truthy(text(r, 3)))}};
             if (!is_null(r, 4)) a["default"] = text(r, 4);
             if (!is_null(r, 5)) a["constraints"] = text(r, 5);
             add(s, "type", qualify(text(r, 0), text(r, 1)), a);
           });
  for_rows(db,
           "SELECT n.nspname, t.typname, (SELECT string_agg(a.attname || ' ' || "
           "  pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) "
           "  FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) "
           "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
           "JOIN pg_catalog.pg_class c ON c.oid = t.typrelid "
           "WHERE t.typtype = 'c' AND c.relkind = 'c'" + base,
           [&](const Row& r) {
             add(s, "type", qualify(text(r, 0), text(r, 1)), {{"kind", "composite"}, {"attributes", text(r, 2)}});
           });
  for_rows(db,
           "SELECT n.nspname, t.typname, pg_catalog.format_type(rg.rngsubtype, NULL) "
           "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
           "JOIN pg_catalog.pg_range rg ON rg.rngtypid = t.oid WHERE t.typtype = 'r'" + base,
           [&](const Row& r) {
             add(s, "type", qualify(text(r, 0), text(r, 1)), {{"kind", "range"}, {"subtype", text(r, 2)}});
           });
}

void snapshot_postgres(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  pg_schemas(db, s);
  pg_tables(db, s, o);
  pg_columns(db, s, o);
  pg_constraints(db, s, o);
  pg_indexes(db, s, o);
  pg_views(db, s);
  pg_triggers_and_policies(db, s, o);
  pg_sequences(db, s, o);
  pg_functions(db, s);
  pg_types(db, s);
}

// ---------------------------------------------------------------------- SQLite

std::string sql_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool plain_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// One canonical spelling of SQL tokens: words and identifiers lower case
// (SQLite compares them without case), quotes only where a name needs them,
// strings as written, one space between tokens except inside parentheses and
// around dots and before commas.
std::string spell(const std::vector<Token>& tokens, size_t begin, size_t end) {
  static const std::set<std::string> kSpacedBeforeParen = {
      "as",     "in",     "on",   "check",  "and",  "or",      "not",  "when",   "then",    "else",
      "values", "exists", "using", "where", "select", "from",  "by",   "key",    "unique",  "default",
      "filter", "over",   "is",   "between", "like", "glob",   "any",  "all",    "set",     "returning",
      "case",   "end",    "do",   "update",  "insert", "delete", "table", "index", "into", "join"};
  std::string out;
  std::string prev, prev_word;
  bool prev_name = false;
  for (size_t i = begin; i < end && i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::comment) continue;
    std::string piece;
    switch (t.kind) {
      case TokenKind::word: piece = lower(t.text); break;
      case TokenKind::quoted_identifier: {
        std::string n = lower(t.text);
        piece = plain_identifier(n) ? n : "\"" + n + "\"";
        break;
      }
      default: piece = t.text;
    }
    // Calls and column lists hug their name ("lower(email)", "users(id)");
    // after a keyword the parenthesis stands apart ("check (", "in (").
    bool call = piece == "(" && prev_name && !kSpacedBeforeParen.count(prev_word);
    bool glue = out.empty() || prev == "(" || prev == "." || piece == ")" || piece == "," || piece == "." || piece == ";" || call;
    if (!glue) out += ' ';
    out += piece;
    prev = t.kind == TokenKind::punct ? piece : "";
    prev_name = t.kind == TokenKind::word || t.kind == TokenKind::quoted_identifier;
    prev_word = t.kind == TokenKind::word ? piece : "";
  }
  return out;
}

std::string spell_sql(const std::string& sql) {
  try {
    std::vector<Token> tokens = tokenize(sql, Dialect::sqlite);
    std::string s = spell(tokens, 0, tokens.size());
    while (!s.empty() && s.back() == ';') s.pop_back();
    return s;
  } catch (const SqlSyntaxError&) {
    return collapse_space(sql);  // SQLite accepted it; compare it as text then
  }
}

// What the CREATE TABLE text says that no pragma tells: CHECK constraints,
// generated column expressions and column collations.
struct TableText {
  std::vector<std::pair<std::string, std::string>> checks;  // name (may be empty), expression
  std::map<std::string, std::string> generated;             // column (lower case) -> expression
  std::map<std::string, std::string> collation;             // column (lower case) -> collation
};

bool is_word(const Token& t, const char* w) { return t.kind == TokenKind::word && t.is(w); }
bool is_punct(const Token& t, const char* p) { return t.kind == TokenKind::punct && t.text == p; }

// Index of the ")" matching the "(" at `open`, or tokens.size().
size_t matching_paren(const std::vector<Token>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (is_punct(tokens[i], "(")) ++depth;
    if (is_punct(tokens[i], ")") && --depth == 0) return i;
  }
  return tokens.size();
}

std::string ident_text(const Token& t) { return lower(t.text); }

TableText parse_create_table(const std::string& sql) {
  TableText out;
  std::vector<Token> all;
  try {
    all = tokenize(sql, Dialect::sqlite);
  } catch (const SqlSyntaxError&) {
    return out;
  }
  std::vector<Token> tokens;
  for (Token& t : all)
    if (t.kind != TokenKind::comment) tokens.push_back(std::move(t));
  size_t open = 0;
  while (open < tokens.size() && !is_punct(tokens[open], "(")) {
    if (is_word(tokens[open], "as")) return out;  // CREATE TABLE ... AS SELECT: no definitions
    ++open;
  }
  const size_t close = matching_paren(tokens, open);
  // Elements are separated by commas at depth 1.
  size_t start = open + 1;
  for (size_t i = open + 1; i <= close && i < tokens.size(); ++i) {
    if (is_punct(tokens[i], "(")) {
      i = matching_paren(tokens, i);
      continue;
    }
    if (i != close && !is_punct(tokens[i], ",")) continue;
    const size_t end = i;
    if (start < end) {
      const Token& first = tokens[start];
      static const char* table_constraint[] = {"constraint", "primary", "unique", "check", "foreign"};
      bool is_table_constraint = false;
      for (const char* w : table_constraint) is_table_constraint |= is_word(first, w);
      std::string column = is_table_constraint ? "" : ident_text(first);
      std::string pending_name;
      for (size_t j = is_table_constraint ? start : start + 1; j < end; ++j) {
        const Token& t = tokens[j];
        if (is_word(t, "constraint") && j + 1 < end) {
          pending_name = ident_text(tokens[j + 1]);
          ++j;
        } else if (is_word(t, "check") && j + 1 < end && is_punct(tokens[j + 1], "(")) {
          size_t c = matching_paren(tokens, j + 1);
          out.checks.emplace_back(pending_name, spell(tokens, j + 2, c));
          pending_name.clear();
          j = c;
        } else if (!column.empty() && is_word(t, "as") && j + 1 < end && is_punct(tokens[j + 1], "(")) {
          size_t c = matching_paren(tokens, j + 1);
          std::string kind = c + 1 < end && is_word(tokens[c + 1], "stored") ? "stored" : "virtual";
          out.generated[column] = kind + " as " + spell(tokens, j + 2, c);
          j = c;
        } else if (!column.empty() && is_word(t, "collate") && j + 1 < end) {
          out.collation[column] = ident_text(tokens[j + 1]);
          ++j;
        } else if (is_punct(t, "(")) {
          j = matching_paren(tokens, j);  // e.g. DEFAULT (expr), REFERENCES t(col)
        } else if (is_word(t, "primary") || is_word(t, "unique") || is_word(t, "not") || is_word(t, "null") ||
                   is_word(t, "references") || is_word(t, "default") || is_word(t, "foreign")) {
          pending_name.clear();  // a CONSTRAINT name before these is not a check's
        }
      }
    }
    start = i + 1;
  }
  return out;
}

std::string pk_or_cols(const std::vector<std::string>& cols) {
  std::string s;
  for (size_t i = 0; i < cols.size(); ++i) s += (i ? ", " : "") + cols[i];
  return s;
}

void sqlite_table(Database& db, SchemaSnapshot& s, const std::string& table, const std::string& create_sql) {
  const std::string t = sql_literal(table);
  Attrs ta;
  for_rows(db, "SELECT wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = " + t, [&](const Row& r) {
    ta["without rowid"] = yes_no(truthy(text(r, 0)));
    ta["strict"] = yes_no(truthy(text(r, 1)));
  });
  add(s, "table", table, ta);

  const TableText parsed = parse_create_table(create_sql);

  // Columns and the primary key (pk: the column's place in the key, 0 if none).
  std::map<int, std::string> pk;
  int position = 0;
  for_rows(db, "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(" + t + ")",
           [&](const Row& r) {
             const std::string col = text(r, 1);
             Attrs a{{"table", table},
                     {"type", lower(collapse_space(text(r, 2)))},
                     {"nullable", yes_no(!truthy(text(r, 3)))},
                     {"position", std::to_string(++position)}};
             if (!is_null(r, 4)) a["default"] = spell_sql(text(r, 4));
             const std::string hidden = text(r, 6);
             if (hidden == "2" || hidden == "3") {
               auto g = parsed.generated.find(lower(col));
               a["generated"] = g != parsed.generated.end() ? g->second : (hidden == "3" ? "stored" : "virtual");
             }
             if (auto c = parsed.collation.find(lower(col)); c != parsed.collation.end()) a["collation"] = c->second;
             if (int k = std::stoi(text(r, 5).empty() ? "0" : text(r, 5)); k > 0) pk[k] = col;
             add(s, "column", table + "." + col, a);
           });
  if (!pk.empty()) {
    std::vector<std::string> cols;
    for (auto& [k, c] : pk) cols.push_back(c);
    add(s, "primary key", table + ".primary key(" + pk_or_cols(cols) + ")",
        {{"table", table}, {"columns", pk_or_cols(cols)}});
  }

  // Indexes: explicit ones by name; those behind UNIQUE constraints by
  // their columns; the primary key's is the primary key above.
  for_rows(db, "SELECT name, \"unique\", origin, partial FROM pragma_index_list(" + t + ")", [&](const Row& r) {
    const std::string index = text(r, 0), origin = text(r, 2);
    if (origin == "pk") return;
    std::vector<std::string> cols;
    for_rows(db, "SELECT name, \"desc\", coll, cid FROM pragma_index_xinfo(" + sql_literal(index) + ") WHERE key",
             [&](const Row& c) {
               std::string col = text(c, 3) == "-2" ? "<expression>" : text(c, 0);
               // Only a collation other than the column's own is the index's.
               auto declared = parsed.collation.find(lower(col));
               const std::string own = declared == parsed.collation.end() ? "binary" : declared->second;
               if (!is_null(c, 2) && lower(text(c, 2)) != own) col += " collate " + lower(text(c, 2));
               if (truthy(text(c, 1))) col += " desc";
               cols.push_back(col);
             });
    if (origin == "u") {
      add(s, "unique", table + ".unique(" + pk_or_cols(cols) + ")", {{"table", table}, {"columns", pk_or_cols(cols)}});
      return;
    }
    std::string def;
    for_rows(db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = " + sql_literal(index),
             [&](const Row& d) { def = spell_sql(text(d, 0)); });
    add(s, "index", index,
        {{"table", table},
         {"unique", yes_no(truthy(text(r, 1)))},
         {"partial", yes_no(truthy(text(r, 3)))},
         {"columns", pk_or_cols(cols)},
         {"definition", def}});
  });

  // Foreign keys, one per id, columns in order. A reference that names no
  // columns means the parent's primary key: spelled out, so both forms compare equal.
  struct Fk {
    std::string parent, on_update, on_delete, match;
    std::vector<std::string> from, to;
  };
  std::map<int, Fk> fks;
  for_rows(db,
           "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, \"match\" FROM pragma_foreign_key_list(" +
               t + ") ORDER BY id, seq",
           [&](const Row& r) {
             Fk& f = fks[std::stoi(text(r, 0))];
             f.parent = text(r, 2);
             f.from.push_back(text(r, 3));
             f.to.push_back(text(r, 4));
             f.on_update = lower(text(r, 5));
             f.on_delete = lower(text(r, 6));
             f.match = lower(text(r, 7));
           });
  for (auto& [id, f] : fks) {
    bool implicit = true;
    for (const std::string& c : f.to) implicit &= c.empty();
    if (implicit) {
      std::map<int, std::string> parent_pk;
      for_rows(db, "SELECT name, pk FROM pragma_table_info(" + sql_literal(f.parent) + ") WHERE pk > 0",
               [&](const Row& r) { parent_pk[std::stoi(text(r, 1))] = text(r, 0); });
      f.to.clear();
      for (auto& [k, c] : parent_pk) f.to.push_back(c);
    }
    Attrs a{{"table", table},
            {"columns", pk_or_cols(f.from)},
            {"references", f.parent + "(" + pk_or_cols(f.to) + ")"},
            {"on update", f.on_update},
            {"on delete", f.on_delete}};
    if (!f.match.empty() && f.match != "none") a["match"] = f.match;
    add(s, "foreign key", table + ".foreign key(" + pk_or_cols(f.from) + ")", a);
  }

  for (const auto& [name, expr] : parsed.checks)
    add(s, "check", table + "." + (name.empty() ? "check(" + expr + ")" : name),
        {{"table", table}, {"expression", expr}});
}

void snapshot_sqlite(Database& db, SchemaSnapshot& s, const SnapshotOptions& o) {
  // sqlite_% are SQLite's own (sqlite_sequence, sqlite_stat1); autoindexes
  // are read through their tables.
  QueryResult objects = db.query(
      "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "ORDER BY type, name");
  for (const Row& r : objects.rows) {
    const std::string type = text(r, 0), name = text(r, 1), table = text(r, 2), sql = text(r, 3);
    if (excluded(o, table, table)) continue;
    if (type == "table") {
      if (lower(sql).rfind("create virtual table", 0) == 0)
        add(s, "table", name, {{"virtual", spell_sql(sql)}});  // its module may not be loaded here
      else
        sqlite_table(db, s, name, sql);
    } else if (type == "view") {
      add(s, "view", name, {{"definition", spell_sql(sql)}});
    } else if (type == "trigger") {
      add(s, "trigger", table + "." + name, {{"table", table}, {"definition", spell_sql(sql)}});
    }
  }
}

}  // namespace

bool SchemaSnapshot::operator==(const SchemaSnapshot& o) const {
  if (dialect != o.dialect || objects.size() != o.objects.size()) return false;
  for (auto a = objects.begin(), b = o.objects.begin(); a != objects.end(); ++a, ++b)
    if (a->first != b->first || a->second.kind != b->second.kind || a->second.name != b->second.name ||
        a->second.attributes != b->second.attributes)
      return false;
  return true;
}

SchemaSnapshot snapshot_schema(Database& db, const SnapshotOptions& options) {
  SchemaSnapshot s;
  s.dialect = db.dialect();
  // One transaction: every catalog query sees the same schema, even while
  // the target is being migrated.
  const bool own_tx = !db.in_transaction();
  if (own_tx) db.begin();
  try {
    if (s.dialect == Dialect::postgresql) {
      // Transaction-local, so the caller's session keeps its own search_path;
      // inside the caller's transaction it is put back afterwards.
      std::string old = db.query_value("SELECT pg_catalog.current_setting('search_path')").value_or("");
      db.query("SELECT pg_catalog.set_config('search_path', 'public', true)");
      snapshot_postgres(db, s, options);
      if (!own_tx) db.query("SELECT pg_catalog.set_config('search_path', " + sql_literal(old) + ", true)");
    } else {
      snapshot_sqlite(db, s, options);
    }
  } catch (...) {
    if (own_tx) db.rollback();
    throw;
  }
  if (own_tx) db.commit();
  return s;
}

nlohmann::json to_json(const SchemaSnapshot& s) {
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& [key, o] : s.objects)
    objects.push_back({{"kind", o.kind}, {"name", o.name}, {"attributes", o.attributes}});
  return {{"dialect", to_string(s.dialect)}, {"objects", objects}};
}

}  // namespace greenlight
