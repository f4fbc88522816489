// `greenlight history`: the recorded runs, newest first, and with --trend the
// series of one figure across them (oldest first, as one reads a chart).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/commands.h"
#include "harness/history_db.h"
#include "harness/run_history.h"

namespace greenlight {

namespace {

const char* kHistoryUsage = R"(Usage: greenlight history [options]

Lists the runs recorded by `greenlight run` (newest first): id, time, profile,
revision, verdict, check counts, duration, target. With --trend, prints one
figure's values over those runs instead (oldest first).

Options:
  --history FILE    the run history database (default: reports/history.db)
  --profile NAME    only runs of this profile
  --target URL      only runs against this target
  --verdict V       only passed, failed or interrupted runs
  --limit N         at most N runs (default 20; 0 for all)
  --trend FIGURE    a figure key or glob: load/steady/p99, load/*/p99, or a figure
                    name alone: capacity (matches */*/capacity and */*/capacity_*)
  --json            the same as JSON
  -h, --help        this text

Exit codes: 0 listed (also when nothing matched), 2 usage error or unreadable history.
)";

struct HistoryArgs {
  std::string history = "reports/history.db";
  RunFilter filter;
  std::string trend;
  bool json = false;
  bool help = false;
};

HistoryArgs parse_history_args(int argc, char** argv) {
  HistoryArgs a;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") a.help = true;
    else if (arg == "--history") a.history = value();
    else if (arg == "--profile") a.filter.profile = value();
    else if (arg == "--target") a.filter.target = value();
    else if (arg == "--verdict") {
      a.filter.verdict = value();
      if (a.filter.verdict != "passed" && a.filter.verdict != "failed" && a.filter.verdict != "interrupted")
        throw UsageError("--verdict is passed, failed or interrupted, got '" + a.filter.verdict + "'");
    } else if (arg == "--limit") {
      std::string v = value();
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0) throw UsageError("--limit needs a count, got '" + v + "'");
      a.filter.limit = static_cast<int>(n);
    } else if (arg == "--trend") a.trend = value();
    else if (arg == "--json") a.json = true;
    else throw UsageError("unknown option " + arg);
  }
  return a;
}

nlohmann::json run_json(const RunRecord& r) {
  return {{"id", r.id},           {"started_at", r.started_at}, {"plan", r.plan},
          {"target", r.target},   {"profile", r.profile},       {"revision", r.revision},
          {"verdict", r.verdict}, {"duration_s", r.duration_s},
          {"checks", {{"passed", r.counts.passed}, {"failed", r.counts.failed}, {"skipped", r.counts.skipped}, {"error", r.counts.error}}}};
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

int cmd_history(int argc, char** argv) {
  HistoryArgs a = parse_history_args(argc, argv);
  if (a.help) return std::fputs(kHistoryUsage, stdout), 0;
  // Reading must not create a history where there is none: a typo in the
  // path would otherwise print an empty list and leave a stray file.
  if (!std::filesystem::exists(a.history)) {
    std::fprintf(stderr, "greenlight: no run history at %s (greenlight run writes OUT/history.db; see --history)\n",
                 a.history.c_str());
    return 2;
  }
  std::unique_ptr<SQLite::Database> db;
  try {
    db = open_history_db(a.history);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greenlight: %s\n", e.what());
    return 2;
  }
  if (!a.trend.empty()) {
    auto points = figure_trend(*db, a.trend, a.filter);
    if (a.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const TrendPoint& p : points)
        out.push_back({{"run", p.run.id}, {"started_at", p.run.started_at}, {"revision", p.run.revision},
                       {"verdict", p.run.verdict}, {"key", p.figure.key}, {"value", p.figure.value}, {"unit", p.figure.unit}});
      std::printf("%s\n", out.dump(2).c_str());
      return 0;
    }
    if (points.empty()) {
      std::printf("no recorded figure matches '%s'\n", a.trend.c_str());
      return 0;
    }
    std::printf("%-6s %-20s %-12s %-11s %-40s %s\n", "RUN", "STARTED", "REVISION", "VERDICT", "FIGURE", "VALUE");
    for (const TrendPoint& p : points)
      std::printf("%-6lld %-20s %-12s %-11s %-40s %.6g %s\n", static_cast<long long>(p.run.id), p.run.started_at.c_str(),
                  or_dash(p.run.revision.substr(0, 12)).c_str(), p.run.verdict.c_str(), p.figure.key.c_str(), p.figure.value,
                  p.figure.unit.c_str());
    return 0;
  }
  auto runs = list_runs(*db, a.filter);
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const RunRecord& r : runs) out.push_back(run_json(r));
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (runs.empty()) {
    std::printf("no recorded run matches\n");
    return 0;
  }
  std::printf("%-6s %-20s %-10s %-12s %-11s %-22s %-9s %s\n", "RUN", "STARTED", "PROFILE", "REVISION", "VERDICT",
              "CHECKS pass/fail/skip", "DURATION", "TARGET");
  for (const RunRecord& r : runs) {
    std::string checks = std::to_string(r.counts.passed) + "/" + std::to_string(r.counts.failed + r.counts.error) + "/" +
                         std::to_string(r.counts.skipped);
    std::printf("%-6lld %-20s %-10s %-12s %-11s %-22s %-9s %s\n", static_cast<long long>(r.id), r.started_at.c_str(),
                or_dash(r.profile).c_str(), or_dash(r.revision.substr(0, 12)).c_str(), r.verdict.c_str(), checks.c_str(),
                (std::to_string(static_cast<int>(r.duration_s + 0.5)) + "s").c_str(), or_dash(r.target).c_str());
  }
  return 0;
}

}  // namespace greenlight
