// The fault matrix (issue #8): the demo plan (fixtures/demo/greenlight.yaml)
// run by the greenlight binary against the demo target (greenlight-fixture,
// with the demo's golang-migrate migrations and a TLS listener) once per
// fault. Each row asserts exactly which checks fail (the set of
// "suite/check" names whose outcome is failed or error) and that the key
// check's message names the fault; the healthy target passes with no failure.
//
// To keep the run short the plan is a copy of the demo plan with changes that
// only shorten it (wait_until_ready 3s, load scenarios 1s, no capacity
// search); rows that inject a fault into the plan's own files (migrations,
// rules, backup commands) edit that copy the way a team's change would.
//
// The test also renders docs/fault-matrix.md from what it saw. With
// GREENLIGHT_UPDATE_DOCS=1 it writes the file; otherwise it fails when the
// file in the source tree differs, naming the first differing line.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/faults/normalize.h"
#include "tests/support/command.h"
#include "tests/support/fixture_process.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_cert.h"

using namespace greenlight::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kDemo = SOURCE_DIR "/fixtures/demo";
const std::string kDocPath = SOURCE_DIR "/docs/fault-matrix.md";

std::string slurp(const std::string& path) { return read_file(path); }

void spit(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// Replaces exactly one occurrence of `from` (or every one when count > 1 is
// given): a change of the demo plan that no longer applies must fail loudly.
std::string replace_exactly(std::string text, const std::string& from, const std::string& to, int count = 1) {
  int seen = 0;
  for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size())) {
    text.replace(p, from.size(), to);
    ++seen;
  }
  if (seen != count)
    throw std::runtime_error("the demo plan changed: expected " + std::to_string(count) + " occurrence(s) of '" + from +
                             "', found " + std::to_string(seen));
  return text;
}

// The demo plan, shortened: nothing is added or loosened.
std::string shortened_demo_plan() {
  std::string plan = slurp(kDemo + "/greenlight.yaml");
  plan = replace_exactly(plan, "wait_until_ready: {path: /ready, timeout: 30s, interval: 200ms}",
                         "wait_until_ready: {path: /ready, timeout: 3s, interval: 200ms}");
  plan = replace_exactly(plan, "        duration: 3s\n", "        duration: 1s\n", 2);
  // The capacity search is the last block of the plan: cut it.
  auto cut = plan.find("    # The capacity search");
  if (cut == std::string::npos || plan.find("    capacity:\n", cut) == std::string::npos)
    throw std::runtime_error("the demo plan changed: no capacity block at its end");
  plan.resize(cut);
  return plan;
}

// One row's world: a copy of fixtures/demo (plan shortened) in a temp dir.
struct Demo {
  std::unique_ptr<TempDir> dir;
  std::string root;  // the copy of fixtures/demo
  std::string plan;  // root + "/greenlight.yaml"

  std::string path(const std::string& rel) const { return root + "/" + rel; }
  void edit_plan(const std::function<std::string(std::string)>& f) const { spit(plan, f(slurp(plan))); }
  // Adds lines to the plan's backup section (right after "  backup:").
  void add_backup_keys(const std::string& lines) const {
    edit_plan([&](std::string p) { return replace_exactly(p, "\n  backup:\n", "\n  backup:\n" + lines); });
  }
};

Demo make_demo() {
  Demo d;
  d.dir = std::make_unique<TempDir>("greenlight-faults");
  d.root = d.dir->file("demo");
  fs::copy(kDemo, d.root, fs::copy_options::recursive);
  d.plan = d.path("greenlight.yaml");
  spit(d.plan, shortened_demo_plan());
  return d;
}

struct Check {
  std::string outcome, message;
};

struct RunResult {
  CommandResult command;
  std::map<std::string, Check> checks;  // "suite/check" (demo path replaced by <demo>) -> outcome
  std::set<std::string> failing;        // outcome failed or error
  std::string describe;
};

