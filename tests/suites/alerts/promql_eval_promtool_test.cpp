// Parity with promtool 2.42 (Debian's prometheus package), with promtool as
// the oracle: greenlight's evaluator computes every expression of every
// function family on generated series, the values go into a promtool
// test file as exp_samples, and `promtool test rules` must pass it (when it
// does not, its output, which shows expected and got, is the failure
// message). Results promtool cannot compare (NaN never equals NaN) and
// evaluation errors are compared with what promtool prints instead. The
// same is done for every alert expression of the shared rule corpus, on
// series generated from each expression's selectors.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/eval.h"
#include "suites/alerts/promql/eval_regex.h"
#include "suites/alerts/promql/parser.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::promql;
using greenlight::test::run_tool;
using greenlight::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kSec = 1000, kMin = 60 * kSec;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && fs::exists(fs::path(dir) / program)) return true;
  return false;
}

// Deterministic across platforms, unlike std:: distributions.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  // A value with at most 2 decimals: exactly what both sides read.
  double cents(double lo, double hi) { return std::round((lo + (hi - lo) * uniform()) * 100) / 100; }
};

// ---- generated input: written to the YAML file and loaded into the store identically ----

struct GenSeries {
  Labels labels;
  std::vector<std::optional<double>> values;  // nullopt: no sample; stale_nan(): a staleness marker
};

