// Reads promtool test files the way promtool 2.42 does (yaml.v2's
// UnmarshalStrict into its structs, then the PromQL series-description
// grammar for input series), but stops at the first problem with file:line.
#include "suites/alerts/unit_test_file.h"

#include <glob.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/config_error.h"
#include "harness/plan_node.h"
#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/lexer.h"

namespace greenlight {

namespace {

namespace fs = std::filesystem;

// One YAML node and where it is, so that every error can say file:line.
struct Where {
  const std::string& file;
  std::string key;  // "tests[0].input_series[2].values"
};

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

[[noreturn]] void fail(const Where& w, const YAML::Node& n, const std::string& message) {
  throw ConfigError(w.file, line_of(n), w.key, message);
}

std::string kind_name(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  return "a scalar";
}

// yaml.v2 leaves the field at its zero value for null (`key:` or `key: ~`).
bool is_null(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return true;
  if (!n.IsScalar() || n.Tag() != "?") return false;
  const std::string& s = n.Scalar();
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// The entries of a map, checked like yaml.v2's UnmarshalStrict: only known
// keys, each at most once.
std::vector<std::pair<std::string, YAML::Node>> strict_entries(const Where& w, const YAML::Node& n,
                                                               const std::set<std::string>& allowed,
                                                               const std::string& what) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  if (is_null(n)) return out;
  if (!n.IsMap()) fail(w, n, "expected " + what + " (a map), got " + kind_name(n));
  std::map<std::string, int> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: yaml-cpp's it-> is a proxy that dies here
    if (!key.IsScalar()) fail(w, key, "a key of " + what + " must be a string");
    std::string name = key.Scalar();
    if (!allowed.count(name)) {
      std::string hint = closest_match(name, allowed);
      std::string allowed_list;
      for (const auto& a : allowed) allowed_list += (allowed_list.empty() ? "" : ", ") + a;
      throw ConfigError(w.file, line_of(key), w.key.empty() ? name : w.key + "." + name,
                        "unknown key in " + what + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
                            "; allowed: " + allowed_list);
    }
    if (auto s = seen.find(name); s != seen.end())
      throw ConfigError(w.file, line_of(key), w.key.empty() ? name : w.key + "." + name,
                        "key repeated (first at line " + std::to_string(s->second) + ")");
    seen[name] = line_of(key);
    out.emplace_back(name, it->second);
  }
  return out;
}

Where child(const Where& w, const std::string& key) { return {w.file, w.key.empty() ? key : w.key + "." + key}; }
Where item(const Where& w, std::size_t i) { return {w.file, w.key + "[" + std::to_string(i) + "]"}; }

// yaml.v2 decodes any scalar into a string field, as written.
std::string as_string(const Where& w, const YAML::Node& n) {
  if (is_null(n)) return "";
  if (!n.IsScalar()) fail(w, n, "expected a string, got " + kind_name(n));
  return n.Scalar();
}

std::vector<YAML::Node> as_list(const Where& w, const YAML::Node& n) {
  std::vector<YAML::Node> out;
  if (is_null(n)) return out;
  if (!n.IsSequence()) fail(w, n, "expected a list, got " + kind_name(n));
  for (const auto& e : n) out.push_back(e);
  return out;
}

std::vector<std::string> as_string_list(const Where& w, const YAML::Node& n) {
  std::vector<std::string> out;
  auto items = as_list(w, n);
  for (std::size_t i = 0; i < items.size(); ++i) out.push_back(as_string(item(w, i), items[i]));
  return out;
}

std::map<std::string, std::string> as_string_map(const Where& w, const YAML::Node& n) {
  std::map<std::string, std::string> out;
  if (is_null(n)) return out;
  if (!n.IsMap()) fail(w, n, "expected a map of strings, got " + kind_name(n));
  std::map<std::string, int> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) fail(w, it->first, "a key must be a string");
    std::string k = it->first.Scalar();
    if (auto s = seen.find(k); s != seen.end())
      fail(child(w, k), it->first, "key repeated (first at line " + std::to_string(s->second) + ")");
    seen[k] = line_of(it->first);
    out[k] = as_string(child(w, k), it->second);
  }
  return out;
}

