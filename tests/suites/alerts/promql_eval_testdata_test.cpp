// Prometheus' own PromQL engine cases, kept as data in their test format
// (tests/suites/alerts/testdata/promql/*.test: `load <interval>` with series
// in the expanding notation, `eval instant at <time> <expr>` with the
// expected samples, `eval_ordered`, `eval_fail`, `clear`), read by a small
// reader here and run through greenlight's evaluator. Values compare as
// Prometheus' test framework compares them (relative error 1e-6, NaN equal
// to NaN).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/eval.h"
#include "suites/alerts/promql/parser.h"

using namespace greenlight::promql;
namespace fs = std::filesystem;

namespace {

struct TestFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string trim(const std::string& s) {
  std::size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  std::size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

double parse_number(const std::string& text, const std::string& where) {
  std::string t = text;
  std::string lower = t;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "nan") return std::nan("");
  if (lower == "inf" || lower == "+inf") return INFINITY;
  if (lower == "-inf") return -INFINITY;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size()) throw TestFileError(where + ": not a number: " + text);
  return v;
}

// `metric{a="b"}` or `{__name__="m", a="b"}` as a label set.
Labels parse_series(const std::string& text, const std::string& where) {
  if (text == "{}") return {};
  ParseResult r = parse_promql(text);
  const VectorSelector* vs = r.ok() ? r.expr->as<VectorSelector>() : nullptr;
  if (!vs) throw TestFileError(where + ": not a series description: " + text);
  Labels labels;
  if (!vs->name.empty()) labels.push_back({"__name__", vs->name});
  for (const auto& m : vs->matchers) labels.push_back({m.name, m.value});
  std::sort(labels.begin(), labels.end());
  return labels;
}

// Splits `metric{a="b c"}  1 2 3` into the description and the rest.
std::pair<std::string, std::string> split_series_line(const std::string& line) {
  std::size_t i = 0;
  bool in_braces = false;
  char quote = 0;
  for (; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (in_braces && (c == '"' || c == '\'' || c == '`')) quote = c;
    else if (c == '{') in_braces = true;
    else if (c == '}') in_braces = false;
    else if (!in_braces && (c == ' ' || c == '\t')) break;
  }
  return {line.substr(0, i), trim(line.substr(i))};
}

// One value of the expanding notation: `_`, `stale`, a number, `_xN`,
// `axN`, `a+bxN`, `a-bxN`. nullopt entries are missing samples.
std::vector<std::optional<double>> expand(const std::string& token, const std::string& where) {
  std::vector<std::optional<double>> out;
  if (token == "_") return {std::nullopt};
  if (token == "stale") return {stale_nan()};
  std::size_t x = token.rfind('x');
  if (x == std::string::npos || x == 0) return {parse_number(token, where)};
  int n = std::stoi(token.substr(x + 1));
  std::string head = token.substr(0, x);
  if (head == "_") return std::vector<std::optional<double>>(static_cast<std::size_t>(n), std::nullopt);
  // The operator between start and step: the last + or - that is not a sign
  // or an exponent's sign.
  std::size_t op = std::string::npos;
  for (std::size_t i = 1; i < head.size(); ++i)
    if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E') op = i;
  double start = 0, step = 0;
  if (op == std::string::npos) {
    start = parse_number(head, where);
  } else {
    start = parse_number(head.substr(0, op), where);
    step = parse_number(head.substr(op + 1), where);
    if (head[op] == '-') step = -step;
  }
  for (int i = 0; i <= n; ++i) out.push_back(start + step * i);
  return out;
}

struct Expected {
  Labels labels;
  double value = 0;
};

struct EvalCase {
  std::string where;  // file:line
  std::string expr;
  std::int64_t t_ms = 0;
  bool fail = false, ordered = false;
  bool expect_scalar = false;
  double scalar = 0;
  std::vector<Expected> samples;
};