RunResult read_report(const CommandResult& command, const std::string& out, const Demo& demo) {
  RunResult r;
  r.command = command;
  std::string text = read_file(out + "/greenlight.json");
  if (text.empty()) throw std::runtime_error("no JSON report; greenlight said:\n" + command.out + command.err);
  auto report = nlohmann::json::parse(text);
  for (const auto& suite : report["suites"]) {
    for (const auto& c : suite["checks"]) {
      std::string name = suite["name"].get<std::string>() + "/" + c["name"].get<std::string>();
      name = replace_all(name, demo.root, "<demo>");
      Check check{c["outcome"].get<std::string>(), c.value("message", "")};
      if (check.outcome == "failed" || check.outcome == "error") r.failing.insert(name);
      r.describe += check.outcome + "  " + name + ": " + check.message.substr(0, 400) + "\n";
      r.checks[name] = check;
    }
  }
  return r;
}

// Everything a row may need once its fixture is up.
struct Ctx {
  Demo& demo;
  FixtureProcess& fixture;
  const std::string& cert_path;
};

struct Row {
  std::string fault;      // what is wrong, for the doc
  std::string injection;  // how the test makes it wrong, for the doc
  std::set<std::string> expected;  // exactly the failing "suite/check" names
  std::string key_check;           // whose message the doc shows ("" for healthy rows)
  std::vector<std::string> key_words;  // the key check's message contains each
  // Setup before the fixture starts: fixture faults, certificate validity.
  std::vector<std::string> fixture_faults = {};
  // Days the HTTPS certificate stays valid; <= 0: expired (make_self_signed_cert's days_valid). Other
  // than 365, half a day is added so that "expires in N days" (rounded down) does not depend on timing.
  int cert_days = 365;
  std::function<void(Demo&)> edit = nullptr;  // the plan's tree, before the fixture starts
  std::function<void(Ctx&)> after_start = nullptr;  // with the fixture up, before the run
  bool live = false;  // run against the shared fixture with a Prometheus scraping it
  // Measured figures in the key check's message: {ECMAScript regex, placeholder text} for the doc.
  std::vector<std::pair<std::string, std::string>> vary = {};
};

struct Outcome {
  const Row* row;
  RunResult run;
  std::string normalized_message;
  std::vector<std::string> placeholders_from;  // row-specific strings replaced in the doc
};

std::vector<std::string> run_args(const Demo& demo, const std::string& out, const FixtureProcess& fixture,
                                  const std::string& cert_path, const std::string& prometheus) {
  std::vector<std::string> args = {"run",   demo.plan,
                                   "--out", out,
                                   "--no-history",
                                   "--target-url", fixture.url(),
                                   "--var", "tls_url=" + fixture.tls_url(),
                                   "--var", "ca_file=" + cert_path,
                                   "--var", "database=sqlite://" + fixture.db_path(),
                                   "--var", "history=" + demo.dir->file("history.db")};
  if (!prometheus.empty()) args.insert(args.end(), {"--var", "prometheus=" + prometheus});
  return args;
}

// ---- fault injections -------------------------------------------------

void write_migration(const Demo& d, const std::string& name, const std::string& up, const std::string& down) {
  spit(d.path("migrations/app/" + name + ".up.sql"), up);
  spit(d.path("migrations/app/" + name + ".down.sql"), down);
}

// A backup_cmd written the way a team would: SQLite's .backup of the source,
// then `damage` (a shell fragment on "$artifact").
void use_backup_script(const Demo& d, const std::string& damage) {
  std::string script = d.dir->file("db_backup.sh");
  spit(script,
       "#!/bin/sh\n"
       "# The team's backup script: an online copy of the SQLite database, then what went wrong.\n"
       "set -e\n"
       "source=\"${1#sqlite://}\"\n"
       "artifact=\"$2\"\n"
       "sqlite3 \"$source\" \".backup '$artifact'\"\n" +
           damage + "\n");
  fs::permissions(script, fs::perms::owner_all);
  d.add_backup_keys("    backup_cmd: " + script + " {source} {artifact}\n");
}

std::string sqlite_exec(const std::string& db, const std::string& sql) {
  ToolResult r = run_tool("sqlite3", {db, sql});
  if (r.exit_code != 0) throw std::runtime_error("sqlite3 " + db + " '" + sql + "': " + r.err);
  return r.out;
}

