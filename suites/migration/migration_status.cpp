// Puts every migration file beside the target's history, per tool:
//  - Flyway keeps a row per run with a checksum, so greenlight judges the way
//    `flyway validate` does (modified, failed, missing, out of order, and
//    repeatables re-applied when their checksum changes).
//  - golang-migrate keeps one version and a dirty flag: everything up to it
//    counts as applied because the tool itself cannot tell otherwise.
//  - dbmate keeps the set of applied versions, and no checksum.
// For the two without checksums the ledger supplies one: the first time a
// version is seen applied its file's SHA-256 is recorded, later runs compare.
// Plain files keep no history at all, and the status says so instead of
// guessing.
#include "suites/migration/migration_status.h"

#include <algorithm>
#include <map>

namespace greenlight {

namespace {

std::string file_name(const Migration& m) { return m.up.file.filename().string(); }

std::string short_hash(const std::string& sha) { return sha.substr(0, 12); }

const char* history_table_name(Convention c) {
  return c == Convention::flyway ? "flyway_schema_history" : "schema_migrations";
}

StatusEntry entry_for(const Migration& m, MigrationState state, std::string detail) {
  return StatusEntry{m.version, m.description, file_name(m), state, std::move(detail)};
}

// An applied file of a tool without checksums: compared with the ledger's
// first sighting, or recorded as that sighting now.
StatusEntry check_ledger(const Migration& m, Ledger* ledger, const std::string& target_id, std::string detail) {
  auto with = [&](std::string more) { return detail.empty() ? more : detail + "; " + more; };
  if (!ledger) return entry_for(m, MigrationState::applied, with("edits to applied files cannot be detected: no ledger"));
  std::optional<LedgerEntry> seen = ledger->find(target_id, m.version);
  if (!seen) {
    ledger->record_if_absent(target_id, m.version, LedgerEntry{m.sha256, file_name(m), ""});
    return entry_for(m, MigrationState::applied,
                     with("checksum recorded now (first sighting): later edits of " + file_name(m) + " will be detected"));
  }
  if (seen->sha256 == m.sha256)
    return entry_for(m, MigrationState::applied, with("unchanged since first seen applied on " + seen->first_seen));
  return entry_for(m, MigrationState::modified,
                   file_name(m) + " changed after it was applied: sha256 " + short_hash(seen->sha256) +
                       "… when first seen applied on " + seen->first_seen + " (as " + seen->file + "), " +
                       short_hash(m.sha256) + "… now");
}

void sort_entries(std::vector<StatusEntry>& entries, Convention c) {
  std::stable_sort(entries.begin(), entries.end(), [c](const StatusEntry& a, const StatusEntry& b) {
    // Flyway repeatables (no version) come after all versioned migrations.
    if (a.version.empty() != b.version.empty()) return b.version.empty();
    if (a.version.empty()) return a.description < b.description;
    return compare_versions(c, a.version, b.version) < 0;
  });
}

bool is_undo(const std::string& type) { return type.rfind("UNDO_", 0) == 0; }
bool is_baseline(const std::string& type) { return type == "BASELINE" || type.find("_BASELINE") != std::string::npos; }

MigrationStatus flyway_status(const MigrationSet& set, const TargetHistory& h) {
  MigrationStatus st;
  const Convention c = Convention::flyway;
  // The latest row per version (a re-run after `repair` supersedes a failed
  // one; an undo takes the version back out), and per repeatable description.
  std::vector<AppliedMigration> versioned;
  std::map<std::string, AppliedMigration> repeatable;
  std::optional<std::string> baseline;
  auto find_versioned = [&](const std::string& v) {
    return std::find_if(versioned.begin(), versioned.end(),
                        [&](const AppliedMigration& a) { return compare_versions(c, a.version, v) == 0; });
  };
  for (const AppliedMigration& a : h.applied) {
    if (a.type == "SCHEMA") continue;  // Flyway creating the schema, no migration
    if (a.version.empty()) {
      if (a.type != "DELETE") repeatable[a.description] = a;
      else repeatable.erase(a.description);
      continue;
    }
    if (is_baseline(a.type)) {
      baseline = a.version;
      continue;
    }
    auto it = find_versioned(a.version);
    if (is_undo(a.type) || a.type == "DELETE") {
      if (it != versioned.end() && a.success) versioned.erase(it);
      continue;
    }
    if (it != versioned.end())
      *it = a;
    else
      versioned.push_back(a);
  }
  std::optional<std::string> highest;  // of everything recorded, failed runs included: they were attempted in order
  for (const AppliedMigration& a : versioned)
    if (!highest || compare_versions(c, a.version, *highest) > 0) highest = a.version;
  for (const AppliedMigration& a : versioned)
    if (a.success && (st.applied_version.empty() || compare_versions(c, a.version, st.applied_version) > 0))
      st.applied_version = a.version;
  if (st.applied_version.empty() && baseline) st.applied_version = *baseline;

  std::vector<bool> matched(versioned.size(), false);
  std::map<std::string, bool> repeatable_matched;
  for (const Migration& m : set.migrations) {
    if (m.repeatable) {
      auto it = repeatable.find(m.description);
      if (it == repeatable.end()) {
        st.entries.push_back(entry_for(m, MigrationState::pending, "not applied yet"));
        continue;
      }
      repeatable_matched[m.description] = true;
      const AppliedMigration& a = it->second;
      if (!a.success)
        st.entries.push_back(entry_for(m, MigrationState::failed,
                                       "Flyway recorded its last run as failed (success=false" +
                                           (a.installed_on.empty() ? std::string() : ", " + a.installed_on) +
                                           "); fix it, then run `flyway repair`"));
      else if (a.checksum && *a.checksum != m.flyway_checksum)
        st.entries.push_back(entry_for(m, MigrationState::pending,
                                       "changed since last applied, will be re-applied (checksum " +
                                           std::to_string(*a.checksum) + " on the target, " +
                                           std::to_string(m.flyway_checksum) + " in the file)"));
      else
        st.entries.push_back(entry_for(m, MigrationState::applied, "latest version applied"));
      continue;
    }
    auto it = find_versioned(m.version);
    if (it != versioned.end()) {
      matched[static_cast<size_t>(it - versioned.begin())] = true;
      const AppliedMigration& a = *it;
      if (!a.success)
        st.entries.push_back(entry_for(m, MigrationState::failed,
                                       "Flyway recorded it as failed (success=false" +
                                           (a.installed_on.empty() ? std::string() : ", " + a.installed_on) +
                                           "); Flyway refuses to migrate until it is fixed and `flyway repair` run"));
      else if (a.checksum && *a.checksum != m.flyway_checksum)
        st.entries.push_back(entry_for(m, MigrationState::modified,
                                       "checksum " + std::to_string(*a.checksum) + " on the target, " +
                                           std::to_string(m.flyway_checksum) + " in the file: " + file_name(m) +
                                           " was edited after it was applied"));
      else
        st.entries.push_back(entry_for(m, MigrationState::applied, a.installed_on.empty() ? "" : "applied " + a.installed_on));
    } else if (baseline && compare_versions(c, m.version, *baseline) <= 0) {
      st.entries.push_back(entry_for(m, MigrationState::applied,
                                     "at or below the baseline version " + *baseline + ": Flyway never runs it here"));
    } else if (highest && compare_versions(c, m.version, *highest) < 0) {
      st.entries.push_back(entry_for(m, MigrationState::out_of_order,
                                     "not applied, but older than " + *highest +
                                         ", which is: `flyway validate` fails (outOfOrder is off by default), and with "
                                         "outOfOrder on it would run after newer migrations"));
    } else {
      st.entries.push_back(entry_for(m, MigrationState::pending, ""));
    }
  }
  for (size_t i = 0; i < versioned.size(); ++i) {
    if (matched[i]) continue;
    const AppliedMigration& a = versioned[i];
    st.entries.push_back(StatusEntry{a.version, a.description, "", a.success ? MigrationState::missing : MigrationState::failed,
                                     "applied on the target (" + a.script + ") but no file has this version" +
                                         (a.type.find("JDBC") != std::string::npos
                                              ? std::string(" (a Java migration: greenlight reads only .sql files)")
                                              : std::string()) +
                                         (a.success ? std::string() : ", and its run failed (success=false)")});
  }
  for (const auto& [description, a] : repeatable) {
    if (repeatable_matched.count(description)) continue;
    st.entries.push_back(StatusEntry{"", description, "", MigrationState::missing,
                                     "repeatable applied on the target (" + a.script + ") but no file has this description"});
  }
  sort_entries(st.entries, c);
  return st;
}

MigrationStatus golang_status(const MigrationSet& set, const TargetHistory& h, Ledger* ledger, const std::string& target) {
  MigrationStatus st;
  const Convention c = Convention::golang_migrate;
  const std::optional<std::string>& current = h.current_version;
  if (current) st.applied_version = *current;
  bool current_has_file = false;
  for (const Migration& m : set.migrations) {
    int cmp = current ? compare_versions(c, m.version, *current) : 1;
    if (cmp > 0) {
      st.entries.push_back(entry_for(m, MigrationState::pending, ""));
    } else if (cmp == 0) {
      current_has_file = true;
      if (h.dirty)
        st.entries.push_back(entry_for(m, MigrationState::failed,
                                       "dirty: the last migration failed halfway; golang-migrate refuses to run until "
                                       "`migrate force` (fix the schema by hand first)"));
      else
        st.entries.push_back(check_ledger(m, ledger, target, "the current version"));
    } else {
      st.entries.push_back(check_ledger(
          m, ledger, target,
          "assumed applied: golang-migrate keeps only the current version (" + *current +
              ") and cannot tell whether an older one was skipped"));
    }
  }
  if (current && !current_has_file) {
    if (h.dirty)
      st.entries.push_back(StatusEntry{*current, "", "", MigrationState::failed,
                                       "dirty at version " + *current +
                                           ", and no file has this version: the last migration failed halfway; "
                                           "golang-migrate refuses to run until `migrate force`"});
    else
      st.entries.push_back(StatusEntry{*current, "", "", MigrationState::missing,
                                       "schema_migrations says version " + *current + ", but no file has this version"});
  }
  if (!current && h.dirty)  // version -1, dirty: a down of the first migration failed
    st.entries.push_back(StatusEntry{"-1", "", "", MigrationState::failed,
                                     "dirty at version -1: a down migration of the first version failed halfway; "
                                     "golang-migrate refuses to run until `migrate force`"});
  sort_entries(st.entries, c);
  return st;
}

MigrationStatus dbmate_status(const MigrationSet& set, const TargetHistory& h, Ledger* ledger, const std::string& target) {
  MigrationStatus st;
  const Convention c = Convention::dbmate;
  std::map<std::string, bool> applied;  // dbmate compares versions as text
  for (const AppliedMigration& a : h.applied) {
    applied[a.version] = false;
    if (st.applied_version.empty() || compare_versions(c, a.version, st.applied_version) > 0) st.applied_version = a.version;
  }
  for (const Migration& m : set.migrations) {
    auto it = applied.find(m.version);
    if (it != applied.end()) {
      it->second = true;
      st.entries.push_back(check_ledger(m, ledger, target, ""));
    } else if (!st.applied_version.empty() && compare_versions(c, m.version, st.applied_version) < 0) {
      st.entries.push_back(entry_for(m, MigrationState::out_of_order,
                                     "not applied, but older than " + st.applied_version +
                                         ", which is: `dbmate up` would run it after newer migrations (and refuses "
                                         "with --strict)"));
    } else {
      st.entries.push_back(entry_for(m, MigrationState::pending, ""));
    }
  }
  for (const auto& [version, has_file] : applied)
    if (!has_file)
      st.entries.push_back(StatusEntry{version, "", "", MigrationState::missing,
                                       "schema_migrations lists version " + version + ", but no file has this version"});
  sort_entries(st.entries, c);
  return st;
}

}  // namespace

const char* to_string(MigrationState s) {
  switch (s) {
    case MigrationState::applied: return "applied";
    case MigrationState::pending: return "pending";
    case MigrationState::out_of_order: return "out of order";
    case MigrationState::modified: return "modified";
    case MigrationState::missing: return "missing";
    case MigrationState::failed: return "failed";
  }
  return "unknown";
}

bool MigrationStatus::ok() const {
  return std::none_of(entries.begin(), entries.end(), [](const StatusEntry& e) {
    return e.state == MigrationState::modified || e.state == MigrationState::missing ||
           e.state == MigrationState::failed || e.state == MigrationState::out_of_order;
  });
}

MigrationStatus compute_status(const MigrationSet& set, const TargetHistory& history, Ledger* ledger,
                               const std::string& target_id) {
  MigrationStatus st;
  switch (set.convention) {
    case Convention::flyway: st = flyway_status(set, history); break;
    case Convention::golang_migrate: st = golang_status(set, history, ledger, target_id); break;
    case Convention::dbmate: st = dbmate_status(set, history, ledger, target_id); break;
    case Convention::plain:
      for (const Migration& m : set.migrations)
        st.entries.push_back(entry_for(m, MigrationState::pending,
                                       "plain files keep no history table: greenlight cannot tell whether this file "
                                       "was applied"));
      return st;
  }
  st.has_history = !history.table.empty();
  if (!st.has_history)
    for (StatusEntry& e : st.entries)
      if (e.detail.empty())
        e.detail = std::string("the target has no ") + history_table_name(set.convention) + " table: nothing applied yet";
  return st;
}

}  // namespace greenlight