bool almost_equal(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double epsilon = 0.000001, min_normal = 2.2250738585072014e-308;
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || diff < min_normal) return diff < epsilon * min_normal;
  return diff / (std::fabs(a) + std::fabs(b)) < epsilon;
}

std::string show(const Labels& l, double v) {
  std::ostringstream s;
  s << format_labels(l) << " " << v;
  return s.str();
}

// Runs one case; returns "" when it passes, otherwise what went wrong.
std::string run_case(const EvalCase& c, const SeriesStore& store) {
  ParseResult parsed = parse_promql(c.expr);
  if (!parsed.ok()) return c.fail ? "" : "parse error: " + parsed.error().text();
  Value v;
  try {
    v = evaluate(*parsed.expr, store, c.t_ms);
  } catch (const EvalError& e) {
    return c.fail ? "" : std::string("evaluation error: ") + e.what();
  }
  if (c.fail) return "expected an error, got a result";
  if (v.type == ValueType::Scalar) {
    if (!c.expect_scalar) return "expected a vector, got the scalar " + std::to_string(v.scalar);
    return almost_equal(v.scalar, c.scalar) ? "" : "expected " + std::to_string(c.scalar) + ", got " + std::to_string(v.scalar);
  }
  if (v.type != ValueType::Vector) return "expected an instant vector";
  if (c.expect_scalar) return "expected a scalar, got a vector";
  std::string problems;
  if (v.vector.size() != c.samples.size())
    problems += "expected " + std::to_string(c.samples.size()) + " samples, got " + std::to_string(v.vector.size()) + "\n";
  for (std::size_t i = 0; i < c.samples.size(); ++i) {
    const auto& e = c.samples[i];
    auto it = std::find_if(v.vector.begin(), v.vector.end(), [&](const InstantSample& s) { return s.labels == e.labels; });
    if (it == v.vector.end()) {
      problems += "missing " + show(e.labels, e.value) + "\n";
      continue;
    }
    if (!almost_equal(it->value, e.value)) problems += "expected " + show(e.labels, e.value) + ", got " + show(it->labels, it->value) + "\n";
    if (c.ordered && static_cast<std::size_t>(it - v.vector.begin()) != i)
      problems += "expected " + format_labels(e.labels) + " at position " + std::to_string(i) + "\n";
  }
  for (const auto& s : v.vector)
    if (std::none_of(c.samples.begin(), c.samples.end(), [&](const Expected& e) { return e.labels == s.labels; }))
      problems += "unexpected " + show(s.labels, s.value) + "\n";
  return problems;
}

struct FileResult {
  int cases = 0;
  std::vector<std::string> failures;
};