// model.Duration: a string such as "5m"; "0" alone is allowed.
std::int64_t as_duration(const Where& w, const YAML::Node& n) {
  if (is_null(n)) return 0;
  std::string text = as_string(w, n);
  std::string error;
  auto ms = promql::parse_duration(text, &error);
  if (!ms) fail(w, n, error.empty() ? "not a valid duration string: \"" + text + "\"" : error);
  return *ms;
}

bool as_bool(const Where& w, const YAML::Node& n) {
  if (is_null(n)) return false;
  if (n.IsScalar() && n.Tag() == "?") {
    static const std::set<std::string> yes = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const std::set<std::string> no = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    if (yes.count(n.Scalar())) return true;
    if (no.count(n.Scalar())) return false;
  }
  fail(w, n, "expected true or false");
}

// Go's strconv.ParseInt(s, 0, 64): 0x, 0o, 0b prefixes and a leading 0 for octal.
std::optional<double> go_parse_int_base0(std::string s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) neg = s[0] == '-', s.erase(0, 1);
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    if (p == 'x') base = 16, s.erase(0, 2);
    else if (p == 'o') base = 8, s.erase(0, 2);
    else if (p == 'b') base = 2, s.erase(0, 2);
    else base = 8, s.erase(0, 1);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (neg ? 1 : 0)) return std::nullopt;
  double d = static_cast<double>(v);
  return neg ? -d : d;
}

// A float64 field as yaml.v2 resolves it (YAML 1.1): ints in any base,
// floats, .inf and .nan; a quoted or other scalar is an error.
double as_float(const Where& w, const YAML::Node& n) {
  if (is_null(n)) return 0;
  if (!n.IsScalar()) fail(w, n, "expected a number, got " + kind_name(n));
  std::string s = n.Scalar();
  bool plain = n.Tag() == "?" || n.Tag() == "tag:yaml.org,2002:float" || n.Tag() == "tag:yaml.org,2002:int";
  if (plain) {
    static const std::set<std::string> inf = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
    static const std::set<std::string> ninf = {"-.inf", "-.Inf", "-.INF"};
    static const std::set<std::string> nan = {".nan", ".NaN", ".NAN"};
    if (inf.count(s)) return std::numeric_limits<double>::infinity();
    if (ninf.count(s)) return -std::numeric_limits<double>::infinity();
    if (nan.count(s)) return std::numeric_limits<double>::quiet_NaN();
    std::string digits;
    for (char c : s)
      if (c != '_') digits += c;
    if (auto i = go_parse_int_base0(digits)) return *i;
    static const std::regex yaml_float(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
    if (std::regex_match(digits, yaml_float)) return std::strtod(digits.c_str(), nullptr);
  }
  fail(w, n, "expected a number (use .nan, .inf or -.inf for the special values), got \"" + s + "\"");
}

// --- series notation ---------------------------------------------------------

bool is_word_token(promql::TokenKind k) {
  using promql::TokenKind;
  switch (k) {
    case TokenKind::Identifier:
    case TokenKind::MetricIdentifier:
      return true;
    default:
      return promql::is_aggregator(k) || promql::is_keyword(k) || k == TokenKind::And || k == TokenKind::Or ||
             k == TokenKind::Unless || k == TokenKind::Atan2 || k == TokenKind::Start || k == TokenKind::End;
  }
}

[[noreturn]] void series_error(std::string_view text, std::size_t pos, const std::string& message) {
  throw std::invalid_argument("in series \"" + std::string(text) + "\" at column " + std::to_string(pos + 1) + ": " +
                              message);
}

// Go's strconv.ParseFloat for a PromQL number token: decimal, exponent, Inf, NaN.
double parse_number_token(std::string_view tok) {
  std::string lower;
  for (char c : tok) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf" || lower == "+inf") return std::numeric_limits<double>::infinity();
  if (lower == "-inf") return -std::numeric_limits<double>::infinity();
  if (lower == "nan" || lower == "+nan" || lower == "-nan") return std::numeric_limits<double>::quiet_NaN();
  // Prometheus tries strconv.ParseInt(s, 0, 64) first: "010" is octal 8.
  if (auto i = go_parse_int_base0(std::string(tok))) return *i;
  std::string s(tok);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) throw std::invalid_argument("error parsing number: " + s);
  return v;
}

}  // namespace

