// Parsing regression rules and judging a run against its baseline.
#include "harness/regression.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

namespace greenlight {

namespace {

struct Cursor {
  const std::string& text;
  size_t pos = 0;

  void skip_space() {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  }
  bool eat(const std::string& word) {
    skip_space();
    if (text.compare(pos, word.size(), word) != 0) return false;
    pos += word.size();
    return true;
  }
  double number(const char* what) {
    skip_space();
    const char* start = text.c_str() + pos;
    char* end = nullptr;
    double v = std::strtod(start, &end);
    if (end == start || !std::isfinite(v)) throw RegressionError(std::string("expected a number ") + what, pos);
    pos += end - start;
    return v;
  }
};

bool holds(const std::string& op, double current, double limit) {
  if (op == "<=") return current <= limit;
  if (op == "<") return current < limit;
  if (op == ">=") return current >= limit;
  return current > limit;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string with_unit(double v, const std::string& unit) {
  std::string n = fmt::format("{:.6g}", v);
  return unit.empty() ? n : unit == "%" ? n + "%" : n + " " + unit;
}

std::string formula(const RegressionRule& r) {
  std::string f = "baseline";
  if (r.factor != 1) f += fmt::format(" × {:g}", r.factor);
  if (r.slack > 0) f += fmt::format(" + {:g}", r.slack);
  if (r.slack < 0) f += fmt::format(" - {:g}", -r.slack);
  return f;
}

}  // namespace

RegressionRule parse_regression_rule(const std::string& text) {
  RegressionRule r;
  r.text = text;
  size_t op_at = text.find_first_of("<>");
  if (op_at == std::string::npos)
    throw RegressionError("expected SELECTOR <=|<|>=|> baseline [* FACTOR] [+ SLACK], e.g. 'load/*/p99 <= baseline * 1.1'", 0);
  r.selector = trim(text.substr(0, op_at));
  if (r.selector.empty()) throw RegressionError("expected a figure selector such as load/*/p99 before the comparison", 0);
  r.op = text.substr(op_at, 1);
  Cursor c{text, op_at + 1};
  if (c.pos < text.size() && text[c.pos] == '=') r.op += '=', ++c.pos;
  if (!c.eat("baseline")) throw RegressionError("expected 'baseline' after " + r.op, c.pos);
  if (c.eat("*")) {
    r.factor = c.number("after '*'");
    if (r.factor <= 0) throw RegressionError("the factor must be positive", c.pos);
  }
  if (c.eat("+")) r.slack = c.number("after '+'");
  else if (c.eat("-")) r.slack = -c.number("after '-'");
  c.skip_space();
  if (c.pos != text.size()) throw RegressionError("unexpected '" + text.substr(c.pos) + "'", c.pos);
  return r;
}

SuiteResult judge_regressions(const std::vector<RegressionRule>& rules, const RunResult& current,
                              const std::optional<Baseline>& baseline, const std::string& why_none) {
  SuiteResult out;
  out.name = "regression";
  std::map<std::string, const FigureRecord*> base;
  if (baseline)
    for (const FigureRecord& f : baseline->figures) base[f.key] = &f;
  std::string base_name;
  if (baseline) {
    base_name = "run #" + std::to_string(baseline->run.id) + " of " + baseline->run.started_at;
    if (!baseline->run.revision.empty()) base_name += ", revision " + baseline->run.revision;
  }
  for (const RegressionRule& rule : rules) {
    bool matched = false;
    for (const SuiteResult& s : current.suites) {
      for (const Check& k : s.checks) {
        for (const Figure& f : k.figures) {
          const std::string key = figure_key(s.name, k.name, f.name);
          if (!key_matches(rule.selector, key)) continue;
          matched = true;
          const std::string name = key + " " + rule.op + " " + formula(rule);
          if (!baseline) {
            out.checks.push_back(skipped_check(name, why_none));
            continue;
          }
          auto b = base.find(key);
          if (b == base.end()) {
            out.checks.push_back(skipped_check(name, "the baseline (" + base_name + ") has no figure " + key));
            continue;
          }
          const double limit = b->second->value * rule.factor + rule.slack;
          Check c;
          c.name = name;
          c.outcome = holds(rule.op, f.value, limit) ? Outcome::passed : Outcome::failed;
          c.figures = {{"current", f.value, f.unit}, {"baseline", b->second->value, f.unit}, {"limit", limit, f.unit}};
          c.evidence.push_back({"baseline vs current",
                                fmt::format("{:<10} {}\n{:<10} {}\n{:<10} {} = {} ({})\nbaseline:  {}", "current",
                                            with_unit(f.value, f.unit), "baseline", with_unit(b->second->value, f.unit),
                                            "limit", formula(rule), with_unit(limit, f.unit), rule.op, base_name)});
          if (c.outcome == Outcome::failed)
            c.message = fmt::format("{} regressed: {} is not {} {} = {} (baseline {}, {})", key, with_unit(f.value, f.unit),
                                    rule.op, formula(rule), with_unit(limit, f.unit), with_unit(b->second->value, f.unit),
                                    base_name);
          out.checks.push_back(std::move(c));
        }
      }
    }
    if (!matched) out.checks.push_back(skipped_check(rule.text, "no figure of this run matches '" + rule.selector + "'"));
  }
  return out;
}

}  // namespace greenlight
