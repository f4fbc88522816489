// `greenlight report merge`: the shards of a distributed load test (each a
// `greenlight load --shard i/N --json F` result with its interval log) merged
// into the reports one machine's `greenlight load` would have written, with
// the thresholds judged on the merged histograms.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "harness/commands.h"
#include "harness/runner.h"
#include "harness/version.h"
#include "loadgen/shard_set.h"
#include "loadgen/thresholds.h"
#include "reports/reports.h"
#include "suites/load/load_report.h"

namespace greenlight {

namespace {

const char* kReportUsage = R"(Usage: greenlight report merge DIR_OR_FILE... [options]

Merges the results of the N shards of one distributed load test (written by
greenlight load URL --rate R --shard i/N --json FILE, each with its --hdr-log)
into one report: histograms are added, so percentiles are those of all the
samples together (never averaged); counts, errors and dropped requests add up;
the thresholds given to the shards are judged on the merged result. A directory
argument takes every shard result directly inside it. The shards must be of the
same test (same URL, rate, duration, thresholds, N) and each shard present once.

Options:
  --out DIR        write greenlight.junit.xml, greenlight.json, greenlight.html
                   and load-summary.json (the merged load summary) into DIR
  --json FILE      the merged load summary, as greenlight load --json writes it
  --junit FILE, --html FILE   the standard reports, one testcase per threshold
  -h, --help

Exit codes: 0 thresholds held, 1 a threshold failed or no request completed,
2 usage error, or shard results that are missing, duplicated or of another test.
See docs/distributed.md.
)";

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out, json, junit, html;
  bool help = false;
};

MergeArgs parse_merge_args(int argc, char** argv) {
  MergeArgs a;
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") a.help = true;
    else if (arg == "--out") a.out = value();
    else if (arg == "--json") a.json = value();
    else if (arg == "--junit") a.junit = value();
    else if (arg == "--html") a.html = value();
    else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else a.inputs.push_back(arg);
  }
  if (!a.help && a.inputs.empty())
    throw UsageError("report merge: name the directory the shards wrote to, or their JSON files");
  return a;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

int merge(const MergeArgs& a) {
  ShardSet set;
  try {
    set = load_shard_set(a.inputs);
  } catch (const ShardFileError& e) {
    std::fprintf(stderr, "greenlight report merge: %s\n", e.what());
    return 2;
  }
  std::vector<Threshold> thresholds;
  for (const std::string& t : set.thresholds) {
    try {
      thresholds.push_back(parse_threshold(t));
    } catch (const ThresholdError& e) {
      std::fprintf(stderr, "greenlight report merge: %s: threshold '%s': %s\n", set.shards[0].file.c_str(), t.c_str(), e.what());
      return 2;
    }
  }
  const LoadResult& merged = set.merged;
  ScenarioOutcome outcome{"load", &set.spec, &merged, judge_thresholds(thresholds, merged)};

  std::printf("merged %zu shards of %s:", set.shards.size(), set.spec.endpoints[0].url.c_str());
  for (const ShardRecord& s : set.shards) std::printf(" %s", s.file.c_str());
  std::printf("\n  the test planned %llu requests; %lld completed, %lld dropped\n",
              static_cast<unsigned long long>(set.planned_requests), static_cast<long long>(merged.requests),
              static_cast<long long>(merged.dropped));
  std::fputs(load_summary_text(outcome).c_str(), stdout);
  for (const auto& [t, v] : outcome.thresholds)
    std::printf("  threshold %-24s %s  %s\n", t.text.c_str(), v.passed ? "ok  " : "FAIL", v.message.c_str());

  RunResult run;
  run.tool_version = kVersion;
  run.plan_file = "(merged from " + std::to_string(set.shards.size()) + " shards)";
  run.target = set.spec.endpoints[0].url;
  run.started_at = set.started_at;
  run.duration_s = merged.duration_s;
  run.interrupted = merged.interrupted;
  run.suites.push_back({"load", load_checks(outcome), merged.duration_s});

  nlohmann::json summary = load_summary_json({outcome});
  nlohmann::json files = nlohmann::json::array();
  for (const ShardRecord& s : set.shards) files.push_back(s.file.string());
  summary["merged_from"] = {{"shards", set.shards.size()}, {"files", files}, {"planned_requests", set.planned_requests}};
  if (!a.out.empty()) {
    try {
      ReportPaths paths = write_reports(run, a.out);
      write_text((std::filesystem::path(a.out) / "load-summary.json").string(), summary.dump(2) + "\n");
      std::printf("reports: %s\n         %s\n         %s\n", paths.html.c_str(), paths.junit.c_str(), paths.json.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "greenlight report merge: %s\n", e.what());
      return 2;
    }
  }
  return write_load_outputs(run, summary, a.json, a.junit, a.html, "greenlight report merge");
}

}  // namespace

int cmd_report(int argc, char** argv) {
  std::string sub = argc > 2 ? argv[2] : "";
  if (sub == "-h" || sub == "--help") return std::fputs(kReportUsage, stdout), 0;
  if (sub != "merge")
    throw UsageError(sub.empty() ? "report needs a subcommand: greenlight report merge DIR_OR_FILE..."
                                 : "unknown report subcommand '" + sub + "' (known: merge)");
  MergeArgs a = parse_merge_args(argc, argv);
  if (a.help) return std::fputs(kReportUsage, stdout), 0;
  return merge(a);
}

}  // namespace greenlight