promql::Labels parse_series_labels(std::string_view text) {
  using promql::TokenKind;
  auto tokens = promql::lex_promql(text);
  std::size_t i = 0;
  auto next_kind = [&] { return tokens[i].kind; };
  promql::Labels labels;
  std::set<std::string> names;
  auto add = [&](const std::string& name, std::string value, std::size_t pos) {
    if (!names.insert(name).second) series_error(text, pos, "label \"" + name + "\" is given twice");
    // An empty value means the label is absent, as everywhere in Prometheus.
    if (!value.empty()) labels.emplace_back(name, std::move(value));
  };
  if (next_kind() == TokenKind::Error) series_error(text, tokens[i].pos, tokens[i].text);
  if (is_word_token(next_kind())) {
    add("__name__", tokens[i].text, tokens[i].pos);
    ++i;
  }
  if (next_kind() == TokenKind::LeftBrace) {
    ++i;
    while (next_kind() != TokenKind::RightBrace) {
      const auto& name = tokens[i];
      if (name.kind == TokenKind::Error) series_error(text, name.pos, name.text);
      if (!is_word_token(name.kind)) series_error(text, name.pos, "expected a label name, got " + describe_token(name));
      ++i;
      if (next_kind() != TokenKind::Assign)
        series_error(text, tokens[i].pos,
                     "expected \"=\" after label " + name.text + ", got " + describe_token(tokens[i]) +
                         " (input series and expected samples take equality matchers only)");
      ++i;
      if (next_kind() != TokenKind::String)
        series_error(text, tokens[i].pos, "expected a quoted label value, got " + describe_token(tokens[i]));
      add(name.text, promql::unquote_string(tokens[i].text), name.pos);
      ++i;
      if (next_kind() == TokenKind::Comma) ++i;
      else if (next_kind() != TokenKind::RightBrace)
        series_error(text, tokens[i].pos, "expected \",\" or \"}\", got " + describe_token(tokens[i]));
    }
    ++i;
  }
  if (next_kind() != TokenKind::Eof) {
    if (next_kind() == TokenKind::Error) series_error(text, tokens[i].pos, tokens[i].text);
    series_error(text, tokens[i].pos, "unexpected " + describe_token(tokens[i]));
  }
  std::sort(labels.begin(), labels.end());
  return labels;
}