const std::string kRulesTest = "rules/app.rules.test.yml";
const std::string kDownTest =
    "alerts/<demo>/rules/app.rules.test.yml: the service down for 2 minutes fires, with its instance in the "
    "summary: alert AppDown at 4m";

// A rule that reads a metric the fixture never exposes, picked up by the
// plan's rules/*.rules.yml glob; Prometheus loads it too.
const char* kDeadRule = R"(# A new alert whose metric the service never exposes: it can never fire.
groups:
  - name: app-jobs
    rules:
      - alert: AppJobsFailing
        expr: rate(app_jobs_failed_total[5m]) > 0
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "jobs fail"
          runbook_url: https://runbooks.example.com/app/jobs
)";

std::vector<Row> rows() {
  std::vector<Row> r;
  // Healthy baselines.
  r.push_back({"none (healthy target)", "the demo target as `./ci/demo` starts it", {}, "", {}});
  r.push_back({"none (healthy target, live alert checks)",
               "as above, with a real Prometheus scraping it and the demo rules loaded", {}, "", {},
               {}, 365, nullptr, nullptr, true});

  // The target misbehaves (greenlight-fixture --fault).
  r.push_back({"/health answers 500", "`--fault health-500`",
               {"smoke/health", "smoke/health-json-shape", "smoke/health-contract", "smoke/redirect-followed",
                "smoke/tls",  // GET /health over HTTPS
                "smoke/metrics",  // the 500s are counted in app_http_requests_total{code="500"}
                "load/throughput: error_rate<0.1%", "load/steady: error_rate<0.1%"},
               "smoke/health", {"status 500"}, {"health-500"}});
  r.push_back({"/ready answers 503", "`--fault ready-503`",
               {"smoke/wait_until_ready", "smoke/health-contract",
                "smoke/metrics"},  // the polls' 503s are counted in app_http_requests_total{code="503"}
               "smoke/wait_until_ready", {"503"}, {"ready-503"}});
  r.back().vary = {{R"(after [0-9.]+m?s \(\d+ attempts\))", "after <duration> (<n> attempts)"}};
  r.push_back({"an endpoint slower than its latency budget", "`--fault latency=1100` (every request 1.1 s slower)",
               {"smoke/health",  // max_latency 500ms
                "smoke/latency-budget",
                "load/throughput",  // max-rate for 1 s: no request completes within the run
                "load/throughput: p(99)<100ms", "load/steady: p(99)<50ms"},
               "smoke/latency-budget", {"latency"}, {"latency=1100"}});
  r.back().vary = {{R"(latency [0-9.]+m?s exceeds)", "latency <duration> exceeds"}};
  r.push_back({"p99 beyond the load threshold", "`--fault latency=120` (every request 120 ms slower)",
               {"load/throughput: p(99)<100ms", "load/steady: p(99)<50ms"}, "load/throughput: p(99)<100ms", {"p(99)"}, {"latency=120"}});
  r.back().vary = {{R"(p\(99\)=[0-9.]+m?s)", "p(99)=<duration>"}};
  r.push_back({"error rate beyond the load threshold", "`--fault error-rate=0.05` (5% of /api requests answer 500)",
               {"load/throughput: error_rate<0.1%"}, "load/throughput: error_rate<0.1%", {"error_rate"}, {"error-rate=0.05"}});
  r.back().vary = {{R"(error_rate=[0-9.]+%)", "error_rate=<n>%"}};
  r.push_back({"a missing security header", "`--fault missing-header=X-Frame-Options`",
               {"smoke/headers"}, "smoke/headers", {"X-Frame-Options"}, {"missing-header=X-Frame-Options"}});
  r.push_back({"/.env served", "`--fault serve-dotenv`", {"smoke/hidden-files"}, "smoke/hidden-files", {"/.env"}, {"serve-dotenv"}});
  r.push_back({"malformed /metrics", "`--fault metrics-malformed`", {"smoke/metrics"}, "smoke/metrics", {"line"},
               {"metrics-malformed"}});
  // Its line number depends on how many request series the fixture had counted by then.
  r.back().vary = {{R"(line \d+:)", "line <n>:"}};
  r.push_back({"a metric over its limit", "`--fault queue-depth=150`", {"smoke/metrics"}, "smoke/metrics",
               {"app_jobs_queue_depth", "150"}, {"queue-depth=150"}});
  r.push_back({"the worker unhealthy", "`--fault worker-unhealthy`", {"smoke/metrics"}, "smoke/metrics", {"app_worker_healthy"},
               {"worker-unhealthy"}});
  r.push_back({"a webhook that is not idempotent", "`--fault webhook-not-idempotent`", {"smoke/webhook-idempotent"},
               "smoke/webhook-idempotent", {"not idempotent"}, {"webhook-not-idempotent"}});
  r.push_back({"an expired TLS certificate", "the HTTPS listener's certificate expired an hour ago", {"smoke/tls"}, "smoke/tls",
               {"expired"}, {}, 0});
  r.push_back({"a TLS certificate about to expire", "the HTTPS listener's certificate is valid for 10 more days", {"smoke/tls"},
               "smoke/tls", {"days"}, {}, 10});

  // Migrations.
  r.push_back({"a migration whose down does not reverse its up",
               "copied migrations: `000002_create_webhook_events.down.sql` drops the index only",
               {"migration/app: reverse 000002_create_webhook_events.up.sql"},
               "migration/app: reverse 000002_create_webhook_events.up.sql", {"webhook_events"}, {}, 365,
               [](Demo& d) { spit(d.path("migrations/app/000002_create_webhook_events.down.sql"),
                                  "DROP INDEX webhook_events_event_id;\n"); }});
  r.push_back({"schema drift on the target", "after start, the test runs `ALTER TABLE items ADD COLUMN note TEXT` on the target's database",
               {"migration/app: drift"}, "migration/app: drift", {"note"}, {}, 365, nullptr,
               [](Ctx& c) { sqlite_exec(c.fixture.db_path(), "ALTER TABLE items ADD COLUMN note TEXT"); }});
  r.push_back({"an applied migration edited afterwards",
               "a run records the ledger, then the copied `000001_create_items.up.sql` gains a column",
               {"migration/app: status",
                "migration/app: drift"},  // the edited file says items has owner; the target's items has not

               "migration/app: status", {"modified", "000001"}, {}, 365, nullptr,
               [](Ctx& c) {
                 // The ledger learns the applied files' checksums on a first run, as in CI with a kept history.
                 CommandResult seed = run_greenlight({"run", c.demo.plan, "--suite", "migration", "--out",
                                                      c.demo.dir->file("seed"), "--no-history", "--var",
                                                      "database=sqlite://" + c.fixture.db_path(), "--var",
                                                      "history=" + c.demo.dir->file("history.db")});
                 if (seed.exit_code != 0) throw std::runtime_error("seeding the ledger failed:\n" + seed.out + seed.err);
                 std::string up = c.demo.path("migrations/app/000001_create_items.up.sql");
                 spit(up, replace_exactly(slurp(up), "  created_at TEXT NOT NULL\n",
                                          "  created_at TEXT NOT NULL,\n  owner TEXT\n"));
               }});
  r.push_back({"unsafe migration (lint: fails on SQLite)",
               "new `000004_add_items_owner`: `ADD COLUMN owner TEXT NOT NULL` without a default",
               {"migration/app: lint 000004_add_items_owner.up.sql"},
               "migration/app: lint 000004_add_items_owner.up.sql", {"sqlite-add-column-not-null-without-default"}, {},
               365, [](Demo& d) {
                 write_migration(d, "000004_add_items_owner", "ALTER TABLE items ADD COLUMN owner TEXT NOT NULL;\n",
                                 "ALTER TABLE items DROP COLUMN owner;\n");
               }});
  r.push_back({"unsafe migration (lint: breaks the running code)",
               "new `000004_rename_payload`: `RENAME COLUMN payload TO body`",
               {"migration/app: lint 000004_rename_payload.up.sql"},
               "migration/app: lint 000004_rename_payload.up.sql", {"renaming-column"}, {}, 365, [](Demo& d) {
                 write_migration(d, "000004_rename_payload",
                                 "ALTER TABLE webhook_events RENAME COLUMN payload TO body;\n",
                                 "ALTER TABLE webhook_events RENAME COLUMN body TO payload;\n");
               }});
  r.push_back({"unsafe migration (lint: syntax error)", "new `000004_seed_items`: an unterminated string",
               {"migration/app: lint 000004_seed_items.up.sql", "migration/app: apply 000004_seed_items.up.sql"},
               "migration/app: lint 000004_seed_items.up.sql", {"syntax-error"}, {}, 365, [](Demo& d) {
                 write_migration(d, "000004_seed_items",
                                 "INSERT INTO items (name, created_at) VALUES ('first item, '2026-01-01');\n",
                                 "DELETE FROM items;\n");
               }});

  // Backups: the team's backup command writes a damaged artifact.
  r.push_back({"a backup missing a table", "`backup_cmd`: `sqlite3 .backup`, then `DROP TABLE webhook_events`",
               {"backup/schema", "backup/table webhook_events"},
               "backup/table webhook_events", {"webhook_events", "missing"}, {}, 365,
               [](Demo& d) { use_backup_script(d, "sqlite3 \"$artifact\" 'DROP TABLE webhook_events'"); }});
  r.push_back({"a backup missing rows", "`backup_cmd`: `sqlite3 .backup`, then `DELETE FROM items`",
               {"backup/table items"}, "backup/table items", {"0 in the restored copy"}, {}, 365,
               [](Demo& d) { use_backup_script(d, "sqlite3 \"$artifact\" 'DELETE FROM items'"); }});
  r.push_back({"a backup with a changed value", "`backup_cmd`: `sqlite3 .backup`, then `UPDATE items SET name = 'x'`",
               {"backup/table items"}, "backup/table items", {"changed value"}, {}, 365,
               [](Demo& d) { use_backup_script(d, "sqlite3 \"$artifact\" \"UPDATE items SET name = 'x'\""); }});
  r.push_back({"a corrupted (truncated) backup artifact", "`backup_cmd`: `sqlite3 .backup`, then `truncate -s 5000`",
               {"backup/artifact"}, "backup/artifact", {"truncated"}, {}, 365,
               [](Demo& d) { use_backup_script(d, "truncate -s 5000 \"$artifact\""); }});
  r.push_back({"a stale backup", "`dir:` with one backup file 3 days old, `max_age: 26h`",
               // The drill of that old file also finds the rows written since (by this run's smoke suite).
               {"backup/backup directory", "backup/table items", "backup/table webhook_events"},
               "backup/backup directory", {"old"}, {}, 365, nullptr, [](Ctx& c) {
                 std::string dir = c.demo.dir->file("backups");
                 fs::create_directories(dir);
                 std::string file = dir + "/app-3-days-ago.db";
                 sqlite_exec(c.fixture.db_path(), ".backup '" + file + "'");
                 fs::last_write_time(file, fs::file_time_type::clock::now() - 72h);
                 c.demo.add_backup_keys("    dir: " + dir + "\n    max_age: 26h\n");
               }});

  // Alert rules.
  r.push_back({"an alert rule unit test expecting the wrong labels",
               "copied `app.rules.test.yml`: AppDown expected with `severity: warning`", {kDownTest}, kDownTest,
               {"severity"}, {}, 365, [](Demo& d) {
                 std::string f = d.path(kRulesTest);
                 spit(f, replace_exactly(slurp(f), "exp_labels: {severity: critical, job: app, instance: \"10.0.0.1:8080\"}",
                                         "exp_labels: {severity: warning, job: app, instance: \"10.0.0.1:8080\"}"));
               }});
  r.push_back({"an alert rule on a metric the target never exposes",
               "new `rules/jobs.rules.yml` (loaded by Prometheus too) alerts on `app_jobs_failed_total`",
               {"alerts/has series: jobs.rules.yml group \"app-jobs\" alert \"AppJobsFailing\""},
               "alerts/has series: jobs.rules.yml group \"app-jobs\" alert \"AppJobsFailing\"",
               {"app_jobs_failed_total", "never fire"}, {}, 365,
               [](Demo& d) { spit(d.path("rules/jobs.rules.yml"), kDeadRule); }, nullptr, true});
  return r;
}

