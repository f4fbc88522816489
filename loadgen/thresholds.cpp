// Threshold parsing (a tiny hand-written scanner: positions in messages) and evaluation.
#include "loadgen/thresholds.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace greenlight {

namespace {

std::string format_position(const std::string& text, size_t position, const std::string& problem) {
  return "position " + std::to_string(position) + ": " + problem + " in '" + text + "'";
}

struct Scanner {
  const std::string& text;
  size_t pos = 0;

  void skip_space() {
    while (pos < text.size() && isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  }
  [[noreturn]] void fail(const std::string& problem) const { throw ThresholdError(text, pos + 1, problem); }
  bool eat(const std::string& s) {
    skip_space();
    if (text.compare(pos, s.size(), s) != 0) return false;
    pos += s.size();
    return true;
  }
  std::string word() {
    skip_space();
    size_t start = pos;
    while (pos < text.size() && (isalpha(static_cast<unsigned char>(text[pos])) || text[pos] == '_')) ++pos;
    return text.substr(start, pos - start);
  }
  double number() {
    skip_space();
    const char* begin = text.c_str() + pos;
    char* end = nullptr;
    double v = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(v)) fail("expected a number");
    pos += end - begin;
    return v;
  }
};

}  // namespace

ThresholdError::ThresholdError(const std::string& text, size_t pos, const std::string& problem)
    : std::invalid_argument(format_position(text, pos, problem)), position(pos) {}

Threshold parse_threshold(const std::string& text) {
  Threshold t;
  t.text = text;
  Scanner s{text};
  size_t metric_pos = (s.skip_space(), s.pos);
  std::string name = s.word();
  bool latency = false;
  if (name == "p") {
    if (!s.eat("(")) s.fail("expected '(' after p, as in p(99)");
    t.percentile = s.number();
    if (t.percentile <= 0 || t.percentile > 100) {
      s.pos = metric_pos + 2;
      s.fail("a percentile is in (0, 100]");
    }
    if (!s.eat(")")) s.fail("expected ')'");
    t.metric = Threshold::Metric::percentile;
    latency = true;
  } else if (name == "med") {
    t.metric = Threshold::Metric::percentile, t.percentile = 50, latency = true;
  } else if (name == "avg") {
    t.metric = Threshold::Metric::avg, latency = true;
  } else if (name == "min") {
    t.metric = Threshold::Metric::min, latency = true;
  } else if (name == "max") {
    t.metric = Threshold::Metric::max, latency = true;
  } else if (name == "error_rate") {
    t.metric = Threshold::Metric::error_rate;
  } else if (name == "rps") {
    t.metric = Threshold::Metric::rps;
  } else if (name == "dropped") {
    t.metric = Threshold::Metric::dropped;
  } else if (name == "requests") {
    t.metric = Threshold::Metric::requests;
  } else {
    s.pos = metric_pos;
    s.fail("expected p(N), med, avg, min, max, error_rate, rps, dropped or requests");
  }
  s.skip_space();
  if (s.eat("<=")) t.op = Threshold::Op::le;
  else if (s.eat(">=")) t.op = Threshold::Op::ge;
  else if (s.eat("==")) t.op = Threshold::Op::eq;
  else if (s.eat("!=")) t.op = Threshold::Op::ne;
  else if (s.eat("<")) t.op = Threshold::Op::lt;
  else if (s.eat(">")) t.op = Threshold::Op::gt;
  else s.fail("expected a comparison (<, <=, >, >=, ==, !=)");
  double v = s.number();
  s.skip_space();
  size_t unit_pos = s.pos;
  std::string unit = text.substr(s.pos);
  while (!unit.empty() && isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  if (latency) {
    if (unit == "" || unit == "ms") t.limit = v * 1000;
    else if (unit == "us" || unit == "µs") t.limit = v;
    else if (unit == "s") t.limit = v * 1e6;
    else s.pos = unit_pos, s.fail("expected a latency unit (us, ms, s)");
  } else if (t.metric == Threshold::Metric::error_rate) {
    if (unit == "%") t.limit = v / 100;
    else if (unit == "") t.limit = v;
    else s.pos = unit_pos, s.fail("expected % or a fraction");
    if (t.limit < 0 || t.limit > 1) s.pos = unit_pos, s.fail("an error rate is between 0% and 100%");
  } else {
    if (!unit.empty()) s.pos = unit_pos, s.fail("unexpected '" + unit + "'");
    t.limit = v;
  }
  return t;
}

namespace {

bool holds(double observed, Threshold::Op op, double limit) {
  switch (op) {
    case Threshold::Op::lt: return observed < limit;
    case Threshold::Op::le: return observed <= limit;
    case Threshold::Op::gt: return observed > limit;
    case Threshold::Op::ge: return observed >= limit;
    case Threshold::Op::eq: return observed == limit;
    case Threshold::Op::ne: return observed != limit;
  }
  return false;
}

const char* op_text(Threshold::Op op) {
  switch (op) {
    case Threshold::Op::lt: return "<";
    case Threshold::Op::le: return "<=";
    case Threshold::Op::gt: return ">";
    case Threshold::Op::ge: return ">=";
    case Threshold::Op::eq: return "==";
    case Threshold::Op::ne: return "!=";
  }
  return "?";
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace

ThresholdVerdict evaluate(const Threshold& t, const LoadFigures& f) {
  ThresholdVerdict v;
  std::string name, unit;
  double observed = 0, limit = t.limit, shown_limit = t.limit;
  bool latency = false;
  switch (t.metric) {
    case Threshold::Metric::percentile:
      name = t.percentile == 50 && t.text.find("med") != std::string::npos ? "med" : "p(" + number(t.percentile) + ")";
      observed = f.latency ? f.latency->value_at_percentile(t.percentile) : 0;
      latency = true;
      break;
    case Threshold::Metric::avg: name = "avg", observed = f.latency ? f.latency->mean() : 0, latency = true; break;
    case Threshold::Metric::min: name = "min", observed = f.latency ? f.latency->min() : 0, latency = true; break;
    case Threshold::Metric::max: name = "max", observed = f.latency ? f.latency->max() : 0, latency = true; break;
    case Threshold::Metric::error_rate: {
      name = "error_rate";
      int64_t attempts = f.requests + f.dropped;
      observed = attempts ? static_cast<double>(f.errors) / attempts : 0;
      break;
    }
    case Threshold::Metric::rps: name = "rps", observed = f.duration_s > 0 ? f.requests / f.duration_s : 0; break;
    case Threshold::Metric::dropped: name = "dropped", observed = static_cast<double>(f.dropped); break;
    case Threshold::Metric::requests: name = "requests", observed = static_cast<double>(f.requests); break;
  }
  if (latency && (!f.latency || f.latency->count() == 0)) {
    v.passed = false;
    v.message = name + ": no request completed, so the latency threshold " + t.text + " cannot hold";
    return v;
  }
  v.passed = holds(observed, t.op, limit);
  if (latency) {
    v.observed = observed / 1000, shown_limit = limit / 1000, unit = "ms";
  } else if (t.metric == Threshold::Metric::error_rate) {
    v.observed = observed * 100, shown_limit = limit * 100, unit = "%";
  } else {
    v.observed = observed;
  }
  v.message = name + "=" + number(v.observed) + unit + ", limit " + op_text(t.op) + number(shown_limit) + unit;
  return v;
}

}  // namespace greenlight