// Reads and runs a whole file, command by command.
FileResult run_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw TestFileError("cannot read " + path.string());
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);

  FileResult result;
  SeriesStore store;
  auto where = [&](std::size_t i) { return path.filename().string() + ":" + std::to_string(i + 1); };
  std::size_t i = 0;
  auto indented = [&](std::size_t k) {
    return k < lines.size() && !lines[k].empty() && (lines[k][0] == ' ' || lines[k][0] == '\t') &&
           !trim(lines[k]).empty() && trim(lines[k])[0] != '#';
  };
  while (i < lines.size()) {
    std::string line = trim(lines[i]);
    if (line.empty() || line[0] == '#') {
      ++i;
      continue;
    }
    if (line == "clear") {
      store = SeriesStore();
      ++i;
      continue;
    }
    if (line.rfind("load ", 0) == 0) {
      std::string err;
      auto interval = parse_duration(trim(line.substr(5)), &err);
      if (!interval) throw TestFileError(where(i) + ": " + err);
      std::map<Labels, std::vector<std::optional<double>>> defs;  // a later definition wins
      std::size_t k = i + 1;
      for (; indented(k); ++k) {
        auto [desc, values] = split_series_line(trim(lines[k]));
        Labels labels = parse_series(desc, where(k));
        std::vector<std::optional<double>> all;
        std::istringstream tokens(values);
        for (std::string tok; tokens >> tok;)
          for (auto v : expand(tok, where(k))) all.push_back(v);
        defs[labels] = all;
      }
      for (const auto& [labels, values] : defs)
        for (std::size_t s = 0; s < values.size(); ++s)
          if (values[s]) store.add(labels, static_cast<std::int64_t>(s) * *interval, *values[s]);
      i = k;
      continue;
    }
    EvalCase c;
    std::string rest;
    for (std::string kind : {"eval_ordered", "eval_fail", "eval"}) {
      if (line.rfind(kind + " instant at ", 0) == 0) {
        c.fail = kind == "eval_fail";
        c.ordered = kind == "eval_ordered";
        rest = line.substr(kind.size() + std::string(" instant at ").size());
        break;
      }
    }
    if (rest.empty()) throw TestFileError(where(i) + ": unknown command: " + line);
    std::size_t space = rest.find(' ');
    std::string err;
    auto at = parse_duration(rest.substr(0, space), &err);
    if (!at) throw TestFileError(where(i) + ": " + err);
    c.t_ms = *at;
    c.expr = trim(rest.substr(space + 1));
    c.where = where(i);
    std::size_t k = i + 1;
    for (; indented(k); ++k) {
      std::string l = trim(lines[k]);
      auto [desc, value] = split_series_line(l);
      if (value.empty()) {
        c.expect_scalar = true;
        c.scalar = parse_number(desc, where(k));
      } else {
        c.samples.push_back({parse_series(desc, where(k)), parse_number(value, where(k))});
      }
    }
    ++result.cases;
    std::string problem = run_case(c, store);
    if (!problem.empty()) result.failures.push_back(c.where + ": " + c.expr + "\n" + problem);
    i = k;
  }
  return result;
}

fs::path testdata() { return fs::path(SOURCE_DIR) / "tests" / "suites" / "alerts" / "testdata" / "promql"; }

}  // namespace

TEST_CASE("Prometheus' own engine test cases pass on greenlight's evaluator", "[promql][eval][testdata]") {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(testdata()))
    if (e.path().extension() == ".test") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 7);
  int total = 0;
  for (const auto& f : files) {
    FileResult r = run_file(f);
    total += r.cases;
    INFO(f.filename().string() << ": " << r.cases << " cases");
    for (const auto& failure : r.failures) UNSCOPED_INFO(failure);
    CHECK(r.failures.empty());
  }
  WARN("ran " << total << " cases from " << files.size() << " Prometheus test files");
  CHECK(total > 250);
}

TEST_CASE("the test-file reader fails a case whose expectation is wrong", "[promql][eval][testdata]") {
  // The reader must not be able to pass everything: a wrong value, a missing
  // sample and a wrong error expectation each fail.
  fs::path dir = fs::temp_directory_path() / ("gl_eval_reader_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "wrong.test";
  std::ofstream(file) << "load 1m\n  m{a=\"1\"} 1 2 3\n  m{a=\"2\"} 5x3\n\n"
                         "eval instant at 2m m\n  m{a=\"1\"} 4\n  m{a=\"2\"} 5\n\n"
                         "eval instant at 2m m{a=\"1\"}\n\n"
                         "eval_fail instant at 2m sum(m)\n\n"
                         "eval instant at 2m sum(m)\n  {} 8\n";
  FileResult r = run_file(file);
  fs::remove_all(dir);
  REQUIRE(r.cases == 4);
  REQUIRE(r.failures.size() == 3);
  CHECK_THAT(r.failures[0], Catch::Contains("expected m{a=\"1\"} 4, got m{a=\"1\"} 3"));
  CHECK_THAT(r.failures[1], Catch::Contains("unexpected m{a=\"1\"} 3"));
  CHECK_THAT(r.failures[2], Catch::Contains("expected an error"));
}