// The shared target of the live rows: a fixture, and a Prometheus scraping
// it with the demo rules and the dead rule loaded.
struct Live {
  TempDir dir{"greenlight-faults-live"};
  CertFiles cert;
  std::unique_ptr<FixtureProcess> fixture;
  std::unique_ptr<PrometheusServer> prometheus;
  std::future<void> ready;

  Live() {
    cert = make_self_signed_cert(dir.path(), 365, "127.0.0.1");
    FixtureOptions fo;
    fo.tls = true;
    fo.cert_path = cert.cert_path;
    fo.key_path = cert.key_path;
    fo.extra_args = {"--migrations", kDemo + "/migrations/app"};
    fixture = std::make_unique<FixtureProcess>(fo);
    spit(dir.file("jobs.rules.yml"), kDeadRule);
    PrometheusOptions po;
    po.job_name = "app";
    po.scrape_targets = {"127.0.0.1:" + std::to_string(fixture->port())};
    po.rule_files = {kDemo + "/rules/app.rules.yml", dir.file("jobs.rules.yml")};
    prometheus = std::make_unique<PrometheusServer>(po);
    // Rules evaluated on scraped data, and the error ratio has its two samples:
    // until then AppHighErrorRate has no series. Waited for in the background.
    ready = std::async(std::launch::async, [this] {
      prometheus->wait_for_rules_evaluated(40s);
      bool ratio = prometheus->wait_until(
          [&] { return !prometheus->api("/api/v1/query?query=app:http_errors:ratio_rate5m")["result"].empty(); }, 40s);
      if (!ratio) throw std::runtime_error("app:http_errors:ratio_rate5m never had a value:\n" + prometheus->log());
    });
  }
};