std::vector<SeriesPoint> parse_series_values(std::string_view text) {
  // The grammar of Prometheus' series_values (generated_parser.y): items
  // separated by spaces; an item is `_`, `_xN`, v, `vxN` or `v+dxN`/`v-dxN`,
  // where v is a number, a signed number or `stale`. Repetitions count N
  // more samples after the first (`1+2x3` is 1 3 5 7), except `_xN`, which is
  // N missing samples; increments accumulate in float64 as Go's do.
  std::vector<SeriesPoint> out;
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto err = [&](std::size_t pos, const std::string& m) -> void {
    throw std::invalid_argument("in values \"" + std::string(text) + "\" at column " + std::to_string(pos + 1) + ": " +
                                m);
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_alnum = [&](char c) { return is_digit(c) || std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  // A number as the series lexer scans it: digits, fraction, exponent; then
  // nothing alphanumeric but the repetition's `x`. Or a word (Inf, NaN, stale).
  auto scan_number = [&](std::size_t& p, std::string& tok) -> bool {
    std::size_t start = p;
    if (p < n && (is_digit(text[p]) || (text[p] == '.' && p + 1 < n && is_digit(text[p + 1])))) {
      while (p < n && is_digit(text[p])) ++p;
      if (p < n && text[p] == '.') {
        ++p;
        while (p < n && is_digit(text[p])) ++p;
      }
      if (p < n && (text[p] == 'e' || text[p] == 'E')) {
        ++p;
        if (p < n && (text[p] == '+' || text[p] == '-')) ++p;
        while (p < n && is_digit(text[p])) ++p;
      }
      if (p < n && text[p] != 'x' && is_alnum(text[p])) err(start, "bad number or duration syntax");
      tok = std::string(text.substr(start, p - start));
      return true;
    }
    if (p < n && std::isalpha(static_cast<unsigned char>(text[p]))) {
      while (p < n && is_alnum(text[p])) ++p;
      tok = std::string(text.substr(start, p - start));
      return true;
    }
    return false;
  };
  auto parse_uint = [&](std::size_t& p) -> std::uint64_t {
    std::size_t start = p;
    std::string tok;
    if (!scan_number(p, tok)) err(p, "expected a repetition count after \"x\"");
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v, 10);
    if (ec != std::errc() || ptr != tok.data() + tok.size())
      err(start, "invalid repetition in series values: \"" + tok + "\" is not a whole number");
    // Each repetition is a point in memory: "1x100000000000" (a few bytes) asked
    // for terabytes, an out-of-memory (fuzz/regressions/unit_test_file).
    // promtool has no limit but could not run such a test either.
    constexpr std::uint64_t kMaxPoints = 1'000'000;
    if (v >= kMaxPoints || out.size() + v >= kMaxPoints)
      err(start, "the series expands to more than " + std::to_string(kMaxPoints) + " points");
    return v;
  };
  while (i < n) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
      // Prometheus' lexer skips them only after a space; a whole line of
      // values is what promtool expects, so keep it simple and strict.
      if (i > 0 && text[i - 1] == ' ') {
        ++i;
        continue;
      }
      err(i, "values must be separated by spaces");
    }
    if (text[i] == '_') {
      ++i;
      if (i < n && text[i] == 'x') {
        ++i;
        auto count = parse_uint(i);
        for (std::uint64_t k = 0; k < count; ++k) out.push_back({SeriesPoint::Kind::Omitted, 0});
      } else {
        out.push_back({SeriesPoint::Kind::Omitted, 0});
      }
    } else {
      std::size_t start = i;
      int sign = 1;
      if (text[i] == '+' || text[i] == '-') sign = text[i] == '-' ? -1 : 1, ++i;
      std::string tok;
      if (!scan_number(i, tok)) err(i, std::string("unexpected character in series values: '") + text[i] + "'");
      SeriesPoint first;
      bool word = std::isalpha(static_cast<unsigned char>(tok[0]));
      std::string lower;
      for (char c : tok) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (word && lower == "stale") {
        if (start != i - tok.size()) err(start, "\"stale\" cannot have a sign");
        first.kind = SeriesPoint::Kind::Stale;
        first.value = std::numeric_limits<double>::quiet_NaN();
      } else if (word && lower != "inf" && lower != "nan") {
        err(start, "unexpected \"" + tok + "\" in series values, expected a number or \"stale\"");
      } else {
        first.value = sign * parse_number_token(tok);
      }
      if (i < n && text[i] == 'x') {
        if (word) err(i, "unexpected \"x\" after \"" + tok + "\"");
        ++i;
        auto count = parse_uint(i);
        for (std::uint64_t k = 0; k <= count; ++k) out.push_back(first);
      } else if (i < n && (text[i] == '+' || text[i] == '-')) {
        int dsign = text[i] == '-' ? -1 : 1;
        std::size_t dpos = i++;
        std::string dtok;
        bool ok = scan_number(i, dtok);
        if (ok && std::isalpha(static_cast<unsigned char>(dtok[0]))) {
          std::string l;
          for (char c : dtok) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          ok = l == "inf" || l == "nan";
        }
        if (!ok) err(dpos, "expected a number after the sign of the increment");
        double delta = dsign * parse_number_token(dtok);
        if (i >= n || text[i] != 'x') err(i, "expected \"x\" and a count after the increment \"" +
                                                 std::string(text.substr(dpos, i - dpos)) + "\"");
        ++i;
        auto count = parse_uint(i);
        out.push_back(first);
        double v = first.value;
        for (std::uint64_t k = 1; k <= count; ++k) {
          v += delta;
          out.push_back({SeriesPoint::Kind::Value, v});
        }
      } else {
        out.push_back(first);
      }
    }
    if (i < n && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
      err(i, std::string("unexpected character in series values: '") + text[i] + "'");
  }
  return out;
}

