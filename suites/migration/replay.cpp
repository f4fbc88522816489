// Fresh apply and up/down/up reversibility on a scratch database.
#include "suites/migration/replay.h"

#include <chrono>

#include "suites/migration/apply.h"
#include "suites/migration/schema_diff.h"
#include "suites/migration/schema_snapshot.h"

namespace greenlight {

namespace {

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// "index items_name_idx is left behind; column items.email is missing" for
// the first few changes, so that the message alone names what is wrong.
std::string describe(const std::vector<SchemaChange>& changes, const std::string& added, const std::string& removed) {
  std::string out;
  const size_t shown = std::min<size_t>(changes.size(), 3);
  for (size_t i = 0; i < shown; ++i) {
    const SchemaChange& c = changes[i];
    if (!out.empty()) out += "; ";
    out += c.object + " ";
    out += c.kind == SchemaChange::added ? added : c.kind == SchemaChange::removed ? removed : "differs (" + c.detail + ")";
  }
  if (changes.size() > shown) out += "; and " + std::to_string(changes.size() - shown) + " more";
  return out;
}

// SQLite's own consistency checks; PostgreSQL enforces the same at DDL time.
std::string sqlite_integrity_problems(Database& db) {
  std::string problems;
  QueryResult integrity = db.query("PRAGMA integrity_check");
  for (const Row& r : integrity.rows)
    if (r.at(0).value_or("") != "ok") problems += "integrity_check: " + r.at(0).value_or("") + "\n";
  QueryResult fk = db.query("PRAGMA foreign_key_check");
  for (const Row& r : fk.rows)
    problems += "foreign_key_check: row " + r.at(1).value_or("?") + " of " + r.at(0).value_or("?") +
                " references a missing row in " + r.at(2).value_or("?") + "\n";
  return problems;
}

Check schema_check(const MigrationSet& set, ScratchDatabase& scratch) {
  auto start = std::chrono::steady_clock::now();
  Check c{"schema after all migrations"};
  try {
    SchemaSnapshot s = snapshot_schema(scratch.db());
    int tables = 0, indexes = 0;
    for (const auto& [key, o] : s.objects) tables += o.kind == "table", indexes += o.kind == "index";
    c.figures = {{"tables", double(tables), ""}, {"indexes", double(indexes), ""}};
    c.evidence.push_back({"schema", trim_evidence(to_json(s).dump(1), 16384)});
    if (scratch.db().dialect() == Dialect::sqlite) {
      if (std::string p = sqlite_integrity_problems(scratch.db()); !p.empty()) {
        c.outcome = Outcome::failed;
        c.message = "the database is inconsistent after all migrations of " + set.dir.string() + ":\n" + p;
      }
    }
  } catch (const std::exception& e) {
    c.outcome = Outcome::error;
    c.message = std::string("cannot read the schema of the scratch database: ") + e.what();
  }
  c.duration_s = since(start);
  return c;
}

// Up, down, up for migration `m`, whose up has just been applied and left
// the schema `after_up`; `before_up` is the schema before it. Leaves the
// scratch at "after up" when it passes.
Check reverse_check(const Migration& m, Convention conv, ScratchDatabase& scratch, const SchemaSnapshot& before_up,
                    const SchemaSnapshot& after_up) {
  const std::string label = migration_label(m);
  Check c{"reverse " + label};
  if (m.irreversible) return skipped_check(c.name, label + " is declared irreversible (its down is empty or it says greenlight:irreversible): nothing to reverse");
  if (!m.down)
    return skipped_check(c.name, label + " has no down migration" +
                               (conv == Convention::plain ? " (plain SQL files have none)" : "") +
                               ": reversibility was not checked");
  auto start = std::chrono::steady_clock::now();
  const std::string down = m.down->file.filename().string() + (m.down->file == m.up.file ? " (down section)" : "");
  try {
    apply_part(scratch.db(), *m.down, conv);
    SchemaSnapshot after_down = snapshot_schema(scratch.db());
    auto left = diff_schema(before_up, after_down);
    if (!left.empty()) {
      c.outcome = Outcome::failed;
      c.message = down + " does not reverse " + label + ": after up and down, " +
                  describe(left, "is left behind (the down does not remove it)",
                           "is missing (it existed before the up)");
      c.evidence.push_back({"schema diff", format_diff(left, "before up", "after up, down")});
    }
    apply_part(scratch.db(), m.up, conv);
    auto again = diff_schema(after_up, snapshot_schema(scratch.db()));
    if (!again.empty() && c.outcome == Outcome::passed) {
      c.outcome = Outcome::failed;
      c.message = label + " gives a different schema the second time (after up, down, up): " +
                  describe(again, "appears only the second time", "is missing the second time");
      c.evidence.push_back({"schema diff", format_diff(again, "after first up", "after up, down, up")});
    }
  } catch (const MigrationError& e) {
    const std::string found_before = c.message;  // a diff may already have been found
    c.outcome = Outcome::failed;
    c.message = (found_before.empty() ? "" : found_before + "; then ") + "up, down, up of " + label +
                " failed: " + e.what();
  }
  c.figures.push_back({"duration", since(start) * 1000, "ms"});
  c.duration_s = since(start);
  return c;
}

}  // namespace

std::string migration_label(const Migration& m) { return m.up.file.filename().string(); }

void apply_ups(const std::vector<const Migration*>& migrations, Convention convention, ScratchDatabase& scratch) {
  scratch.recreate();
  for (const Migration* m : migrations) apply_part(scratch.db(), m->up, convention);
}

std::vector<Check> replay_migrations(const MigrationSet& set, ScratchDatabase& scratch, const ReplayOptions& options) {
  std::vector<Check> applies, reverses;
  scratch.recreate();
  std::string stopped;  // why the remaining migrations are not applied
  std::vector<const Migration*> done;
  for (size_t i = 0; i < set.migrations.size(); ++i) {
    const Migration& m = set.migrations[i];
    const std::string label = migration_label(m);
    if (stopped.empty() && options.cancelled && options.cancelled()) stopped = "the run was interrupted";
    if (!stopped.empty()) {
      applies.push_back(skipped_check("apply " + label, stopped));
      if (options.reverse) reverses.push_back(skipped_check("reverse " + label, stopped));
      continue;
    }
    if (options.progress)
      options.progress("applying " + std::to_string(i + 1) + "/" + std::to_string(set.migrations.size()) + " " + label);
    Check apply{"apply " + label};
    SchemaSnapshot before;
    try {
      if (options.reverse) before = snapshot_schema(scratch.db());
      ApplyResult r = apply_part(scratch.db(), m.up, set.convention);
      apply.duration_s = r.seconds;
      apply.figures = {{"duration", r.seconds * 1000, "ms"}, {"statements", double(r.statements), ""}};
      if (!r.in_transaction) apply.evidence.push_back({"note", "applied outside a transaction"});
    } catch (const MigrationError& e) {
      apply.outcome = Outcome::failed;
      apply.message = e.what();
      stopped = label + " failed to apply";
    } catch (const std::exception& e) {
      apply.outcome = Outcome::error;
      apply.message = std::string("cannot apply ") + label + ": " + e.what();
      stopped = label + " could not be applied";
    }
    const bool applied = apply.outcome == Outcome::passed;
    applies.push_back(std::move(apply));
    if (!applied) {
      if (options.reverse) reverses.push_back(skipped_check("reverse " + label, label + " failed to apply"));
      continue;
    }
    done.push_back(&m);
    if (!options.reverse) continue;
    try {
      SchemaSnapshot after = snapshot_schema(scratch.db());
      Check rc = reverse_check(m, set.convention, scratch, before, after);
      const bool reversed = rc.outcome != Outcome::failed;
      reverses.push_back(std::move(rc));
      // A failed reversal leaves the scratch somewhere in between: rebuild it
      // from the ups that passed, so the next migrations are judged fairly.
      if (!reversed) apply_ups(done, set.convention, scratch);
    } catch (const std::exception& e) {
      reverses.push_back({"reverse " + label, Outcome::error, std::string("cannot check ") + label + ": " + e.what()});
      stopped = "the scratch database could not be rebuilt after " + label;
    }
  }
  std::vector<Check> out = std::move(applies);
  out.insert(out.end(), std::make_move_iterator(reverses.begin()), std::make_move_iterator(reverses.end()));
  if (stopped.empty()) out.push_back(schema_check(set, scratch));
  else out.push_back(skipped_check("schema after all migrations", stopped));
  return out;
}

}  // namespace greenlight