Outcome run_row(const Row& row, Live& live) {
  Demo demo = make_demo();
  if (row.edit) row.edit(demo);
  std::string out = demo.dir->file("out");
  Outcome o{&row, {}, "", {}};
  CommandResult command;
  if (row.live) {
    live.ready.wait();
    live.ready.get();  // rethrows a failed wait
    live.ready = std::async(std::launch::deferred, [] {});
    Ctx ctx{demo, *live.fixture, live.cert.cert_path};
    if (row.after_start) row.after_start(ctx);
    command = run_greenlight(run_args(demo, out, *live.fixture, live.cert.cert_path, live.prometheus->url()));
    o.placeholders_from = {live.fixture->db_path(), live.dir.path()};
  } else {
    CertFiles cert;
    if (row.cert_days == 365 || row.cert_days <= 0) {
      cert = make_self_signed_cert(demo.dir->path(), row.cert_days, "127.0.0.1");
    } else {
      auto now = std::chrono::system_clock::now();
      cert = make_cert_valid_between(demo.dir->path(), now - 1h, now + row.cert_days * 24h + 12h, "127.0.0.1");
    }
    FixtureOptions fo;
    fo.tls = true;
    fo.cert_path = cert.cert_path;
    fo.key_path = cert.key_path;
    fo.faults = row.fixture_faults;
    fo.extra_args = {"--migrations", kDemo + "/migrations/app"};
    FixtureProcess fixture(fo);
    Ctx ctx{demo, fixture, cert.cert_path};
    if (row.after_start) row.after_start(ctx);
    command = run_greenlight(run_args(demo, out, fixture, cert.cert_path, ""));
    o.placeholders_from = {fixture.db_path()};
  }
  o.run = read_report(command, out, demo);
  if (!row.key_check.empty()) {
    auto it = o.run.checks.find(row.key_check);
    std::string message = it == o.run.checks.end() ? "(no such check: " + row.key_check + ")" : it->second.message;
    std::vector<std::pair<std::string, std::string>> known = {{demo.root, "<demo>"}, {demo.dir->path(), "<tmp>"}};
    for (const auto& p : o.placeholders_from) known.push_back({p, "<tmp>/app.db"});
    o.normalized_message = normalize_message(message, known, row.vary);
  }
  return o;
}

