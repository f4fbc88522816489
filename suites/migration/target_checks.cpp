// Status and drift of the target's migrations.
#include "suites/migration/target_checks.h"

#include <chrono>
#include <map>

#include "suites/migration/replay.h"
#include "suites/migration/schema_diff.h"
#include "suites/migration/schema_snapshot.h"

namespace greenlight {

namespace {

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string entry_name(const StatusEntry& e) {
  if (!e.file.empty()) return e.file;
  return "version " + e.version + (e.description.empty() ? "" : " (" + e.description + ")");
}

std::string problem(const StatusEntry& e) {
  switch (e.state) {
    case MigrationState::modified: return entry_name(e) + " was modified after it was applied";
    case MigrationState::missing: return entry_name(e) + " is applied on the target but its file is missing";
    case MigrationState::failed: return entry_name(e) + " failed on the target";
    case MigrationState::out_of_order: return entry_name(e) + " is not applied but is older than applied ones (out of order)";
    default: return "";
  }
}

}  // namespace

std::string format_status(const MigrationStatus& status) {
  std::string out;
  for (const StatusEntry& e : status.entries) {
    std::string state = to_string(e.state);
    state.resize(std::max<size_t>(state.size(), 13), ' ');
    out += state + " " + entry_name(e) + (e.detail.empty() ? "" : "  (" + e.detail + ")") + "\n";
  }
  return out;
}

Check status_check(const MigrationStatus& status, const std::string& target_name) {
  Check c{"status"};
  int pending = 0, applied = 0;
  std::string problems;
  for (const StatusEntry& e : status.entries) {
    pending += e.state == MigrationState::pending;
    applied += e.state == MigrationState::applied || e.state == MigrationState::modified;
    if (std::string p = problem(e); !p.empty()) problems += (problems.empty() ? "" : "; ") + p + (e.detail.empty() ? "" : " (" + e.detail + ")");
  }
  c.figures = {{"applied", double(applied), ""}, {"pending", double(pending), ""}};
  c.evidence.push_back({"status of " + target_name, format_status(status)});
  if (!problems.empty()) {
    c.outcome = Outcome::failed;
    c.message = "the migrations on " + target_name + " do not match the files: " + problems;
  } else if (!status.has_history) {
    c.outcome = Outcome::skipped;
    c.message = "skipped, because " + target_name +
                " has no migration history table: which migrations it has cannot be told";
  }
  return c;
}

Check drift_check(const MigrationSet& set, const MigrationStatus& status, Database& target, ScratchDatabase& scratch) {
  auto start = std::chrono::steady_clock::now();
  Check c{"drift"};
  if (!status.has_history) {
    c.outcome = Outcome::skipped;
    c.message = "skipped, because " + target.name() + " has no migration history table: its version is unknown";
    return c;
  }
  std::map<std::string, const Migration*> by_file, by_version;
  for (const Migration& m : set.migrations) {
    by_file[migration_label(m)] = &m;
    if (!m.repeatable) by_version[m.version] = &m;
  }
  std::vector<const Migration*> applied;
  for (const StatusEntry& e : status.entries) {
    if (e.state == MigrationState::failed) {
      c.outcome = Outcome::skipped;
      c.message = "skipped, because " + entry_name(e) + " failed on the target: its schema is half-way, not at a version";
      return c;
    }
    if (e.state == MigrationState::missing) {
      c.outcome = Outcome::skipped;
      c.message = "skipped, because " + entry_name(e) + " is applied on the target but has no file to replay";
      return c;
    }
    if (e.state != MigrationState::applied && e.state != MigrationState::modified) continue;
    if (auto f = by_file.find(e.file); f != by_file.end()) applied.push_back(f->second);
    else if (auto v = by_version.find(e.version); v != by_version.end()) applied.push_back(v->second);
  }
  try {
    apply_ups(applied, set.convention, scratch);
    SchemaSnapshot expected = snapshot_schema(scratch.db());
    SchemaSnapshot actual = snapshot_schema(target);
    auto changes = diff_schema(expected, actual);
    c.figures.push_back({"differences", double(changes.size()), ""});
    if (!changes.empty()) {
      c.outcome = Outcome::failed;
      std::string what;
      for (size_t i = 0; i < changes.size() && i < 3; ++i) {
        const SchemaChange& ch = changes[i];
        what += (i ? "; " : "") + ch.object +
                (ch.kind == SchemaChange::added     ? " exists on the target but no migration creates it"
                 : ch.kind == SchemaChange::removed ? " is missing on the target"
                                                    : " differs on the target (" + ch.detail + ")");
      }
      if (changes.size() > 3) what += "; and " + std::to_string(changes.size() - 3) + " more";
      c.message = "the schema of " + target.name() + " drifted from its migrations at version " +
                  status.applied_version + ": " + what;
      c.evidence.push_back({"schema diff", format_diff(changes, "migrations replayed", "target")});
    }
  } catch (const std::exception& e) {
    c.outcome = Outcome::error;
    c.message = std::string("cannot compare the target's schema: ") + e.what();
  }
  c.duration_s = since(start);
  return c;
}

}  // namespace greenlight