std::string TestGroup::display_name() const { return name.empty() ? "test #" + std::to_string(index + 1) : name; }

std::vector<std::string> UnitTestFile::rule_paths() const {
  std::vector<std::string> out;
  for (const auto& r : rule_files) out.insert(out.end(), r.paths.begin(), r.paths.end());
  return out;
}

namespace {

std::vector<std::string> glob_paths(const std::string& pattern) {
  glob_t g{};
  int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g);
  std::vector<std::string> out;
  if (rc == 0)
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  globfree(&g);
  std::sort(out.begin(), out.end());  // byte order, as Go's filepath.Glob
  return out;
}

RuleFileRef resolve_rule_file(const Where& w, const YAML::Node& n, const std::string& base_dir) {
  RuleFileRef ref;
  ref.pattern = as_string(w, n);
  ref.line = line_of(n);
  if (ref.pattern.empty()) fail(w, n, "empty rule file path");
  fs::path p(ref.pattern);
  if (p.is_relative()) p = fs::path(base_dir.empty() ? "." : base_dir) / p;
  std::string full = p.lexically_normal().string();
  ref.paths = glob_paths(full);
  if (ref.paths.empty()) {
    bool has_meta = ref.pattern.find_first_of("*?[") != std::string::npos;
    fail(w, n,
         (has_meta ? "pattern \"" + ref.pattern + "\" matches no rule file" : "rule file \"" + ref.pattern + "\" not found") +
             " (looked for " + full + ")");
  }
  return ref;
}

InputSeries read_input_series(const Where& w, const YAML::Node& n) {
  InputSeries s;
  s.line = line_of(n);
  for (auto& [key, v] : strict_entries(w, n, {"series", "values"}, "an input series")) {
    if (key == "series") s.series = as_string(child(w, key), v);
    if (key == "values") s.values = as_string(child(w, key), v);
  }
  try {
    s.labels = parse_series_labels(s.series);
  } catch (const std::invalid_argument& e) {
    fail(child(w, "series"), n, e.what());
  }
  // A folded YAML block leaves a final newline; promtool's loader ignores it.
  std::string values = s.values;
  while (!values.empty() && (values.back() == '\n' || values.back() == ' ')) values.pop_back();
  try {
    s.points = parse_series_values(values);
  } catch (const std::invalid_argument& e) {
    fail(child(w, "values"), n, e.what());
  }
  return s;
}

ExpectedAlert read_expected_alert(const Where& w, const YAML::Node& n) {
  ExpectedAlert a;
  a.line = line_of(n);
  for (auto& [key, v] : strict_entries(w, n, {"exp_labels", "exp_annotations"}, "an expected alert")) {
    if (key == "exp_labels") a.labels = as_string_map(child(w, key), v);
    if (key == "exp_annotations") a.annotations = as_string_map(child(w, key), v);
  }
  return a;
}

AlertRuleTest read_alert_test(const Where& w, const YAML::Node& n) {
  AlertRuleTest t;
  t.line = line_of(n);
  for (auto& [key, v] : strict_entries(w, n, {"eval_time", "alertname", "exp_alerts"}, "an alert_rule_test entry")) {
    Where c = child(w, key);
    if (key == "eval_time") t.eval_time_ms = as_duration(c, v);
    if (key == "alertname") t.alertname = as_string(c, v);
    if (key == "exp_alerts") {
      auto items = as_list(c, v);
      for (std::size_t i = 0; i < items.size(); ++i) t.exp_alerts.push_back(read_expected_alert(item(c, i), items[i]));
    }
  }
  return t;
}

ExpectedSample read_expected_sample(const Where& w, const YAML::Node& n) {
  ExpectedSample s;
  s.line = line_of(n);
  for (auto& [key, v] : strict_entries(w, n, {"labels", "value"}, "an expected sample")) {
    if (key == "labels") s.labels_text = as_string(child(w, key), v);
    if (key == "value") s.value = as_float(child(w, key), v);
  }
  try {
    s.labels = parse_series_labels(s.labels_text);
  } catch (const std::invalid_argument& e) {
    fail(child(w, "labels"), n, e.what());
  }
  return s;
}

