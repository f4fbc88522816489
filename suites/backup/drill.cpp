// One restore drill, step by step, every step a check with its timing. A step
// that fails stops the steps that depend on it, which are reported skipped
// with the reason; the history records every drill, passed or not.
// Reading whole databases is most of a drill's time, so it runs side by side
// with the other steps where they touch different databases: the source is
// read beside the backup and the restore, and the restored copy beside the
// end of the source's read; a restored SQLite copy is read over two
// connections (rowid ranges) with its integrity check on a third. The
// built-in SQLite restore is a file copy in the kernel, and the artifact's
// SHA-256 is computed on a thread beside it and the verification
// (bench/backup_drill.sh, docs/benchmarks.md).
// The built-in SQLite drill first tries the page-image proof
// (sqlite_image.h): a second read of the source through the backup API,
// compared page by page with the restored copy, which costs a fraction of
// decoding and hashing every row on both sides. Only when the images
// differ (a source written meanwhile) are the rows read and compared.
#include "suites/backup/drill.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <random>
#include <set>

#include "harness/database.h"
#include "harness/redactor.h"
#include "harness/target_database.h"
#include "harness/timestamp.h"
#include "suites/backup/artifact.h"
#include "suites/backup/sqlite_image.h"
#include "suites/migration/schema_diff.h"
#include "suites/migration/schema_snapshot.h"

namespace greenlight {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// "2026-11-21 10:00:00", "2026-11-21T10:00:00.123Z", "2026-11-21 10:00:00+00",
// or seconds since the epoch. Offsets other than UTC are applied.
std::optional<std::time_t> parse_timestamp(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) return std::time_t(std::stod(text));
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d%*c%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &consumed) < 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t t = timegm(&tm);
  size_t i = consumed;
  if (i < text.size() && text[i] == '.')
    while (++i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    }
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int hours = 0, minutes = 0;
    std::sscanf(text.c_str() + i + 1, "%2d:%2d", &hours, &minutes);
    t -= (hours * 3600 + minutes * 60) * (text[i] == '+' ? 1 : -1);
  }
  return t;
}

std::string temp_work_dir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("greenlight-drill-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string artifact_name(const DrillSpec& s) {
  if (!s.methods.backup_cmd.empty()) return "backup.artifact";
  return dialect_of(s.source) == Dialect::sqlite ? "backup.db" : "backup.dump";
}

// What the restored copy must equal: the source's schema and digest, read
// as close as possible to the backup (one consistent snapshot).
struct SourceRead {
  SchemaSnapshot schema;
  DatabaseDigest digest;
  std::string error;  // empty when read
  double seconds = 0;
  double bytes = 0;      // read, for the throughput figure
  std::string compared;  // how the copy was compared with it, for evidence
};

