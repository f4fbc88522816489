// Printing follows Prometheus' printer.go: the same spacing, matcher order,
// modifier order (@ before offset) and number and duration formats, so that
// a printed rule compares equal to the query Prometheus reports for it.
#include "suites/alerts/promql/printer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/functions.h"
#include "suites/alerts/promql/lexer.h"

namespace greenlight::promql {

namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::string offset_suffix(std::int64_t offset_ms) {
  if (offset_ms > 0) return " offset " + format_duration(offset_ms);
  if (offset_ms < 0) return " offset -" + format_duration(-offset_ms);
  return "";
}

std::string at_suffix(const At& at) {
  switch (at.kind) {
    case At::Kind::Timestamp: {
      char buf[64];
      std::snprintf(buf, sizeof buf, " @ %.3f", static_cast<double>(at.timestamp_ms) / 1000.0);
      return buf;
    }
    case At::Kind::Start: return " @ start()";
    case At::Kind::End: return " @ end()";
    case At::Kind::None: break;
  }
  return "";
}

// The selector without its modifiers: name{sorted matchers}.
std::string selector_text(const VectorSelector& vs) {
  std::vector<std::string> matchers;
  for (const auto& m : vs.matchers)
    matchers.push_back(m.name + std::string(match_op_text(m.op)) + quote_string(m.value));
  std::sort(matchers.begin(), matchers.end());
  std::string out = vs.name;
  // No name and no matcher: the {} that info()'s second argument allows
  // (printed as nothing, info(x, {}) read back as info(x, ): fuzz/regressions/promql).
  if (!matchers.empty() || out.empty()) out += "{" + join(matchers, ",") + "}";
  return out;
}

std::string print(const Node& node);

std::string print_args(const std::vector<NodePtr>& args) {
  std::vector<std::string> parts;
  for (const auto& a : args) parts.push_back(print(*a));
  return join(parts, ", ");
}

std::string print_aggregate(const Aggregate& agg) {
  std::string out(agg_op_name(agg.op));
  if (agg.without) out += " without (" + join(agg.grouping, ", ") + ") ";
  else if (!agg.grouping.empty()) out += " by (" + join(agg.grouping, ", ") + ") ";
  out += "(";
  if (agg.param) out += print(*agg.param) + ", ";
  out += print(*agg.expr) + ")";
  return out;
}

std::string print_binary(const Binary& bin) {
  // "+Inf" reads back as a unary plus and Inf, and a unary operator takes the
  // whole ^ after it (^ binds tighter): "+Inf ^ x" reparsed as +(Inf ^ x), so
  // the print was no fixed point (fuzz/regressions/promql). Inf alone is +Inf.
  const auto* number = bin.lhs->as<NumberLiteral>();
  const bool bare_inf = bin.op == BinOp::Pow && number && std::isinf(number->value) && number->value > 0;
  std::string out = (bare_inf ? "Inf" : print(*bin.lhs)) + " " + std::string(bin_op_text(bin.op));
  if (bin.return_bool) out += " bool";
  if (const auto& vm = bin.matching) {
    bool grouped = vm->card == Cardinality::ManyToOne || vm->card == Cardinality::OneToMany;
    if (!vm->labels.empty() || vm->on || grouped)
      out += std::string(vm->on ? " on (" : " ignoring (") + join(vm->labels, ", ") + ")";
    if (grouped)
      out += std::string(vm->card == Cardinality::ManyToOne ? " group_left (" : " group_right (") +
             join(vm->include, ", ") + ")";
  }
  return out + " " + print(*bin.rhs);
}

std::string print(const Node& node) {
  if (auto* n = node.as<NumberLiteral>()) return format_number(n->value);
  if (auto* s = node.as<StringLiteral>()) return quote_string(s->value);
  if (auto* vs = node.as<VectorSelector>()) return selector_text(*vs) + at_suffix(vs->at) + offset_suffix(vs->offset_ms);
  if (auto* m = node.as<MatrixSelector>()) {
    const auto& vs = *m->selector->as<VectorSelector>();
    return selector_text(vs) + "[" + format_duration(m->range_ms) + "]" + at_suffix(vs.at) +
           offset_suffix(vs.offset_ms);
  }
  if (auto* sq = node.as<Subquery>()) {
    std::string step = sq->step_ms ? format_duration(sq->step_ms) : "";
    return print(*sq->expr) + "[" + format_duration(sq->range_ms) + ":" + step + "]" + at_suffix(sq->at) +
           offset_suffix(sq->offset_ms);
  }
  if (auto* c = node.as<Call>()) return std::string(c->func->name) + "(" + print_args(c->args) + ")";
  if (auto* a = node.as<Aggregate>()) return print_aggregate(*a);
  if (auto* b = node.as<Binary>()) return print_binary(*b);
  if (auto* u = node.as<Unary>()) return (u->op == UnaryOp::Minus ? "-" : "+") + print(*u->expr);
  if (auto* p = node.as<Paren>()) return "(" + print(*p->expr) + ")";
  return "";
}

}  // namespace

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Go's %v: the shortest digits, in exponent form when the decimal exponent
  // is below -4 or at least 6 (1e+06, 1.5e-05), plain otherwise (123456, 0.0001).
  char buf[400];
  auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<std::size_t>(sci.ptr - buf));
  int exponent = std::stoi(std::string(text.substr(text.find('e') + 1)));
  if (exponent < -4 || exponent >= 6) return std::string(text);
  auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

std::string print_promql(const Node& node) { return print(node); }

}  // namespace greenlight::promql