std::string yaml_single(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Expressions may span lines (and hold # comments): a double-quoted scalar
// keeps the newlines that a single-quoted one would fold into spaces.
std::string yaml_double(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

std::string number_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string yaml_number(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? "+.inf" : "-.inf";
  return number_text(v);
}

std::string series_values_text(const GenSeries& s) {
  std::string out;
  for (const auto& v : s.values) {
    if (!out.empty()) out += ' ';
    if (!v) out += '_';
    else if (is_stale_nan(*v)) out += "stale";
    else out += number_text(*v);
  }
  return out;
}

void load_store(SeriesStore& store, const std::vector<GenSeries>& series, std::int64_t interval_ms) {
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.values.size(); ++i)
      if (s.values[i]) store.add(s.labels, static_cast<std::int64_t>(i) * interval_ms, *s.values[i]);
}

struct Case {
  std::string expr;
  std::int64_t t_ms = 0;
  Value mine;
  std::string error;  // greenlight's EvalError, if any
  // Sums and averages add in input order, and promtool's input order is
  // random (its loader creates series from a Go map): compared within a
  // few ulps rather than to the bit.
  bool order_sensitive = false;
};

bool adds_in_input_order(const Node& expr) {
  bool found = false;
  walk(expr, [&](const Node& n) {
    if (const auto* a = n.as<Aggregate>())
      found = found || a->op == AggOp::Sum || a->op == AggOp::Avg || a->op == AggOp::Stddev || a->op == AggOp::Stdvar;
  });
  return found;
}

Case evaluate_case(const std::string& expr, const Node& parsed, const SeriesStore& store, std::int64_t t) {
  Case c{expr, t, {}, "", adds_in_input_order(parsed)};
  try {
    c.mine = evaluate(parsed, store, t);
  } catch (const EvalError& err) {
    c.error = err.what();
  }
  return c;
}

bool has_nan(const Value& v) {
  if (v.type == ValueType::Scalar) return std::isnan(v.scalar);
  return std::any_of(v.vector.begin(), v.vector.end(), [](const InstantSample& s) { return std::isnan(s.value); });
}

// One promtool test group: input series and promql_expr_test entries, the
// expected samples being greenlight's values (or none, for cases compared
// through promtool's output).
std::string test_group(const std::vector<GenSeries>& series, std::int64_t interval_ms, const std::vector<const Case*>& cases,
                       bool with_expectations) {
  std::string y = "  - interval: " + format_duration(interval_ms) + "\n    input_series:\n";
  for (const auto& s : series)
    y += "      - series: " + yaml_single(format_labels(s.labels)) + "\n        values: " + yaml_single(series_values_text(s)) + "\n";
  if (series.empty()) y += "      []\n";
  y += "    promql_expr_test:\n";
  for (const Case* c : cases) {
    y += "      - expr: " + yaml_double(c->expr) + "\n        eval_time: " + format_duration(c->t_ms) + "\n";
    std::vector<InstantSample> samples;
    if (with_expectations) {
      if (c->mine.type == ValueType::Scalar) samples.push_back({{}, c->mine.scalar});
      else samples = c->mine.vector;
    }
    if (samples.empty()) {
      y += "        exp_samples: []\n";
      continue;
    }
    y += "        exp_samples:\n";
    for (const auto& s : samples)
      y += "          - labels: " + yaml_single(format_labels(s.labels)) + "\n            value: " + yaml_number(s.value) + "\n";
  }
  return y;
}

std::string file_header(std::int64_t evaluation_interval_ms) {
  return "rule_files: []\nevaluation_interval: " + format_duration(evaluation_interval_ms) + "\ntests:\n";
}

// ---- promtool's failure output ----

std::string go_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\t') {
      out += "\\t";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct Reported {
  std::string got;    // the `got:` line, when the values differed
  std::string error;  // the `err:` text, when evaluation failed
};

// Failure blocks by (quoted expr, time) as promtool prints them.
std::map<std::pair<std::string, std::string>, Reported> parse_failures(const std::string& out) {
  std::map<std::pair<std::string, std::string>, Reported> result;
  std::istringstream in(out);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string l = lines[i];
    std::size_t e = l.find("expr: \"");
    if (e == std::string::npos) continue;
    // The quoted expression ends at the first unescaped quote.
    std::size_t q = e + 6, end = q + 1;
    while (end < l.size() && l[end] != '"') end += l[end] == '\\' ? 2 : 1;
    std::string quoted = l.substr(q, end - q + 1);
    std::size_t tpos = l.find(", time: ", end);
    if (tpos == std::string::npos) continue;
    std::string rest = l.substr(tpos + 8);
    std::size_t comma = rest.find(',');
    std::string time = rest.substr(0, comma);
    Reported r;
    std::size_t errpos = rest.find(", err: ");
    if (errpos != std::string::npos) {
      r.error = rest.substr(errpos + 7);
    } else {
      for (std::size_t k = i + 1; k < lines.size() && k <= i + 3; ++k) {
        std::size_t g = lines[k].find("got: ");
        if (g != std::string::npos) {
          r.got = lines[k].substr(g + 5);
          break;
        }
      }
    }
    result[{quoted, time}] = r;
  }
  return result;
}

// Go's FormatFloat(v, 'E', -1, 64), as promtool prints got values.
std::string go_e(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  for (int prec = 0; prec < 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*E", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  // C prints E+00 too; Go trims to at least two exponent digits, the same.
  return s;
}

// The `got:` text promtool prints for a result: samples sorted by labels,
// `{a="b"} 1.5E+00` joined by ", ".
std::string promtool_got_text(const Value& v) {
  std::vector<InstantSample> samples;
  if (v.type == ValueType::Scalar) samples.push_back({{}, v.scalar});
  else samples = v.vector;
  std::sort(samples.begin(), samples.end(), [](const InstantSample& a, const InstantSample& b) { return a.labels < b.labels; });
  std::string out;
  for (const auto& s : samples) {
    if (!out.empty()) out += ", ";
    std::string l = "{";
    for (std::size_t i = 0; i < s.labels.size(); ++i) {
      if (i) l += ", ";
      l += s.labels[i].first + "=" + go_quote(s.labels[i].second);
    }
    out += l + "} " + go_e(s.value);
  }
  return out;
}

// `{a="b"} 1.5E+00, {c="d"} NaN` as (labels text, value) pairs.
std::vector<std::pair<std::string, double>> parse_got(const std::string& text) {
  std::vector<std::pair<std::string, double>> out;
  std::size_t i = 0;
  while ((i = text.find('{', i)) != std::string::npos) {
    std::size_t j = i + 1;
    bool quoted = false;
    for (; j < text.size(); ++j) {
      if (quoted && text[j] == '\\') ++j;
      else if (text[j] == '"') quoted = !quoted;
      else if (!quoted && text[j] == '}') break;
    }
    std::string labels = text.substr(i, j - i + 1);
    std::size_t v = j + 2, end = text.find(", ", v);
    std::string value = text.substr(v, end == std::string::npos ? std::string::npos : end - v);
    double d = value == "NaN" ? std::nan("") : value == "+Inf" ? INFINITY : value == "-Inf" ? -INFINITY : std::strtod(value.c_str(), nullptr);
    out.push_back({labels, d});
    i = end == std::string::npos ? text.size() : end;
  }
  return out;
}

bool within_ulps(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

bool same_results(const std::string& mine, const std::string& theirs, bool tolerant) {
  if (mine == theirs) return true;
  if (!tolerant) return false;
  auto a = parse_got(mine), b = parse_got(theirs);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].first != b[i].first || !within_ulps(a[i].second, b[i].second)) return false;
  return true;
}

// Which duplicate a match finds first, and the sum inside a topk parameter,
// depend on input order, which is random in promtool: messages that differ
// only there are the same error.
bool same_error(const std::string& mine, const std::string& theirs) {
  if (mine == theirs) return true;
  const std::string dup = "found duplicate series for the match group ";
  if (mine.rfind(dup, 0) == 0 && theirs.rfind(dup, 0) == 0) {
    auto side = [](const std::string& m) { return m.substr(m.find(" on the "), m.find(" hand-side") - m.find(" on the ")); };
    auto tail = [](const std::string& m) { return m.substr(m.find("];")); };
    return side(mine) == side(theirs) && tail(mine) == tail(theirs);
  }
  const std::string scalar = "Scalar value ";
  if (mine.rfind(scalar, 0) == 0 && theirs.rfind(scalar, 0) == 0) {
    double a = std::strtod(mine.c_str() + scalar.size(), nullptr), b = std::strtod(theirs.c_str() + scalar.size(), nullptr);
    return within_ulps(a, b) && mine.substr(mine.find(" overflows")) == theirs.substr(theirs.find(" overflows"));
  }
  return false;
}

struct ParityResult {
  int matched_values = 0, matched_nan = 0, matched_order_sensitive = 0, matched_errors = 0, skipped = 0;
  std::vector<std::string> problems;
  std::string promtool_output;
};

// Runs the cases of one group set through promtool: exp_samples first, then
// the NaN and error cases through promtool's own report.
ParityResult check_with_promtool(const TempDir& dir, const std::string& name,
                                 const std::vector<std::pair<std::vector<GenSeries>, std::vector<Case>>>& groups,
                                 std::int64_t interval_ms, std::int64_t evaluation_interval_ms) {
  ParityResult r;
  std::string valued = file_header(evaluation_interval_ms), reported = file_header(evaluation_interval_ms);
  std::vector<const Case*> reported_cases;
  bool any_valued = false, any_reported = false;
  for (const auto& [series, cases] : groups) {
    std::vector<const Case*> a, b;
    for (const auto& c : cases) {
      if (!c.error.empty() || (c.mine.type != ValueType::Vector && c.mine.type != ValueType::Scalar)) {
        if (c.error.empty()) {
          ++r.skipped;
          continue;
        }
        b.push_back(&c);
      } else if (has_nan(c.mine) || c.order_sensitive) {
        b.push_back(&c);
      } else {
        a.push_back(&c);
      }
    }
    if (!a.empty()) {
      valued += test_group(series, interval_ms, a, true);
      any_valued = true;
    }
    if (!b.empty()) {
      reported += test_group(series, interval_ms, b, false);
      any_reported = true;
      reported_cases.insert(reported_cases.end(), b.begin(), b.end());
    }
    r.matched_values += static_cast<int>(a.size());
  }
  if (any_valued) {
    std::string path = dir.file(name + "_values.yml");
    std::ofstream(path) << valued;
    auto res = run_tool("promtool", {"test", "rules", path});
    r.promtool_output = res.out + res.err;
    if (res.exit_code != 0) {
      // One problem per failure block (expr, exp and got, as promtool prints them).
      std::istringstream lines(r.promtool_output);
      std::string block;
      int failed = 0;
      for (std::string l; std::getline(lines, l);) {
        if (l.find("expr: \"") != std::string::npos || l.find("alertname: ") != std::string::npos) {
          if (!block.empty()) r.problems.push_back("promtool does not accept greenlight's values:\n" + block);
          block.clear();
          ++failed;
        }
        if (!block.empty() || l.find("expr: \"") != std::string::npos) block += l + "\n";
      }
      if (!block.empty()) r.problems.push_back("promtool does not accept greenlight's values:\n" + block);
      if (failed == 0) r.problems.push_back("promtool failed on " + path + ":\n" + r.promtool_output);
      r.matched_values -= failed;
    }
  }
  if (any_reported) {
    std::string path = dir.file(name + "_reported.yml");
    std::ofstream(path) << reported;
    auto res = run_tool("promtool", {"test", "rules", path});
    auto failures = parse_failures(res.out + res.err);
    for (const Case* c : reported_cases) {
      auto it = failures.find({go_quote(c->expr), format_duration(c->t_ms)});
      std::string where = c->expr + " at " + format_duration(c->t_ms);
      if (!c->error.empty()) {
        if (it == failures.end() || it->second.error.empty())
          r.problems.push_back(where + ": greenlight fails with \"" + c->error + "\", promtool does not");
        else if (!same_error(c->error, it->second.error))
          r.problems.push_back(where + ": greenlight fails with \"" + c->error + "\", promtool with \"" + it->second.error + "\"");
        else
          ++r.matched_errors;
        continue;
      }
      std::string mine = promtool_got_text(c->mine);
      // An empty result passes an empty exp_samples: nothing reported.
      std::string theirs = it == failures.end() ? "" : it->second.error.empty() ? it->second.got : "error: " + it->second.error;
      if (!same_results(mine, theirs, c->order_sensitive))
        r.problems.push_back(where + ":\n  greenlight: " + mine + "\n  promtool:   " + theirs);
      else if (c->order_sensitive)
        ++r.matched_order_sensitive;
      else
        ++r.matched_nan;
    }
  }
  return r;
}

// ---- the function families ----

std::vector<GenSeries> family_series(std::size_t steps) {
  Rng rng{0x9e3779b97f4a7c15ULL};
  std::vector<GenSeries> out;
  // Counters: one resets, one starts late, one goes stale and comes back.
  for (std::string job : {"api", "web"})
    for (std::string inst : {"a", "b"})
      for (std::string code : {"200", "500"}) {
        GenSeries s{{{"__name__", "http_requests_total"}, {"code", code}, {"instance", inst}, {"job", job}}, {}};
        double v = rng.cents(0, 50);
        for (std::size_t i = 0; i < steps; ++i) {
          v += rng.cents(0, code == "200" ? 20 : 3);
          if (job == "api" && inst == "a" && code == "500" && i == 100) v = rng.cents(0, 2);
          std::optional<double> value = v;
          if (job == "web" && inst == "b" && code == "500" && i < 40) value.reset();
          if (job == "web" && inst == "a" && code == "200" && i == 150) value = stale_nan();
          if (job == "web" && inst == "a" && code == "200" && i > 150 && i < 170) value.reset();
          s.values.push_back(value);
        }
        out.push_back(std::move(s));
      }
  // Gauges: a random walk, negative values included.
  for (std::string room : {"kitchen", "hall", "cellar"}) {
    GenSeries s{{{"__name__", "temperature"}, {"room", room}}, {}};
    double v = rng.cents(-5, 30);
    for (std::size_t i = 0; i < steps; ++i) {
      v = std::round((v + rng.cents(-2, 2)) * 100) / 100;
      s.values.push_back(v);
    }
    out.push_back(std::move(s));
  }
  // The same rooms in Fahrenheit: same labels, another name.
  for (std::size_t k = out.size() - 3, end = out.size(); k < end; ++k) {
    GenSeries f = out[k];
    f.labels[0].second = "temperature_f";
    for (auto& v : f.values) v = std::round((*v * 1.8 + 32) * 100) / 100;
    out.push_back(std::move(f));
  }
  for (std::string job : {"api", "web"})
    for (std::string inst : {"a", "b"}) {
      GenSeries s{{{"__name__", "up"}, {"instance", inst}, {"job", job}}, {}};
      for (std::size_t i = 0; i < steps; ++i) s.values.push_back(rng.uniform() < 0.8 ? 1.0 : 0.0);
      out.push_back(std::move(s));
    }
  // Classic histogram buckets, cumulative and consistent.
  for (std::string job : {"api", "web"}) {
    std::vector<std::string> les = {"0.1", "0.5", "1", "+Inf"};
    std::vector<double> counts(les.size(), 0);
    std::vector<GenSeries> buckets;
    for (const auto& le : les)
      buckets.push_back({{{"__name__", "request_duration_seconds_bucket"}, {"job", job}, {"le", le}}, {}});
    for (std::size_t i = 0; i < steps; ++i) {
      double add = 0;
      for (std::size_t b = 0; b < les.size(); ++b) {
        add += std::floor(rng.uniform() * 10);
        counts[b] += add;
        buckets[b].values.push_back(counts[b]);
      }
    }
    for (auto& b : buckets) out.push_back(std::move(b));
  }
  for (std::string inst : {"a", "b", "c", "d", "e"}) {
    GenSeries s{{{"__name__", "version"}, {"instance", inst}}, {}};
    double v = std::floor(rng.uniform() * 3) + 1;
    for (std::size_t i = 0; i < steps; ++i) s.values.push_back(v);
    out.push_back(std::move(s));
  }
  for (std::string job : {"api", "web"}) {
    GenSeries s{{{"__name__", "build_info"}, {"job", job}, {"revision", job == "api" ? "abc" : "def"}}, {}};
    for (std::size_t i = 0; i < steps; ++i) s.values.push_back(1.0);
    out.push_back(std::move(s));
  }
  GenSeries boot{{{"__name__", "boot_time_seconds"}, {"instance", "a"}}, {}};
  for (std::size_t i = 0; i < steps; ++i) boot.values.push_back(1614556740.0 + static_cast<double>(i) * 3607);
  out.push_back(std::move(boot));
  return out;
}

const std::vector<std::string>& family_expressions() {
  static const std::vector<std::string> exprs = {
      // selectors, matchers, offset, @
      "http_requests_total", "http_requests_total{job=\"api\"}", "http_requests_total{code=~\"5..\"}",
      "http_requests_total{code!=\"200\", instance!~\"a\"}", "{__name__=~\"http_.*|up\", job=\"web\"}",
      "http_requests_total offset 5m", "temperature offset -2m", "up @ 300", "temperature{room=\"hall\"} @ 600 offset 1m",
      "http_requests_total{job=\"web\", instance=\"a\", code=\"200\"}", "http_requests_total{env=\"\"}",
      // rates
      "rate(http_requests_total[5m])", "rate(http_requests_total[1m])", "rate(http_requests_total[2m] offset 3m)",
      "irate(http_requests_total[5m])", "increase(http_requests_total[10m])", "increase(http_requests_total[45s])",
      "delta(temperature[10m])", "idelta(temperature[5m])", "deriv(temperature[15m])", "deriv(http_requests_total[5m])",
      "predict_linear(temperature[30m], 3600)", "predict_linear(http_requests_total[10m], 600)",
      "changes(up[30m])", "resets(http_requests_total[1h])", "changes(temperature[10m])",
      // *_over_time
      "avg_over_time(temperature[10m])", "min_over_time(temperature[10m])", "max_over_time(temperature[10m])",
      "sum_over_time(temperature[10m])", "count_over_time(http_requests_total[10m])",
      "quantile_over_time(0.9, temperature[20m])", "quantile_over_time(0, temperature[20m])",
      "stddev_over_time(temperature[20m])", "stdvar_over_time(temperature[20m])", "last_over_time(temperature[5m])",
      "present_over_time(http_requests_total[5m])", "absent_over_time(nonexistent{job=\"x\"}[5m])",
      "absent_over_time(up[5m])", "holt_winters(temperature[10m], 0.3, 0.6)",
      // aggregations
      "sum(rate(http_requests_total[5m]))", "sum by (job) (rate(http_requests_total[5m]))",
      "sum without (instance, code) (rate(http_requests_total[5m]))", "avg by (code) (http_requests_total)",
      "min by (job) (http_requests_total)", "max without (code) (http_requests_total)", "count by (job) (up == 1)",
      "group by (job) (up)", "stddev(temperature)", "stdvar by (job) (rate(http_requests_total[5m]))",
      "topk(3, http_requests_total)", "bottomk by (job) (2, http_requests_total)", "topk(2, temperature)",
      "quantile(0.75, temperature)", "quantile by (job) (0.5, rate(http_requests_total[5m]))",
      "count_values(\"v\", version)", "count_values without (instance) (\"v\", version)", "sum(temperature) by ()",
      // arithmetic and comparisons
      "http_requests_total + 1", "2 * temperature", "temperature - temperature", "temperature / 3",
      "temperature % 7", "temperature ^ 2", "2 ^ temperature{room=\"hall\"}", "temperature atan2 2",
      "-temperature", "temperature > 10", "temperature > bool 10", "10 < temperature", "10 >= bool temperature",
      "temperature == temperature", "temperature != bool 5", "1 + 2 * 3 - 4 / 5", "7 % 3 ^ 2",
      "(1 > bool 0) + (2 <= bool 1)",
      "sum by (job) (rate(http_requests_total{code=\"500\"}[5m])) / sum by (job) (rate(http_requests_total[5m]))",
      "rate(http_requests_total{code=\"500\"}[5m]) / ignoring(code) rate(http_requests_total{code=\"200\"}[5m])",
      "http_requests_total / on(job, instance) group_left up",
      "http_requests_total * on(job) group_left(revision) build_info",
      "build_info * on(job) group_right(revision) http_requests_total",
      "up > on(job, instance) group_left sum by (job, instance) (http_requests_total) * 0",
      "up == on(job, instance) (sum by (job, instance) (http_requests_total) > 1000) * 0 + 1",
      // set operators
      "up and up == 1", "http_requests_total and on(job, instance) up == 0",
      "up == 0 or up", "http_requests_total{code=\"200\"} unless on(job) up == 0",
      "temperature > 15 or on() vector(0)", "up unless up",
      // functions
      "abs(temperature)", "ceil(temperature)", "floor(temperature)", "round(temperature)", "round(temperature, 0.5)",
      "round(temperature, 5)", "sgn(temperature)", "exp(temperature / 10)", "ln(abs(temperature) + 1)",
      "log2(http_requests_total)", "log10(http_requests_total)", "sqrt(abs(temperature))",
      "clamp(temperature, 0, 20)", "clamp_min(temperature, 5)", "clamp_max(temperature, 5)", "clamp(temperature, 5, 0)",
      "timestamp(up)", "timestamp(sum(up))", "time()", "time() - boot_time_seconds", "vector(time())",
      "scalar(sum(up))", "scalar(up)", "vector(1)", "day_of_week(boot_time_seconds)", "day_of_month(boot_time_seconds)",
      "day_of_year(boot_time_seconds)", "days_in_month(boot_time_seconds)", "hour(boot_time_seconds)",
      "minute(boot_time_seconds)", "month(boot_time_seconds)", "year(boot_time_seconds)", "hour()", "minute()",
      "label_replace(up, \"host\", \"$1-x\", \"instance\", \"(.*)\")",
      "label_replace(up, \"job\", \"\", \"job\", \"api\")", "label_replace(up, \"x\", \"$1\", \"instance\", \"([a-z])\")",
      "label_join(up, \"id\", \"/\", \"job\", \"instance\")", "sort(temperature)", "sort_desc(temperature)",
      "absent(nonexistent{job=\"api\", instance=~\"a.*\"})", "absent(up)", "absent(sum(nonexistent))",
      "histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[10m])))",
      "histogram_quantile(0.5, rate(request_duration_seconds_bucket[5m]))",
      "histogram_quantile(0.99, sum by (job, le) (increase(request_duration_seconds_bucket[1h])))",
      "histogram_quantile(1.5, rate(request_duration_seconds_bucket[5m]))",
      "sin(temperature)", "cos(temperature)", "deg(temperature)", "rad(temperature)",
      // subqueries
      "max_over_time(rate(http_requests_total[1m])[10m:1m])", "avg_over_time(temperature[5m:30s])",
      "min_over_time(sum(temperature)[10m:2m] offset 1m)", "rate(sum(http_requests_total)[5m:])",
      "sum_over_time(temperature[3m:1m] @ 900)", "count_over_time(up[7m:45s])",
      // errors Prometheus raises
      "http_requests_total * on(job) up", "up * on(job) group_left http_requests_total",
      "-{__name__=~\"temperature|up\", room=\"\"} * 0 + {__name__=~\"temperature|up\"}",
      "rate({__name__=~\"http_requests_total|up\", job=\"api\", instance=\"a\"}[5m])",
      "abs({__name__=~\"temperature.*\"})", "max_over_time({__name__=~\"temperature.*\"}[5m])",
      "last_over_time({__name__=~\"temperature.*\"}[5m])", "{__name__=~\"temperature.*\"} + 1",
      "{__name__=~\"temperature.*\"} > 0", "{__name__=~\"temperature.*\"} > bool 0",
      "topk(scalar(sum(http_requests_total)) * 1e30, up)", "label_replace(up, \"job\", \"x\", \"\", \"\")",
  };
  return exprs;
}

// ---- the rule corpus ----

struct CorpusAlert {
  std::string where;
  std::string expr;
};

std::vector<CorpusAlert> corpus_alerts(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && (e.path().extension() == ".yml" || e.path().extension() == ".yaml")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<CorpusAlert> out;
  for (const auto& f : files) {
    YAML::Node doc = YAML::LoadFile(f.string());
    if (!doc || !doc.IsMap() || !doc["groups"]) continue;
    for (const auto& g : doc["groups"])
      for (const auto& rule : g["rules"])
        if (rule["alert"] && rule["expr"])
          out.push_back({f.filename().string() + ": " + rule["alert"].as<std::string>(), rule["expr"].as<std::string>()});
  }
  return out;
}

// A value satisfying a regex matcher: an alternative, or the pattern with
// its wildcards filled in; "" when nothing simple works.
std::optional<std::string> value_for_regex(const std::string& pattern) {
  std::shared_ptr<const GoRegex> re;
  try {
    re = cached_regex(pattern);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::vector<std::string> candidates;
  std::string body = pattern;
  if (body.size() > 4 && body.rfind("(?:", 0) == 0 && body.back() == ')') body = body.substr(3, body.size() - 4);
  if (body.size() > 2 && body.front() == '(' && body.back() == ')') body = body.substr(1, body.size() - 2);
  std::stringstream alts(body);
  for (std::string a; std::getline(alts, a, '|');) candidates.push_back(a);
  candidates.push_back(pattern);
  for (std::string c : candidates) {
    for (const char* wild : {".*", ".+", "\\d+", "[0-9]+", "[a-z]+", "\\w+", "."}) {
      std::size_t p;
      while ((p = c.find(wild)) != std::string::npos) c.replace(p, std::strlen(wild), "x1");
    }
    std::string plain;
    for (char ch : c)
      if (ch != '^' && ch != '$' && ch != '(' && ch != ')' && ch != '\\') plain += ch;
    for (const std::string& v : {c, plain, std::string("x1"), std::string("1"), std::string("")})
      if (!v.empty() && re->full_match(v)) return v;
  }
  if (re->full_match("")) return std::string();
  return std::nullopt;
}

bool looks_like_counter(const std::string& name) {
  for (const char* suffix : {"_total", "_count", "_sum", "_bucket"})
    if (name.size() > std::strlen(suffix) && name.compare(name.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
      return true;
  return false;
}

// Series for every selector of an expression: a few instances per selector
// carrying its equality labels (and values that satisfy its regexes),
// counters increasing, gauges random, _bucket series as whole histograms.
std::vector<GenSeries> corpus_series(const Node& expr, std::size_t steps, Rng& rng) {
  // topk and bottomk pick among ties by input order, which is random in
  // promtool: no 0/1 gauges (and so no ties) for them.
  bool ties_allowed = true;
  walk(expr, [&](const Node& n) {
    if (const auto* a = n.as<Aggregate>()) ties_allowed = ties_allowed && a->op != AggOp::Topk && a->op != AggOp::Bottomk;
  });
  std::map<Labels, GenSeries> out;
  walk(expr, [&](const Node& n) {
    const auto* vs = n.as<VectorSelector>();
    if (!vs) return;
    std::string name = vs->metric_name();
    if (name.empty()) return;
    Labels base{{"__name__", name}};
    bool satisfiable = true;
    for (const auto& m : vs->matchers) {
      if (m.name == "__name__") continue;
      std::optional<std::string> v;
      if (m.op == MatchOp::Equal) v = m.value;
      else if (m.op == MatchOp::Regex) v = value_for_regex(m.value);
      else if (m.op == MatchOp::NotEqual) v = m.value == "other" ? "another" : "other";
      else v = cached_regex(m.value)->full_match("other") ? std::optional<std::string>() : std::optional<std::string>("other");
      if (!v) {
        satisfiable = false;
        break;
      }
      if (!v->empty()) base.push_back({m.name, *v});
    }
    if (!satisfiable) return;
    bool bucket = name.size() > 7 && name.compare(name.size() - 7, 7, "_bucket") == 0;
    bool counter = looks_like_counter(name);
    for (std::string inst : {"i0", "i1", "i2"}) {
      Labels l = base;
      bool has_instance = false;
      for (const auto& p : l) has_instance = has_instance || p.first == "instance";
      if (!has_instance) l.push_back({"instance", inst});
      else if (inst != "i0") break;
      std::vector<std::string> les = bucket ? std::vector<std::string>{"0.1", "1", "10", "+Inf"} : std::vector<std::string>{""};
      // Each bucket starts above and grows faster than the one below it.
      double cumulative_base = 0;
      for (std::size_t b = 0; b < les.size(); ++b) {
        Labels bl = l;
        if (bucket) {
          bl.erase(std::remove_if(bl.begin(), bl.end(), [](const auto& p) { return p.first == "le"; }), bl.end());
          bl.push_back({"le", les[b]});
        }
        std::sort(bl.begin(), bl.end());
        if (out.count(bl)) continue;
        GenSeries s{bl, {}};
        double v = counter ? rng.cents(0, 100) + cumulative_base : rng.cents(0, 100);
        for (std::size_t i = 0; i < steps; ++i) {
          if (counter) {
            v += rng.cents(0, 10) + (bucket ? static_cast<double>(b) * 5 : 0);
          } else {
            // Gauges are often compared with 0 and 1 (up == 0, ready == 1).
            double pick = ties_allowed ? rng.uniform() : 1.0;
            v = pick < 0.25 ? 0 : pick < 0.45 ? 1 : rng.cents(0, 100);
          }
          s.values.push_back(std::round(v * 100) / 100);
        }
        cumulative_base += 1000;
        out.emplace(bl, std::move(s));
      }
    }
  });
  std::vector<GenSeries> series;
  for (auto& [l, s] : out) series.push_back(std::move(s));
  return series;
}

}  // namespace

TEST_CASE("every function family agrees with promtool on generated series", "[promql][eval][promtool]") {
  if (!on_path("promtool")) {
    WARN("skipped: promtool is not on PATH (Debian's prometheus package provides it)");
    return;
  }
  const std::int64_t interval = 15 * kSec, evaluation_interval = kMin;
  const std::size_t steps = 241;  // 0 .. 60m
  std::vector<GenSeries> series = family_series(steps);
  SeriesStore store;
  load_store(store, series, interval);

  std::vector<Case> cases;
  // Eval times are multiples of the evaluation interval: promtool loads input
  // only up to its last evaluation step.
  for (std::int64_t t : {10 * kMin, 25 * kMin, 47 * kMin, 60 * kMin})
    for (const auto& e : family_expressions()) cases.push_back(evaluate_case(e, *parse_promql_or_throw(e), store, t));
  TempDir dir;
  ParityResult r = check_with_promtool(dir, "families", {{series, cases}}, interval, evaluation_interval);
  for (const auto& p : r.problems) UNSCOPED_INFO(p);
  CHECK(r.problems.empty());
  WARN(cases.size() << " evaluations: " << r.matched_values << " with promtool accepting greenlight's values, "
                    << r.matched_order_sensitive << " sums/averages within 1e-12, " << r.matched_nan
                    << " NaN results and " << r.matched_errors << " errors as promtool reports them, " << r.skipped
                    << " skipped");
  CHECK(r.matched_values > 400);
  CHECK(r.matched_errors >= 20);
}

TEST_CASE("promtool rejects a value greenlight did not compute", "[promql][eval][promtool]") {
  // The oracle must be able to say no: one value off by one is reported
  // with both numbers.
  if (!on_path("promtool")) {
    WARN("skipped: promtool is not on PATH");
    return;
  }
  std::vector<GenSeries> series = family_series(41);
  SeriesStore store;
  load_store(store, series, 15 * kSec);
  Case good = evaluate_case("max(rate(http_requests_total[5m]))", *parse_promql_or_throw("max(rate(http_requests_total[5m]))"), store, 10 * kMin);
  Case bad = good;
  bad.expr = "max(rate(http_requests_total[5m])) * 1";
  bad.mine.vector.at(0).value += 1;
  TempDir dir;
  ParityResult r = check_with_promtool(dir, "control", {{series, {good, bad}}}, 15 * kSec, kMin);
  REQUIRE(r.problems.size() == 1);
  CHECK_THAT(r.problems[0], Catch::Contains("max(rate(http_requests_total[5m])) * 1") && Catch::Contains("got:") &&
                                Catch::Contains("exp:"));
  CHECK_THAT(r.problems[0], !Catch::Contains("expr: \"max(rate(http_requests_total[5m]))\","));
}

TEST_CASE("every alert of the rule corpus evaluates as promtool evaluates it", "[promql][eval][promtool][corpus]") {
  const fs::path corpus = fs::path(SOURCE_DIR) / ".." / "shared" / "corpus" / "prometheus-rules";
  if (!fs::is_directory(corpus)) {
    WARN("skipped: the rule corpus " << corpus.string() << " is not there");
    return;
  }
  std::vector<CorpusAlert> alerts = corpus_alerts(corpus);
  REQUIRE(alerts.size() > 1500);
  // promtool reports failures by expression and time: each distinct
  // expression once (several files share alerts).
  std::size_t all_alerts = alerts.size();
  std::set<std::string> seen;
  alerts.erase(std::remove_if(alerts.begin(), alerts.end(), [&](const CorpusAlert& a) { return !seen.insert(a.expr).second; }),
               alerts.end());
  const std::int64_t interval = kMin;
  const std::size_t steps = 91;  // 0 .. 90m
  Rng rng{42};
  std::vector<std::pair<std::vector<GenSeries>, std::vector<Case>>> groups;
  int evaluated = 0, errors = 0, empty = 0;
  std::map<std::string, int> error_kinds;
  for (const auto& a : alerts) {
    ParseResult parsed = parse_promql(a.expr);
    REQUIRE(parsed.ok());
    std::vector<GenSeries> series = corpus_series(*parsed.expr, steps, rng);
    SeriesStore store;
    load_store(store, series, interval);
    std::vector<Case> cases;
    for (std::int64_t t : {30 * kMin, 60 * kMin, 90 * kMin}) {
      Case c = evaluate_case(a.expr, *parsed.expr, store, t);
      if (!c.error.empty()) {
        ++errors;
        ++error_kinds[c.error.substr(0, 60)];
      } else if (c.mine.type == ValueType::Vector && c.mine.vector.empty()) {
        ++empty;
      }
      ++evaluated;
      cases.push_back(std::move(c));
    }
    groups.push_back({std::move(series), std::move(cases)});
  }
  std::string kinds;
  for (const auto& [k, n] : error_kinds) kinds += "\n  " + std::to_string(n) + " x " + k;
  WARN("corpus: " << all_alerts << " alerts, " << alerts.size() << " distinct expressions, " << evaluated << " evaluations, " << empty << " empty results, "
                  << errors << " evaluation errors" << kinds);
  if (!on_path("promtool")) {
    WARN("promtool is not on PATH: values not compared");
    CHECK(errors * 20 < evaluated);
    return;
  }
  TempDir dir;
  ParityResult r = check_with_promtool(dir, "corpus", groups, interval, kMin);
  for (std::size_t i = 0; i < r.problems.size() && i < 30; ++i) UNSCOPED_INFO(r.problems[i].substr(0, 4000));
  CHECK(r.problems.empty());
  WARN("corpus parity: " << r.matched_values << " evaluations with promtool accepting greenlight's values, "
                         << r.matched_order_sensitive << " sums/averages within 1e-12, " << r.matched_nan
                         << " NaN results and " << r.matched_errors << " errors as promtool reports them");
}
