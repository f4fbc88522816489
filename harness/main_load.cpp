// `greenlight load` and `greenlight capacity`: ad-hoc front ends over the same
// engine, thresholds and reports as the plan's load suite.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "harness/commands.h"
#include "harness/interrupt.h"
#include "harness/runner.h"
#include "harness/status_line.h"
#include "harness/timestamp.h"
#include "harness/version.h"
#include "loadgen/hdr_log.h"
#include "loadgen/shard.h"
#include "loadgen/shard_file.h"
#include "reports/reports.h"
#include "suites/load/abort_on_fail.h"
#include "suites/load/capacity.h"
#include "suites/load/data_file.h"
#include "suites/load/load_report.h"
#include "suites/load/load_suite.h"

namespace greenlight {

namespace {

const char* kLoadUsage = R"(Usage: greenlight load URL [options]

Sends HTTP/1.1 load to URL with the native engine and reports throughput, errors
by class and the latency spectrum. Without --rate it is a closed loop at maximum
rate (like wrk); with --rate it is an open model at a constant arrival rate and
latency is measured from each request's intended start (like wrk2), so a stalled
server shows in the percentiles; the uncorrected service time is shown beside it.

Options:
  --duration D          how long (default 10s)
  --rate R              requests per second (open model)
  --threshold EXPR      e.g. 'p(99)<50ms', 'error_rate<0.1%', 'rps>=1000', 'dropped==0'
                        (repeatable): exit 1 when one fails
  --abort-on-fail       judge the thresholds every second and stop as soon as one
                        fails (after the first second or 100 requests)
  --data FILE           rows (CSV with a header row, or a JSON array of objects)
                        for ${data:column} in the URL path, --header and --body;
                        each request takes the next row, round-robin
  --hdr-log FILE        per-second latency histograms, HdrHistogram interval log format
  --shard i/N           run the i-th of N equal parts of an open-model test (--rate is the
                        whole test's rate; each shard sends 1/N of it and keeps the mix);
                        needs --json; --hdr-log defaults to the JSON file with .hlog;
                        thresholds are recorded, judged by `greenlight report merge`
                        (docs/distributed.md)
)"
                         R"(  --connections N       connections (default 64; open model: initial pool, default 16)
  --max-connections N   open model: at most this many connections (default 256)
  --threads N           worker threads (default: the cores)
  --method M, --header 'Name: value', --body TEXT
  --timeout D           per request (default 10s)
  --json FILE           load summary (docs/report-json.md)
  --junit FILE, --html FILE   the standard reports, one testcase per threshold
  -h, --help

Exit codes: 0 thresholds held, 1 a threshold failed or nothing completed, 2 usage error.
)";

const char* kCapacityUsage = R"(Usage: greenlight capacity URL --slo EXPR [--slo EXPR]... [options]

Finds the highest arrival rate URL sustains within the SLOs: steps the rate up
(x2 each step) until an SLO breaks or the achieved rate falls behind, then
bisects. Reports every step, the capacity and the knee of the latency curve.

Options:
  --slo EXPR            e.g. 'p(99)<50ms', 'error_rate<1%' (at least one; all must hold)
  --start R             first rate, requests/s (default 100)
  --max R               never ask for more (default 100000)
  --growth F            rate multiplier between coarse steps (default 2)
  --refine N            bisection steps after the first break (default 4)
  --step-duration D     length of each step (default 5s)
  --min-capacity R      exit 1 when the capacity found is below R
  --connections, --max-connections, --threads, --method, --header, --body, --timeout, --json, --junit, --html
                        as for greenlight load
  -h, --help

Exit codes: 0 a capacity was found (and met --min-capacity), 1 otherwise, 2 usage error.
)";

Duration duration_arg(const std::string& flag, const std::string& v) {
  auto d = parse_duration(v);
  if (!d) throw UsageError(flag + ": expected a duration such as 30s, got '" + v + "'");
  return *d;
}

double number_arg(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || d < 0) throw UsageError(flag + ": expected a non-negative number, got '" + v + "'");
  return d;
}