std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += "<br>";
    else out += c;
  }
  return out;
}

std::string render_doc(const std::vector<Outcome>& outcomes) {
  std::ostringstream doc;
  doc << "# The fault matrix\n\n"
         "What greenlight catches, shown by breaking the demo target one way at a time.\n"
         "Each row starts `greenlight-fixture` (the demo target, with the demo's\n"
         "golang-migrate migrations and an HTTPS listener, as `./ci/demo` does), injects\n"
         "one fault, runs the demo plan `fixtures/demo/greenlight.yaml` with\n"
         "`greenlight run` and records which checks fail. The plan is a copy shortened\n"
         "for the test (wait_until_ready 3 s, load scenarios 1 s, no capacity search);\n"
         "rows that break the plan's own files (migrations, rules, backup command) edit\n"
         "that copy. The live alert rows add a real Prometheus scraping the target.\n\n"
         "This file is generated by `tests/faults/fault_matrix_test.cpp`, which also\n"
         "asserts that exactly these checks fail and that the healthy target passes;\n"
         "the test fails when this file is out of date. Regenerate it with\n\n"
         "```\n"
         "cmake --build build --target test_faults && GREENLIGHT_UPDATE_DOCS=1 build/test_faults\n"
         "```\n\n"
         "The message is the key check's real failure message (its lines joined by\n"
         "\" / \", cut after 320 characters), with loopback ports, temporary paths\n"
         "(`<demo>` is the copy of `fixtures/demo`), dates and measured figures\n"
         "replaced by placeholders.\n\n"
         "| fault | how it is injected | caught by | message |\n"
         "|---|---|---|---|\n";
  for (const Outcome& o : outcomes) {
    std::string caught;
    for (const auto& name : o.run.failing) caught += (caught.empty() ? "" : "<br>") + ("`" + name + "`");
    if (caught.empty()) caught = "nothing fails";
    std::string message = o.row->key_check.empty() ? "" : "`" + o.row->key_check + "`: " + o.normalized_message;
    doc << "| " << cell(o.row->fault) << " | " << cell(o.row->injection) << " | " << cell(caught) << " | "
        << cell(message) << " |\n";
  }
  return doc.str();
}

}  // namespace