// Runs on a thread of its own beside the backup, the artifact check and the
// restore (they touch other databases and files), with a connection of its
// own that no other thread uses. `abort` stops it between rows.
SourceRead read_source(const DrillSpec& spec, const std::atomic<bool>* abort) {
  SourceRead r;
  auto start = Clock::now();
  try {
    auto db = open_database(spec.source, Access::read_only);
    r.schema = snapshot_schema(*db);
    DigestOptions options = spec.digest;
    options.cancel = abort;
    r.digest = digest_database(*db, options);
    for (const auto& [name, t] : r.digest.tables) r.bytes += double(t.bytes);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.seconds = since(start);
  return r;
}

// SQLite integrity and foreign keys of the restored copy, through a
// read-only connection of its own, so that it runs beside the digest of the
// same file: the two are most of the verification time of a big SQLite
// database, and each keeps one core busy.
std::vector<std::string> integrity_problems(const std::string& scratch_dsn) {
  try {
    auto db = open_database(scratch_dsn, Access::read_only);
    return sqlite_integrity(*db);
  } catch (const std::exception& e) {
    return {std::string("integrity_check could not run: ") + e.what()};
  }
}

// The restored copy's side of the comparison, read before the source's
// side is awaited: whichever finishes first, no core waits for the other.
struct RestoredRead {
  SchemaSnapshot schema;
  DatabaseDigest digest;
  std::string error;  // empty when read
  std::future<std::vector<std::string>> integrity;  // SQLite: integrity_problems on its thread
};

class Drill {
 public:
  Drill(const DrillSpec& spec, const std::function<void(const std::string&)>& progress)
      : spec_(spec), progress_(progress) {}

  DrillOutcome run() {
    record_.started_at = iso8601_utc();
    record_.source = redact_dsn(spec_.source);
    // Reading the source (a full scan of every table, most of the drill's
    // time) runs on a thread of its own from the start, beside the backup,
    // the artifact check and the restore, which use other connections and
    // files, instead of after them. Side by side with the backup it is also
    // the read closest to the backup's own.
    // Where the page images may prove the copy equal, the rows are read only
    // if they do not (restored_is_source_image).
    image_path_ = !spec_.compare_rows && dialect_of(spec_.source) == Dialect::sqlite && spec_.artifact.empty() &&
                  spec_.methods.backup_cmd.empty() && spec_.methods.restore_cmd.empty();
    if (!interrupted() && !image_path_) start_source_read();
    std::filesystem::path artifact = spec_.artifact;
    std::string work;
    if (artifact.empty()) {
      work = spec_.work_dir.empty() ? temp_work_dir() : spec_.work_dir.string();
      artifact = std::filesystem::path(work) / artifact_name(spec_);
      if (step("backup")) take(artifact);
    }
    record_.artifact = artifact.string();
    if (step("artifact")) inspect(artifact);
    if (stopped_.empty() && !interrupted()) {
      restore(artifact);  // reports "source" too, when its thread is done
    } else {
      abort_source_ = true;  // nothing will be compared with it
      if (source_read_.valid()) source_read_.wait();
      step("source");  // both reported skipped with the reason
      step("restore");
    }
    finish();
    if (spec_.artifact.empty() && spec_.work_dir.empty() && !work.empty()) {
      std::error_code ec;  // a temp folder that cannot be removed is not worth failing a drill over
      std::filesystem::remove_all(work, ec);
    }
    return {std::move(checks_), record_};
  }

 private:
  const DrillSpec& spec_;
  const std::function<void(const std::string&)>& progress_;
  std::vector<Check> checks_;
  DrillRecord record_;
  std::string stopped_;  // why the remaining steps do not run
  // Declared in this order so that the future (whose destructor joins the
  // thread) goes before the flag the thread reads.
  std::atomic<bool> abort_source_{false};  // stops that thread: not needed, or Ctrl-C
  std::future<SourceRead> source_read_;    // read_source on its thread until take_source()
  DatabaseDigest source_digest_;
  SchemaSnapshot source_schema_;
  double throughput_bytes_ = 0;
  bool artifact_deferred_ = false;  // SHA-256 hashed beside the restore, pages checked on the copy
  ArtifactInfo artifact_info_;       // when deferred
  size_t artifact_check_ = 0;        // index of the "artifact" check in checks_, when deferred
  bool image_path_ = false;          // built-in SQLite backup and restore: try the page-image proof first
  bool image_identical_ = false;     // it proved the restored copy equal to the source
  std::string image_difference_;     // why it did not, when tried

  void start_source_read() { source_read_ = std::async(std::launch::async, read_source, std::cref(spec_), &abort_source_); }

  bool interrupted() const { return spec_.methods.cancel && spec_.methods.cancel->load(); }

  bool step(const std::string& name) {
    if (stopped_.empty() && spec_.methods.cancel && spec_.methods.cancel->load()) stopped_ = "the run was interrupted";
    if (!stopped_.empty()) {
      checks_.push_back(skipped_check(name, stopped_));
      return false;
    }
    if (progress_) progress_("backup drill: " + name);
    return true;
  }

  void fail(Check c, const std::string& message, const std::string& stop_reason) {
    c.outcome = Outcome::failed;
    c.message = message;
    // A step that failed because Ctrl-C stopped its command did not find
    // anything wrong: it was not judged.
    if (spec_.methods.cancel && spec_.methods.cancel->load()) {
      c = skipped_check(c.name, "the run was interrupted during this step (" + message + ")");
      checks_.push_back(std::move(c));
      stopped_ = "the run was interrupted";
      return;
    }
    checks_.push_back(std::move(c));
    stopped_ = stop_reason;
  }

  void take(const std::filesystem::path& artifact) {
    Check c{"backup"};
    try {
      BackupOptions methods = spec_.methods;
      methods.throwaway_artifact = spec_.work_dir.empty();  // a temporary folder, removed after the drill
      StepResult r = take_backup(spec_.source, artifact, methods);
      record_.backup_s = c.duration_s = r.seconds;
      c.figures = {{"backup_duration", r.seconds, "s"}};
      if (!r.command.empty()) c.evidence.push_back({"command", r.command});
      if (!r.output.empty()) c.evidence.push_back({"output", trim_evidence(r.output)});
      checks_.push_back(std::move(c));
    } catch (const std::exception& e) {
      fail(std::move(c), std::string("the backup of ") + redact_dsn(spec_.source) + " failed: " + e.what(),
           "the backup failed");
    }
  }

  static std::string artifact_evidence(const ArtifactInfo& info, const std::string& sha256) {
    return info.path.string() + "\nformat: " + to_string(info.format) + (info.gzip ? " (gzip)" : "") +
           "\nsha256: " + sha256 + "\nbytes: " + std::to_string(info.size_bytes);
  }

  // The built-in SQLite restore copies the file, whose pages the integrity
  // check of the copy reads, so the artifact step reads its head only
  // (InspectDepth::before_copy); the SHA-256, computed beside the restore,
  // is added to this step's evidence when done.
  void inspect(const std::filesystem::path& artifact) {
    auto start = Clock::now();
    Check c{"artifact"};
    const bool copy = spec_.methods.restore_cmd.empty() && dialect_of(spec_.source) == Dialect::sqlite;
    ArtifactInfo info = inspect_artifact(artifact, copy ? InspectDepth::before_copy : InspectDepth::full);
    artifact_deferred_ = info.deferred;
    record_.artifact_sha256 = info.sha256;
    record_.size_bytes = double(info.size_bytes);
    c.figures = {{"size", double(info.size_bytes), "bytes"}};
    if (info.deferred) {
      artifact_info_ = info;
      artifact_check_ = checks_.size();
    }
    c.evidence.push_back(
        {"artifact", artifact_evidence(info, info.deferred ? "(computed beside the restore)" : info.sha256)});
    c.duration_s = since(start);
    // A team's own restore command may read a format greenlight does not
    // know; what greenlight can still judge is that the file is there and whole.
    std::vector<std::string> problems;
    for (const std::string& p : info.problems)
      if (!(info.format == ArtifactFormat::unknown && !spec_.methods.restore_cmd.empty() && info.size_bytes > 0))
        problems.push_back(p);
    if (!problems.empty()) {
      std::string all;
      for (const std::string& p : problems) all += (all.empty() ? "" : "; ") + p;
      return fail(std::move(c), "the backup artifact " + artifact.filename().string() + " is not intact: " + all,
                  "the artifact is not intact");
    }
    checks_.push_back(std::move(c));
  }

  // Waits for the source read and reports it as the "source" step.
  bool take_source() {
    if (!source_read_.valid()) {  // the page-image path, stopped before it looked at the source
      checks_.push_back(skipped_check("source", interrupted()     ? "the run was interrupted"
                                                : stopped_.empty() ? "not read: the restore or the restored copy's read failed before the comparison"
                                                                   : stopped_));
      return false;
    }
    // The digest looks at abort_source_ only: pass a Ctrl-C on while waiting.
    while (source_read_.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      if (interrupted()) abort_source_ = true;
    SourceRead r = source_read_.get();
    if (!r.error.empty()) {
      fail({"source"}, "cannot read the source to compare with: " + r.error, "the source could not be read");
      return false;
    }
    source_schema_ = std::move(r.schema);
    source_digest_ = std::move(r.digest);
    throughput_bytes_ = r.bytes;
    Check c{"source"};
    c.duration_s = r.seconds;
    c.figures = {{"tables", double(source_digest_.tables.size()), ""}};
    if (!r.compared.empty()) c.evidence.push_back({"compared", r.compared});
    else if (!image_difference_.empty())
      c.evidence.push_back({"compared", "row by row: the page images differ (" + image_difference_ + ")"});
    checks_.push_back(std::move(c));
    return true;
  }

  // Runs while read_source() does; reports "source" when both are done,
  // then "restore" (so the report keeps the order of the steps), then
  // verifies.
  void restore(const std::filesystem::path& artifact) {
    if (progress_) progress_("backup drill: restore");
    std::unique_ptr<ScratchDatabase> scratch;
    Check c{"restore"};
    std::string failure, stop_reason;
    auto restore_start = Clock::now();
    // The artifact's SHA-256, read from the page cache beside the copy and
    // the verification rather than before them.
    std::future<std::string> sha256;
    if (artifact_deferred_) sha256 = std::async(std::launch::async, file_sha256, artifact, spec_.methods.cancel);
    try {
      std::string server = spec_.scratch.empty() && dialect_of(spec_.source) == Dialect::sqlite ? "sqlite://" : spec_.scratch;
      if (server.empty()) throw std::runtime_error("no scratch server given to restore into (--scratch postgresql://user@host/postgres)");
      scratch = std::make_unique<ScratchDatabase>(server, spec_.source);
    } catch (const std::exception& e) {
      failure = std::string("cannot create the scratch database: ") + e.what();
      stop_reason = "there is no scratch database";
    }
    if (scratch) {
      restore_start = Clock::now();
      try {
        scratch->close();
        BackupOptions methods = spec_.methods;
        methods.sqlite_copy_file = artifact_deferred_;
        StepResult r = restore_backup(artifact, scratch->dsn(), methods);
        record_.restore_s = c.duration_s = r.seconds;
        c.figures = {{"restore_duration", r.seconds, "s"}};
        if (!r.command.empty()) c.evidence.push_back({"command", r.command});
        if (!r.output.empty()) c.evidence.push_back({"output", trim_evidence(r.output)});
      } catch (const std::exception& e) {
        failure = std::string("the restore into ") + scratch->name() + " failed: " + e.what();
        stop_reason = "the restore failed";
      }
    }
    // The restored copy is read while the source's read may still run.
    // (Declared after `scratch`: its integrity thread is joined before the
    // scratch file is removed.)
    RestoredRead restored;
    const auto verify_start = Clock::now();
    if (failure.empty() && !interrupted()) restored = read_restored(*scratch);
    if (sha256.valid()) hashed(sha256);
    take_source();
    if (!failure.empty()) return fail(std::move(c), failure, stop_reason);
    checks_.push_back(std::move(c));
    if (step("schema")) verify(*scratch, restored, verify_start, restore_start);
  }

  void hashed(std::future<std::string>& sha256) {
    std::string text;
    try {
      record_.artifact_sha256 = sha256.get();
      text = record_.artifact_sha256;
    } catch (const std::exception& e) {
      text = std::string("not computed: ") + e.what();
    }
    for (Evidence& e : checks_.at(artifact_check_).evidence)
      if (e.label == "artifact") e.text = artifact_evidence(artifact_info_, text);
  }

  // The restored copy's schema and digest; SQLite: read over two connections
  // (rowid ranges of big tables; nothing writes to the copy), with
  // integrity_check on a third beside them.
  RestoredRead read_restored(ScratchDatabase& scratch) {
    RestoredRead r;
    try {
      Database& db = scratch.db();
      if (db.dialect() == Dialect::sqlite) r.integrity = std::async(std::launch::async, integrity_problems, scratch.dsn());
      if (image_path_ && restored_is_source_image(scratch, r)) return r;
      r.schema = snapshot_schema(db);
      DigestOptions options = spec_.digest;
      options.cancel = spec_.methods.cancel;
      if (db.dialect() == Dialect::sqlite) {
        auto second = open_database(scratch.dsn(), Access::read_only);
        r.digest = digest_database(db, {second.get()}, options);
      } else {
        r.digest = digest_database(db, options);
      }
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  }

  // The page-image proof, beside the copy's integrity check: the source read
  // once more through the backup API and compared page by page with the
  // restored copy, while the copy's schema and row counts are read (which,
  // when the images match, are the source's too). When they differ, the
  // source's rows are read from now on its thread and the caller reads the
  // copy's.
  bool restored_is_source_image(ScratchDatabase& scratch, RestoredRead& r) {
    const auto start = Clock::now();
    const std::string source = sqlite_path(spec_.source), copy = sqlite_path(scratch.dsn());
    auto image = std::async(std::launch::async, compare_sqlite_image, source, copy, spec_.methods.cancel);
    Database& db = scratch.db();
    DigestOptions counts = spec_.digest;
    counts.count_only = true;
    counts.cancel = spec_.methods.cancel;
    r.schema = snapshot_schema(db);
    r.digest = digest_database(db, counts);
    try {
      ImageComparison c = image.get();
      if (c.identical) {
        SourceRead s;
        s.schema = r.schema;
        s.digest = r.digest;
        s.seconds = since(start);
        s.bytes = double(c.pages) * c.page_size;
        s.compared = "page by page: the restored copy is the image of the source as the backup API reads it now (" +
                     std::to_string(c.pages) + " pages of " + std::to_string(c.page_size) +
                     " bytes; the header's change counters and journal mode aside), so every table, index and the "
                     "schema are equal; rows were counted, not compared one by one (compare_rows does)";
        std::promise<SourceRead> ready;
        ready.set_value(std::move(s));
        source_read_ = ready.get_future();
        image_identical_ = true;
        return true;
      }
      image_difference_ = c.difference;
    } catch (const std::exception& e) {
      image_difference_ = e.what();
    }
    if (interrupted()) throw std::runtime_error("the run was interrupted");
    start_source_read();
    return false;
  }

  void verify(ScratchDatabase& scratch, RestoredRead& restored, Clock::time_point start,
              Clock::time_point restore_start) {
    bool ok = true;
    // Reported even when the copy could not be read: it says why.
    auto report_integrity = [&] {
      if (!restored.integrity.valid()) return;
      Check c{"integrity"};
      std::string problems;
      for (const std::string& p : restored.integrity.get()) problems += (problems.empty() ? "" : "; ") + p;
      if (!problems.empty()) {
        c.outcome = Outcome::failed, ok = false;
        c.message = "the restored database is damaged: " + problems;
        if (artifact_deferred_)
          c.message += " (the restored file is a byte-for-byte copy of the artifact " +
                       artifact_info_.path.filename().string() + ", so the artifact is damaged)";
      }
      checks_.push_back(std::move(c));
    };
    try {
      if (!restored.error.empty()) throw std::runtime_error(restored.error);
      Database& db = scratch.db();
      Check schema{"schema"};
      auto changes = diff_schema(source_schema_, restored.schema);
      if (!changes.empty()) {
        ok = false;
        schema.outcome = Outcome::failed;
        schema.message = "the restored schema differs from the source: " + std::to_string(changes.size()) +
                         " difference(s), first: " + changes[0].object +
                         (changes[0].kind == SchemaChange::removed ? " is missing in the restored copy"
                          : changes[0].kind == SchemaChange::added ? " exists only in the restored copy"
                                                                   : " differs (" + changes[0].detail + ")");
        schema.evidence.push_back({"schema diff", format_diff(changes, "source", "restored")});
      }
      checks_.push_back(std::move(schema));

      std::map<std::string, std::vector<TableDifference>> by_table;
      if (!image_identical_)  // identical page images: equal by construction
        for (TableDifference& d :
             compare_digests(source_digest_, restored.digest, spec_.digest, spec_.volatile_tolerance))
          by_table[d.table].push_back(std::move(d));
      std::set<std::string> names;
      for (const auto& [name, _] : source_digest_.tables) names.insert(name);
      for (const auto& [name, _] : by_table) names.insert(name);
      for (const std::string& name : names) {
        Check t{"table " + name};
        if (auto it = source_digest_.tables.find(name); it != source_digest_.tables.end())
          t.figures = {{"rows", double(it->second.rows), ""}};
        if (image_identical_) t.evidence.push_back({"compared", "equal: its pages are the source's (see the source step)"});
        for (const TableDifference& d : by_table[name]) {
          t.outcome = Outcome::failed;
          t.message += (t.message.empty() ? "" : "; ") + d.message;
        }
        ok &= t.outcome == Outcome::passed;
        checks_.push_back(std::move(t));
      }
      report_integrity();
      if (!spec_.rpo_column.empty()) measure_rpo_from_data(db);
    } catch (const std::exception& e) {
      checks_.push_back({"verify", Outcome::failed, std::string("cannot verify the restored copy: ") + e.what()});
      ok = false;
      report_integrity();
    }
    record_.verify_s = since(start);
    // RTO runs from the restore's start to a passing verification: a copy
    // that does not verify has not recovered anything.
    record_.rto_s = since(restore_start);
    if (!ok) stopped_ = "the restored copy does not match the source";
  }

  void measure_rpo_from_data(Database& db) {
    std::optional<std::string> newest = newest_value(db, spec_.rpo_table, spec_.rpo_column);
    std::optional<std::time_t> t = newest ? parse_timestamp(*newest) : std::nullopt;
    if (!t) {
      checks_.push_back({"rpo", Outcome::failed,
                         "cannot measure RPO: " + spec_.rpo_table + "." + spec_.rpo_column +
                             (newest ? " holds '" + *newest + "', not a timestamp" : " has no value in the restored copy")});
      return;
    }
    record_.rpo_s = std::difftime(std::time(nullptr), *t);
  }

  void rpo_from_artifact() {
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(record_.artifact, ec);
    if (ec) return;
    auto age = std::filesystem::file_time_type::clock::now() - mtime;
    record_.rpo_s = std::chrono::duration<double>(age).count();
  }

  Check threshold(const std::string& name, std::optional<double> value, std::optional<double> max, const std::string& what) {
    Check c{name};
    if (!value) return skipped_check(name, what + " could not be measured");
    c.figures = {{name + "_s", *value, "s"}};
    if (max && *value > *max) {
      c.outcome = Outcome::failed;
      c.message = what + " was " + std::to_string(int(*value)) + " s, more than the allowed " + std::to_string(int(*max)) + " s";
    }
    return c;
  }

  void finish() {
    const bool verified = stopped_.empty();
    if (spec_.rpo_column.empty()) rpo_from_artifact();
    if (spec_.max_rto_s) checks_.push_back(verified ? threshold("rto", record_.rto_s, spec_.max_rto_s, "the recovery time (restore + verification)")
                                                    : skipped_check("rto", stopped_));
    if (spec_.max_rpo_s) checks_.push_back(threshold("rpo", record_.rpo_s, spec_.max_rpo_s, "the age of the newest data in the backup"));

    Check summary{"drill"};
    summary.figures = {{"backup_duration", record_.backup_s, "s"}, {"restore_duration", record_.restore_s, "s"},
                       {"verify_duration", record_.verify_s, "s"},  {"rto", record_.rto_s, "s"},
                       {"size", record_.size_bytes, "bytes"}};
    if (record_.rpo_s) summary.figures.push_back({"rpo", *record_.rpo_s, "s"});
    if (record_.verify_s > 0) summary.figures.push_back({"verify_throughput", throughput_bytes_ / 1e6 / record_.verify_s, "MB/s"});
    bool failed = false;
    for (const Check& c : checks_) failed |= c.outcome == Outcome::failed || c.outcome == Outcome::error;
    const bool interrupted = spec_.methods.cancel && spec_.methods.cancel->load();
    record_.verdict = interrupted ? "interrupted" : failed ? "failed" : "passed";
    for (const Check& c : checks_)
      if ((c.outcome == Outcome::failed || c.outcome == Outcome::error) && record_.message.empty())
        record_.message = c.name + ": " + c.message;
    if (!spec_.history.empty()) {
      try {
        DrillHistory history(spec_.history);
        record_.id = history.append(record_);
        Series rto{"RTO of past drills", "rto", "drill", "s"};
        auto past = history.list(30, record_.source);
        for (size_t i = past.size(); i-- > 0;)
          if (past[i].verdict == "passed") rto.points.push_back({double(past[i].id), past[i].rto_s});
        if (rto.points.size() > 1) summary.series.push_back(std::move(rto));
      } catch (const std::exception& e) {
        summary.outcome = Outcome::error;
        summary.message = std::string("cannot record the drill in the history: ") + e.what();
      }
    }
    checks_.push_back(std::move(summary));
  }
};

}  // namespace

DrillOutcome run_drill(const DrillSpec& spec, const std::function<void(const std::string&)>& progress) {
  return Drill(spec, progress).run();
}

}  // namespace greenlight