Threshold threshold_arg(const std::string& flag, const std::string& v) {
  try {
    return parse_threshold(v);
  } catch (const ThresholdError& e) {
    throw UsageError(flag + ": " + e.what());
  }
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// What both commands accept, parsed once.
struct LoadArgs {
  LoadSpec spec;
  Endpoint endpoint;
  std::vector<Threshold> thresholds;  // --threshold or --slo
  std::string json, junit, html, hdr_log, data;
  bool abort_on_fail = false;
  bool connections_given = false;
  CapacityOptions capacity;
  double min_capacity = 0;
  std::optional<ShardId> shard;  // --shard: spec is then this shard's part of `whole`
  LoadSpec whole;
};

LoadArgs parse_args(int argc, char** argv, bool capacity, bool* help) {
  LoadArgs a;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") *help = true;
    else if (arg == "--connections") a.spec.connections = static_cast<int>(number_arg(arg, value())), a.connections_given = true;
    else if (arg == "--max-connections") a.spec.max_connections = static_cast<int>(number_arg(arg, value()));
    else if (arg == "--threads") a.spec.threads = static_cast<int>(number_arg(arg, value()));
    else if (arg == "--timeout") a.spec.timeout_s = duration_arg(arg, value()).count();
    else if (arg == "--method") a.endpoint.method = value();
    else if (arg == "--body") a.endpoint.body = value();
    else if (arg == "--header") {
      std::string h = value();
      size_t colon = h.find(':');
      if (colon == std::string::npos || colon == 0) throw UsageError("--header needs 'Name: value', got '" + h + "'");
      size_t v = h.find_first_not_of(' ', colon + 1);
      a.endpoint.headers.emplace_back(h.substr(0, colon), v == std::string::npos ? "" : h.substr(v));
    } else if (arg == "--json") a.json = value();
    else if (arg == "--junit") a.junit = value();
    else if (arg == "--html") a.html = value();
    else if (!capacity && arg == "--duration") a.spec.duration_s = duration_arg(arg, value()).count();
    else if (!capacity && arg == "--rate") a.spec.rate = number_arg(arg, value()), a.spec.executor = ExecutorKind::constant_arrival_rate;
    else if (!capacity && arg == "--threshold") a.thresholds.push_back(threshold_arg(arg, value()));
    else if (!capacity && arg == "--hdr-log") a.hdr_log = value();
    else if (!capacity && arg == "--abort-on-fail") a.abort_on_fail = true;
    else if (!capacity && arg == "--data") a.data = value();
    else if (!capacity && arg == "--shard") {
      try {
        a.shard = parse_shard(value());
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--shard: ") + e.what());
      }
    }
    else if (capacity && arg == "--slo") a.thresholds.push_back(threshold_arg(arg, value()));
    else if (capacity && arg == "--start") a.capacity.start_rps = number_arg(arg, value());
    else if (capacity && arg == "--max") a.capacity.max_rps = number_arg(arg, value());
    else if (capacity && arg == "--growth") a.capacity.growth = number_arg(arg, value());
    else if (capacity && arg == "--refine") a.capacity.refine_steps = static_cast<int>(number_arg(arg, value()));
    else if (capacity && arg == "--step-duration") a.capacity.step_duration_s = duration_arg(arg, value()).count();
    else if (capacity && arg == "--min-capacity") a.min_capacity = number_arg(arg, value());
    else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (a.endpoint.url.empty()) a.endpoint.url = arg;
    else throw UsageError("unexpected argument " + arg);
  }
  if (*help) return a;
  if (a.endpoint.url.empty()) throw UsageError("missing the URL to load");
  if (a.endpoint.url.rfind("http://", 0) != 0)
    throw UsageError("the native engine loads http:// URLs, got '" + a.endpoint.url + "'");
  bool open = capacity || a.spec.executor == ExecutorKind::constant_arrival_rate;
  if (!a.connections_given) a.spec.connections = open ? 16 : 64;
  if (open && a.spec.max_connections == 0) a.spec.max_connections = std::max(a.spec.connections, 256);
  if (a.abort_on_fail && a.thresholds.empty()) throw UsageError("--abort-on-fail needs at least one --threshold");
  bool templated = has_template(a.endpoint.url) || has_template(a.endpoint.body);
  for (const auto& [k, v] : a.endpoint.headers) templated |= has_template(k) || has_template(v);
  if (!a.data.empty()) {
    try {
      a.spec.data = load_data_file(a.data);
    } catch (const DataFileError& e) {
      throw UsageError(std::string("--data: ") + e.what());
    }
  } else if (templated) {
    throw UsageError("${data:...} needs --data FILE");
  }
  a.endpoint.name = a.endpoint.url;
  a.spec.endpoints.push_back(a.endpoint);
  try {
    LoadSpec probe = a.spec;
    if (capacity) probe.executor = ExecutorKind::constant_arrival_rate, probe.rate = a.capacity.start_rps;
    validate(probe);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (a.shard) {
    if (a.json.empty()) throw UsageError("--shard needs --json FILE: the merge reads each shard's JSON result");
    // A shard's thresholds are only meaningful on the merged whole (its rps is 1/N of the test's).
    if (a.abort_on_fail) throw UsageError("--abort-on-fail cannot be used with --shard: a shard sees only its part of the test");
    if (a.hdr_log.empty()) a.hdr_log = std::filesystem::path(a.json).replace_extension(".hlog").string();
    a.whole = a.spec;
    try {
      a.spec = shard_spec(a.whole, *a.shard);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--shard: ") + e.what());
    }
  }
  return a;
}

RunResult one_suite_run(const std::string& target, std::vector<Check> checks, double duration_s, bool interrupted,
                        std::chrono::system_clock::time_point started) {
  RunResult run;
  run.tool_version = kVersion;
  run.plan_file = "(command line)";
  run.target = target;
  run.started_at = iso8601_utc(started);
  run.duration_s = duration_s;
  run.interrupted = interrupted;
  run.suites.push_back({"load", std::move(checks), duration_s});
  return run;
}

void write_hdr_log(const std::string& path, const LoadResult& r, std::chrono::system_clock::time_point started) {
  std::ofstream out(path);
  int64_t start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(started.time_since_epoch()).count();
  HdrLogWriter log(out, start_ms);
  log.write_comment("greenlight " + std::string(kVersion) + " per-second latency, microseconds");
  for (const IntervalStats& i : r.intervals) log.write_interval(i.start_s, 1.0, i.latency);
  if (!out) throw std::runtime_error("cannot write " + path);
}

// What the merge needs from this shard (docs/report-json.md, "Shard results").
ShardRecord shard_record(const LoadArgs& a, const LoadResult& result, std::chrono::system_clock::time_point started) {
  namespace fs = std::filesystem;
  ShardRecord rec;
  rec.shard = *a.shard;
  rec.started_at = iso8601_utc(started);
  rec.test = test_parameters(a.whole);
  for (const Threshold& t : a.thresholds) rec.thresholds.push_back(t.text);
  rec.planned_requests = a.spec.max_requests;
  // Relative to the JSON file, so the results directory can be copied or mounted elsewhere.
  fs::path log = fs::absolute(a.hdr_log), dir = fs::absolute(a.json).parent_path();
  fs::path rel = log.lexically_relative(dir);
  rec.hdr_log = rel.empty() ? log.string() : rel.string();
  rec.result = result;
  return rec;
}

}  // namespace