TEST_CASE("fault matrix: the demo plan catches each fault of the demo target, and only with the checks it names",
          "[faults][fixture][slow]") {
  Live live;
  std::vector<Row> table = rows();
  std::vector<Outcome> outcomes;
  // Live rows last: their Prometheus gets ready while the others run.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Row& row : table) {
      if (row.live != (pass == 1)) continue;
      auto started = std::chrono::steady_clock::now();
      outcomes.push_back(run_row(row, live));
      const Outcome& o = outcomes.back();
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (std::getenv("GREENLIGHT_FAULTS_VERBOSE"))
        std::cerr << "== " << row.fault << " (" << seconds << " s, exit " << o.run.command.exit_code << ")\n"
                  << o.run.describe << "\n";
      INFO("row: " << row.fault << "\n" << o.run.command.out.substr(0, 4000) << o.run.command.err << "\n"
                   << "checks:\n" << o.run.describe);
      CHECK(o.run.failing == row.expected);
      CHECK(o.run.command.exit_code == (row.expected.empty() ? 0 : 1));
      if (!row.key_check.empty()) {
        REQUIRE(o.run.checks.count(row.key_check) == 1);
        for (const auto& word : row.key_words) CHECK_THAT(o.run.checks.at(row.key_check).message, Catch::Contains(word));
      }
    }
  }
  // Keep the table's order for the doc, whatever order the rows ran in.
  std::vector<Outcome> ordered;
  for (const Row& row : table)
    for (const Outcome& o : outcomes)
      if (o.row == &row) ordered.push_back(o);

  std::string doc = render_doc(ordered);
  const char* update = std::getenv("GREENLIGHT_UPDATE_DOCS");
  if (update && std::string(update) == "1") {
    spit(kDocPath, doc);
    SUCCEED("wrote " << kDocPath);
  } else {
    std::string current = read_file(kDocPath);
    INFO(kDocPath << " is out of date; regenerate it with GREENLIGHT_UPDATE_DOCS=1 build/test_faults");
    auto first_difference = first_differing_line(current, doc);
    INFO(first_difference);
    CHECK(current == doc);
  }
}
