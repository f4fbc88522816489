// The lint's driver: splits a part into statements, lets the dialect's
// checks walk them in order (they share what earlier statements created,
// set or validated), then applies suppression comments and severities.
#include "suites/migration/lint.h"

#include <SQLiteCpp/Database.h>

#include <cctype>
#include <set>
#include <sstream>
#include <stdexcept>

#include "suites/migration/lint_internal.h"
#include "suites/migration/transaction_policy.h"

namespace greenlight {

namespace {

using namespace lint_detail;

std::array<int, 3> parse_version(const std::string& v) {
  std::array<int, 3> out{};
  std::istringstream in(v);
  for (size_t i = 0; i < 3; ++i) {
    if (!(in >> out[i])) {
      if (i >= 2) break;  // "3.40" is fine
      throw std::invalid_argument("SQLite version '" + v + "' is not a version like 3.40.1");
    }
    if (in.peek() == '.') in.get();
    else break;
  }
  return out;
}

struct Suppression {
  bool all = false;
  std::set<std::string> rules;
  bool covers(const std::string& rule) const { return all || rules.count(rule) > 0; }
};

// "-- greenlight:ignore a, b" or "/* greenlight:ignore-file a */". No rule
// list silences every rule for that statement (or file).
void read_directive(const std::string& comment, Suppression& statement, Suppression& file) {
  std::string body = comment;
  if (body.rfind("--", 0) == 0) body = body.substr(2);
  else if (body.rfind("/*", 0) == 0) body = body.substr(2, body.size() >= 4 ? body.size() - 4 : 0);
  static const std::string kIgnore = "greenlight:ignore";
  size_t at = body.find(kIgnore);
  if (at == std::string::npos) return;
  std::string rest = body.substr(at + kIgnore.size());
  Suppression* target = &statement;
  if (rest.rfind("-file", 0) == 0) {
    target = &file;
    rest = rest.substr(5);
  } else if (!rest.empty() && !std::isspace(static_cast<unsigned char>(rest[0])) && rest[0] != ':') {
    return;  // e.g. greenlight:ignored
  }
  for (char& c : rest)
    if (c == ',' || c == ':') c = ' ';
  std::istringstream words(rest);
  std::string w;
  bool any = false;
  while (words >> w) {
    target->rules.insert(lower(w));
    any = true;
  }
  if (!any) target->all = true;
}

// Targets of ALTER TABLE ... RENAME TO, known before the walk so that the
// rebuild pattern (DROP TABLE t; ALTER TABLE t_new RENAME TO t) is seen.
std::set<std::string> rename_targets(const std::vector<Statement>& statements, Dialect d) {
  std::set<std::string> out;
  for (const auto& s : statements) {
    Cursor c(s.tokens);
    if (!c.accept({"alter", "table"})) continue;
    c.accept({"if", "exists"});
    c.accept("only");
    if (!c.qualified_name(d)) continue;
    if (c.accept({"rename", "to"}))
      if (auto n = c.qualified_name(d)) out.insert(n->key);
  }
  return out;
}

std::vector<LintFinding> lint_part(const SqlPart& part, Dialect dialect, bool in_transaction,
                                   const LintOptions& options, SchemaFacts& facts, bool is_down) {
  const std::string file = part.file.string();
  std::vector<LintFinding> out;
  auto severity_of = [&](const std::string& rule) {
    auto o = options.severity.find(rule);
    if (o != options.severity.end()) return o->second;
    const LintRule* r = find_rule(rule, dialect);
    return r ? r->default_severity : Severity::error;
  };

  std::vector<Statement> statements;
  std::vector<Token> tokens;
  try {
    tokens = tokenize(part.sql, dialect, part.first_line);
    statements = split_statements(part.sql, dialect, part.first_line);
  } catch (const SqlSyntaxError& e) {
    Severity sev = severity_of("syntax-error");
    if (sev != Severity::off) out.push_back({file, e.line, "syntax-error", sev, e.what()});
    return out;
  }

  Suppression file_wide, unused;
  for (const auto& t : tokens)
    if (t.kind == TokenKind::comment) read_directive(t.text, unused, file_wide);

  PartState st;
  st.dialect = dialect;
  st.in_transaction = in_transaction;
  st.renamed_to = rename_targets(statements, dialect);
  if (dialect == Dialect::sqlite)
    st.sqlite_version = parse_version(options.sqlite_version.empty() ? SQLite::getLibVersion() : options.sqlite_version);

  for (size_t i = 0; i < statements.size(); ++i) {
    st.statement = i;
    st.line = statements[i].line;
    if (dialect == Dialect::postgresql) lint_postgres_statement(statements[i], st, facts);
    else lint_sqlite_statement(statements[i], st, facts);
  }

  for (const auto& f : st.findings) {
    if (is_down) {
      RuleKind kind = rule_kind(f.rule);
      if (kind != RuleKind::lock && kind != RuleKind::fails && kind != RuleKind::syntax) continue;
    }
    if (file_wide.covers(f.rule)) continue;
    Suppression here, ignored;
    for (const auto& c : statements[f.statement].comments) read_directive(c, here, ignored);
    if (here.covers(f.rule)) continue;
    Severity sev = severity_of(f.rule);
    if (sev == Severity::off) continue;
    out.push_back({file, f.line, f.rule, sev, f.message});
  }
  return out;
}

}  // namespace

std::vector<LintFinding> lint_sql(const SqlPart& part, Dialect dialect, bool in_transaction, const LintOptions& options) {
  SchemaFacts facts;
  return lint_part(part, dialect, in_transaction, options, facts, false);
}

std::vector<LintFinding> lint_migrations(const MigrationSet& set, Dialect dialect, const LintOptions& options) {
  std::vector<LintFinding> out;
  // Facts flow through the ups in apply order: a column declared UNIQUE in
  // migration 1 still cannot be dropped by SQLite in migration 7.
  SchemaFacts facts;
  auto transactional = [&](const SqlPart& part) {
    try {
      return runs_in_transaction(part, set.convention, dialect);
    } catch (const SqlSyntaxError&) {
      return true;  // lint_part reports the syntax error itself
    }
  };
  for (const auto& m : set.migrations) {
    auto up = lint_part(m.up, dialect, transactional(m.up), options, facts, false);
    out.insert(out.end(), up.begin(), up.end());
    if (m.down) {
      // A down runs right after its up; what it does is not carried forward.
      SchemaFacts after_up = facts;
      auto down = lint_part(*m.down, dialect, transactional(*m.down), options, after_up, true);
      out.insert(out.end(), down.begin(), down.end());
    }
  }
  return out;
}

}  // namespace greenlight