int cmd_load(int argc, char** argv) {
  bool help = false;
  LoadArgs a = parse_args(argc, argv, false, &help);
  if (help) return std::fputs(kLoadUsage, stdout), 0;
  install_interrupt_handler();
  StatusLine status(StatusLine::stderr_is_tty());
  auto started = std::chrono::system_clock::now();
  std::optional<AbortOnFail> abort;
  if (a.abort_on_fail) abort.emplace(a.thresholds, &interrupt_flag());
  std::string name = a.shard ? "load (shard " + a.shard->text() + ")" : "load";
  LoadResult result = run_with_status(a.spec, name, &interrupt_flag(), &status, abort ? &*abort : nullptr);
  ScenarioOutcome outcome{name, &a.spec, &result, a.shard ? decltype(ScenarioOutcome::thresholds){} : judge_thresholds(a.thresholds, result)};
  if (abort && abort->aborted()) {
    mark_aborted(outcome, abort->message(), abort->threshold());
    std::printf("%s\n", outcome.aborted.c_str());
  }
  std::fputs(load_summary_text(outcome).c_str(), stdout);
  for (const auto& [t, v] : outcome.thresholds)
    std::printf("  threshold %-24s %s  %s\n", t.text.c_str(), v.passed ? "ok  " : "FAIL", v.message.c_str());
  if (a.shard && !a.thresholds.empty())
    std::printf("  %zu threshold(s) recorded for greenlight report merge, which judges them on all %d shards\n",
                a.thresholds.size(), a.shard->count);
  if (!a.hdr_log.empty()) {
    try {
      write_hdr_log(a.hdr_log, result, started);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "greenlight: %s\n", e.what());
      return 2;
    }
  }
  RunResult run = one_suite_run(a.endpoint.url, load_checks(outcome), result.duration_s, result.interrupted, started);
  nlohmann::json summary = load_summary_json({outcome});
  if (a.shard) summary["shard"] = shard_json(shard_record(a, result, started));
  return write_load_outputs(run, summary, a.json, a.junit, a.html, "greenlight");
}

int cmd_capacity(int argc, char** argv) {
  bool help = false;
  LoadArgs a = parse_args(argc, argv, true, &help);
  if (help) return std::fputs(kCapacityUsage, stdout), 0;
  if (a.thresholds.empty()) throw UsageError("give at least one --slo, e.g. --slo 'p(99)<50ms'");
  a.capacity.base = a.spec;
  a.capacity.slos = a.thresholds;
  install_interrupt_handler();
  StatusLine status(StatusLine::stderr_is_tty());
  auto started = std::chrono::system_clock::now();
  CapacityResult result;
  try {
    result = find_capacity(a.capacity, &interrupt_flag(), &status);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  Check check = capacity_check(a.capacity, result, a.min_capacity);
  std::printf("%s\n%s\n", check.evidence[0].text.c_str(), check.message.c_str());
  double elapsed = std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();
  RunResult run = one_suite_run(a.endpoint.url, {check}, elapsed, result.interrupted, started);
  return write_load_outputs(run, capacity_json(a.capacity, result), a.json, a.junit, a.html, "greenlight");
}

int write_load_outputs(const RunResult& run, const nlohmann::json& summary, const std::string& json,
                       const std::string& junit, const std::string& html, const char* who) {
  try {
    if (!json.empty()) write_text(json, summary.dump(2) + "\n");
    if (!junit.empty()) write_text(junit, junit_xml(run));
    if (!html.empty()) write_text(html, html_report(run));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", who, e.what());
    return 2;
  }
  std::string v = verdict(run);
  for (auto& ch : v) ch = static_cast<char>(toupper(ch));
  Counts c = count(run);
  std::printf("%s: %d passed, %d failed\n", v.c_str(), c.passed, c.failed + c.error);
  return exit_code(run);
}

}  // namespace greenlight