PromqlExprTest read_expr_test(const Where& w, const YAML::Node& n) {
  PromqlExprTest t;
  t.line = line_of(n);
  for (auto& [key, v] : strict_entries(w, n, {"expr", "eval_time", "exp_samples"}, "a promql_expr_test entry")) {
    Where c = child(w, key);
    if (key == "expr") t.expr = as_string(c, v);
    if (key == "eval_time") t.eval_time_ms = as_duration(c, v);
    if (key == "exp_samples") {
      auto items = as_list(c, v);
      for (std::size_t i = 0; i < items.size(); ++i)
        t.exp_samples.push_back(read_expected_sample(item(c, i), items[i]));
    }
  }
  return t;
}

TestGroup read_test_group(const Where& w, const YAML::Node& n, int index) {
  TestGroup g;
  g.line = line_of(n);
  g.index = index;
  static const std::set<std::string> keys = {"interval",        "input_series",   "alert_rule_test", "promql_expr_test",
                                             "external_labels", "external_url",   "name"};
  for (auto& [key, v] : strict_entries(w, n, keys, "a test group")) {
    Where c = child(w, key);
    if (key == "interval") g.interval_ms = as_duration(c, v);
    if (key == "name") g.name = as_string(c, v);
    if (key == "external_url") g.external_url = as_string(c, v);
    if (key == "external_labels") g.external_labels = as_string_map(c, v);
    if (key == "input_series") {
      auto items = as_list(c, v);
      for (std::size_t i = 0; i < items.size(); ++i) g.input_series.push_back(read_input_series(item(c, i), items[i]));
    }
    if (key == "alert_rule_test") {
      auto items = as_list(c, v);
      for (std::size_t i = 0; i < items.size(); ++i) g.alert_rule_tests.push_back(read_alert_test(item(c, i), items[i]));
    }
    if (key == "promql_expr_test") {
      auto items = as_list(c, v);
      for (std::size_t i = 0; i < items.size(); ++i) g.promql_expr_tests.push_back(read_expr_test(item(c, i), items[i]));
    }
  }
  return g;
}

}  // namespace

UnitTestFile parse_unit_test_file(const std::string& text, const std::string& path, const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "invalid YAML: " + e.msg);
  }
  UnitTestFile file;
  file.path = path;
  Where w{path, ""};
  static const std::set<std::string> keys = {"rule_files", "evaluation_interval", "group_eval_order", "tests",
                                             "fuzzy_compare"};
  std::vector<YAML::Node> tests;
  for (auto& [key, v] : strict_entries(w, root, keys, "the test file")) {
    Where c = child(w, key);
    if (key == "rule_files") {
      auto items = as_list(c, v);
      for (std::size_t i = 0; i < items.size(); ++i)
        file.rule_files.push_back(resolve_rule_file(item(c, i), items[i], base_dir));
    }
    if (key == "evaluation_interval") file.evaluation_interval_ms = as_duration(c, v);
    if (key == "fuzzy_compare") file.fuzzy_compare = as_bool(c, v);
    if (key == "group_eval_order") {
      file.group_eval_order = as_string_list(c, v);
      std::set<std::string> seen;
      auto items = as_list(c, v);
      for (std::size_t i = 0; i < file.group_eval_order.size(); ++i)
        if (!seen.insert(file.group_eval_order[i]).second)
          fail(item(c, i), items[i], "group name repeated in evaluation order: " + file.group_eval_order[i]);
    }
    if (key == "tests") tests = as_list(c, v);
  }
  if (file.evaluation_interval_ms == 0) file.evaluation_interval_ms = 60'000;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    file.tests.push_back(read_test_group(item(child(w, "tests"), i), tests[i], static_cast<int>(i)));
  }
  return file;
}

UnitTestFile load_unit_test_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, 0, "", "cannot read test file: " + std::string(std::strerror(errno)));
  std::stringstream buf;
  buf << in.rdbuf();
  std::string dir = fs::path(path).parent_path().string();
  return parse_unit_test_file(buf.str(), path, dir.empty() ? "." : dir);
}

}  // namespace greenlight
