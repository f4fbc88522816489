// The lint walks each loaded rule: its labels and annotations, its parsed
// expression (through promql/analysis.h) and its templates (through
// go_template.h). Heuristics are chosen to stay quiet on the public rule
// corpora (awesome-prometheus-alerts, the mixins, kube-prometheus) except
// where those rules really have the problem.
#include "suites/alerts/rule_lint.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include "suites/alerts/go_template.h"
#include "suites/alerts/promql/analysis.h"
#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/functions.h"
#include "suites/alerts/promql/printer.h"

namespace greenlight {

namespace {

using promql::Node;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string who(const RuleGroup& g, const Rule& r) {
  return "group " + quoted(g.name) + ", " + (r.alert.empty() ? "record " + quoted(r.record) : "alert " + quoted(r.alert)) +
         ": ";
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

struct Collector {
  const RuleFile& file;
  const LintConfig& config;
  std::vector<std::pair<RuleFinding, const Rule*>> out;

  void warn(int line, const std::string& id, const std::string& message, const Rule* rule) {
    out.push_back({RuleFinding{file.path, line, id, false, message}, rule});
  }
};

// ---------------------------------------------------------------- labels and annotations

void required(Collector& c, const RuleGroup& g, const Rule& r) {
  if (r.alert.empty()) return;  // recording rules page nobody
  for (const auto& label : c.config.required_labels)
    if (!r.labels.count(label))
      c.warn(r.line, "missing-label", who(g, r) + "has no label " + quoted(label) + " (required by the lint configuration)",
             &r);
  for (const auto& annotation : c.config.required_annotations)
    if (!r.annotations.count(annotation))
      c.warn(r.line, "missing-annotation",
             who(g, r) + "has no annotation " + quoted(annotation) + " (required by the lint configuration)", &r);
}

void missing_for(Collector& c, const RuleGroup& g, const Rule& r) {
  if (r.alert.empty() || r.for_ms != 0) return;
  auto it = r.labels.find("severity");
  if (it == r.labels.end() || !c.config.page_severities.count(it->second)) return;
  c.warn(r.line, "missing-for-on-page",
         who(g, r) + "pages (severity " + quoted(it->second) +
             ") without `for`: one evaluation with a blip, a restart or a missed scrape wakes someone up",
         &r);
}

void for_vs_interval(Collector& c, const RuleGroup& g, const Rule& r) {
  if (r.alert.empty() || r.for_ms <= 0) return;
  std::int64_t interval = g.interval_ms > 0 ? g.interval_ms : c.config.evaluation_interval_ms;
  if (r.for_ms >= interval) return;
  c.warn(r.line, "for-shorter-than-interval",
         who(g, r) + "`for: " + promql::format_duration(r.for_ms) + "` is shorter than the group's evaluation interval (" +
             promql::format_duration(interval) + "): the alert fires on the second evaluation, " +
             promql::format_duration(interval) + " after it starts pending, whatever `for` says",
         &r);
}

// ---------------------------------------------------------------- templates

struct TemplateUse {
  std::set<std::string> labels;  // $labels.x, .Labels.x, index $labels "x"
  bool value = false;            // $value, .Value
  std::set<std::string> v3_functions;
};

// `$labels`, `.Labels` at the root, or `$.Labels`: the alert's labels map.
bool is_labels_map(const gotmpl::Operand& o, bool dot_is_root, std::size_t* consumed) {
  using K = gotmpl::Operand::Kind;
  if (o.kind == K::Variable && o.name == "$labels") {
    *consumed = 0;
    return true;
  }
  if (((o.kind == K::Field && dot_is_root) || (o.kind == K::Variable && o.name == "$")) && !o.fields.empty() &&
      o.fields[0] == "Labels") {
    *consumed = 1;
    return true;
  }
  return false;
}

TemplateUse template_use(const gotmpl::Template& t) {
  using K = gotmpl::Operand::Kind;
  TemplateUse use;
  gotmpl::walk_commands(t, [&](const gotmpl::Command& cmd, bool dot_is_root) {
    for (const auto& arg : cmd.args) {
      std::size_t consumed = 0;
      if (is_labels_map(arg, dot_is_root, &consumed) && arg.fields.size() > consumed) use.labels.insert(arg.fields[consumed]);
      if ((arg.kind == K::Variable && arg.name == "$value") ||
          (arg.kind == K::Field && dot_is_root && arg.fields.size() == 1 && arg.fields[0] == "Value") ||
          (arg.kind == K::Variable && arg.name == "$" && arg.fields.size() == 1 && arg.fields[0] == "Value"))
        use.value = true;
      if (arg.kind == K::Function && gotmpl::prometheus3_functions().count(arg.name)) use.v3_functions.insert(arg.name);
    }
    // index $labels "x"
    if (cmd.args.size() >= 3 && cmd.args[0].kind == K::Function && cmd.args[0].name == "index" &&
        cmd.args[2].kind == K::String) {
      std::size_t consumed = 0;
      if (is_labels_map(cmd.args[1], dot_is_root, &consumed) && cmd.args[1].fields.size() == consumed)
        use.labels.insert(cmd.args[2].string_value);
    }
  });
  return use;
}

std::string describe_labels(const promql::ResultLabels& rl) {
  if (rl.open) return "its result drops " + join(rl.labels);
  if (rl.labels.empty()) return "its result has no labels";
  return "its result carries only " + join(rl.labels);
}

void templates(Collector& c, const RuleGroup& g, const Rule& r) {
  if (r.alert.empty()) return;
  const gotmpl::ParseOptions options = gotmpl::prometheus_alert_options(r.alert);
  std::optional<promql::ResultLabels> result;
  if (r.parsed) result = promql::result_labels(*r.parsed);
  auto check = [&](const std::string& kind, const std::map<std::string, std::string>& values,
                   const std::map<std::string, int>& lines) {
    for (const auto& [name, text] : values) {
      if (text.find("{{") == std::string::npos) continue;
      gotmpl::ParseResult parsed = gotmpl::parse_template(text, options);
      if (!parsed.ok()) continue;  // the loader reports it
      auto it = lines.find(name);
      int line = it != lines.end() ? it->second : r.line;
      TemplateUse use = template_use(*parsed.tmpl);
      if (result)
        for (const auto& label : use.labels)
          if (!result->may_have(label))
            c.warn(line, "template-label",
                   who(g, r) + kind + " " + quoted(name) + " uses $labels." + label + ", but the expression cannot return " +
                       "a label " + quoted(label) + " (" + describe_labels(*result) + "): it expands to an empty string",
                   &r);
      if (kind == "label" && use.value)
        c.warn(line, "value-in-label",
               who(g, r) + "label " + quoted(name) +
                   " uses $value: every change of the value makes a new alert (resolving the old one)",
               &r);
      if (c.config.prometheus_major < 3)
        for (const auto& f : use.v3_functions)
          c.warn(line, "prometheus3-only",
                 who(g, r) + kind + " " + quoted(name) + " calls the template function " + f +
                     ", which only Prometheus 3 knows: Prometheus 2 refuses the file",
                 &r);
    }
  };
  check("label", r.labels, r.label_lines);
  check("annotation", r.annotations, r.annotation_lines);
}

// ---------------------------------------------------------------- expressions

// Counters by naming convention: OpenMetrics' _total, and the count, sum and
// buckets of summaries and histograms.
bool named_like_counter(std::string_view name) {
  for (std::string_view s : {"_total", "_count", "_sum", "_bucket"})
    if (ends_with(name, s)) return true;
  return false;
}

// Only names that say what they measure is a level are flagged: a name with
// neither a counter nor a gauge suffix (old exporters' counters often lack
// _total) is given the benefit of the doubt.
bool named_like_gauge(std::string_view name) {
  if (name == "up") return true;
  static const std::vector<std::string_view> kSuffixes = {
      "_ratio",       "_percent",      "_percentage",     "_celsius",       "_temperature", "_info",
      "_timestamp",   "_timestamp_seconds", "_start_time_seconds", "_boot_time_seconds", "_in_progress",
      "_inflight",    "_in_flight",    "_size_bytes",   "_limit",          "_limit_bytes",   "_capacity",    "_capacity_bytes",
      "_available",   "_available_bytes", "_free",        "_free_bytes",    "_used",        "_used_bytes",
      "_usage_bytes", "_utilization",  "_up",             "_gauge",         "_queue_length", "_open_fds",
      "_max_fds",     "_goroutines",   "_threads",        "_age_seconds",   "_last_seen",   "_resident_memory_bytes",
      "_virtual_memory_bytes", "_working_set_bytes"};
  for (std::string_view s : kSuffixes)
    if (ends_with(name, s)) return true;
  return false;
}

const std::set<std::string>& counter_functions() {
  static const std::set<std::string> kFuncs = {"rate", "irate", "increase"};
  return kFuncs;
}

// Functions that need two samples in their range to return anything.
const std::set<std::string>& two_sample_functions() {
  static const std::set<std::string> kFuncs = {"rate",   "irate", "increase",       "delta",
                                               "idelta", "deriv", "predict_linear", "resets"};
  return kFuncs;
}

void selectors(Collector& c, const RuleGroup& g, const Rule& r) {
  for (const promql::SelectorUse& u : promql::selectors(*r.parsed)) {
    std::string written = r.expr.substr(u.pos.start, u.pos.end - u.pos.start);
    if (counter_functions().count(u.function) && !u.metric.empty() && u.metric.find(':') == std::string::npos &&
        !named_like_counter(u.metric) && named_like_gauge(u.metric))
      c.warn(r.expr_line, "rate-on-gauge",
             who(g, r) + u.function + "(" + written + "): " + u.metric +
                 " is named like a gauge, and " + u.function +
                 " treats every drop as a counter reset; use delta() or deriv() for a gauge",
             &r);
    if (two_sample_functions().count(u.function) && u.range_ms > 0 && u.range_ms < 2 * c.config.scrape_interval_ms)
      c.warn(r.expr_line, "range-too-short",
             who(g, r) + u.function + "(" + written + ") uses a range of " + promql::format_duration(u.range_ms) +
                 ", less than twice the scrape interval (" + promql::format_duration(c.config.scrape_interval_ms) +
                 "): it often holds fewer than two samples and then returns nothing",
             &r);
  }
}

// What an expression's values can be: [lo, hi], and whether only integers.
struct Bounds {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool integer = false;
  std::string why;  // "absent() returns 1 or nothing"
};

const Node* unparen(const Node* n) {
  while (n) {
    if (auto* p = n->as<promql::Paren>()) n = p->expr.get();
    else break;
  }
  return n;
}

std::optional<double> literal(const Node* n) {
  n = unparen(n);
  if (auto* num = n->as<promql::NumberLiteral>()) return num->value;
  return std::nullopt;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

std::optional<Bounds> bounds(const Node* n) {
  n = unparen(n);
  if (auto* call = n->as<promql::Call>()) {
    std::string_view f = call->func ? call->func->name : "";
    if (f == "absent" || f == "absent_over_time") return Bounds{1, 1, true, std::string(f) + "() returns 1 or nothing"};
    if (f == "count_over_time") return Bounds{1, kInf, true, "count_over_time() is at least 1"};
    if (f == "changes" || f == "resets") return Bounds{0, kInf, true, std::string(f) + "() is never negative"};
    if (f == "rate" || f == "irate" || f == "increase") return Bounds{0, kInf, false, std::string(f) + "() is never negative"};
    if (f == "abs" || f == "sqrt") return Bounds{0, kInf, false, std::string(f) + "() is never negative"};
    if (f == "clamp" && call->args.size() == 3) {
      auto lo = literal(call->args[1].get()), hi = literal(call->args[2].get());
      if (lo && hi) return Bounds{*lo, *hi, false, "clamp() keeps its values within its bounds"};
    }
    if (f == "clamp_min" && call->args.size() == 2)
      if (auto lo = literal(call->args[1].get())) return Bounds{*lo, kInf, false, "clamp_min() is never below its bound"};
    if (f == "clamp_max" && call->args.size() == 2)
      if (auto hi = literal(call->args[1].get())) return Bounds{-kInf, *hi, false, "clamp_max() is never above its bound"};
    return std::nullopt;
  }
  if (auto* agg = n->as<promql::Aggregate>()) {
    if (agg->op == promql::AggOp::Count) return Bounds{1, kInf, true, "count() is at least 1"};
    if (agg->op == promql::AggOp::Group) return Bounds{1, 1, true, "group() is always 1"};
    if (agg->op == promql::AggOp::CountValues) return Bounds{1, kInf, true, "count_values() counts at least 1"};
    return std::nullopt;
  }
  if (auto* bin = n->as<promql::Binary>())
    if (promql::is_comparison(bin->op) && bin->return_bool) return Bounds{0, 1, true, "a `bool` comparison is 0 or 1"};
  return std::nullopt;
}

promql::BinOp flipped(promql::BinOp op) {
  using promql::BinOp;
  switch (op) {
    case BinOp::Gtr: return BinOp::Lss;
    case BinOp::Lss: return BinOp::Gtr;
    case BinOp::Gte: return BinOp::Lte;
    case BinOp::Lte: return BinOp::Gte;
    default: return op;
  }
}

bool never_true(const Bounds& b, promql::BinOp op, double c) {
  using promql::BinOp;
  switch (op) {
    case BinOp::Gtr: return b.hi <= c;
    case BinOp::Gte: return b.hi < c;
    case BinOp::Lss: return b.lo >= c;
    case BinOp::Lte: return b.lo > c;
    case BinOp::Eql: return c < b.lo || c > b.hi || (b.integer && std::floor(c) != c);
    case BinOp::Neq: return b.lo == b.hi && b.lo == c;
    default: return false;
  }
}

void comparisons(Collector& c, const RuleGroup& g, const Rule& r) {
  promql::walk(*r.parsed, [&](const Node& n) {
    auto* bin = n.as<promql::Binary>();
    if (!bin || !promql::is_comparison(bin->op) || bin->return_bool) return;
    std::optional<Bounds> b = bounds(bin->lhs.get());
    std::optional<double> k = literal(bin->rhs.get());
    promql::BinOp op = bin->op;
    if (!b || !k) {
      b = bounds(bin->rhs.get());
      k = literal(bin->lhs.get());
      op = flipped(op);
    }
    if (!b || !k || !never_true(*b, op, *k)) return;
    c.warn(r.expr_line, "impossible-comparison",
           who(g, r) + "`" + r.expr.substr(n.pos.start, n.pos.end - n.pos.start) + "` can never be true (" + b->why +
               ")" + (r.alert.empty() ? "" : ": the alert can never fire"),
           &r);
  });
}

void functions(Collector& c, const RuleGroup& g, const Rule& r) {
  std::set<std::string> reported;
  promql::walk(*r.parsed, [&](const Node& n) {
    std::string name;
    bool newer = false, experimental = false, removed = false;
    if (auto* call = n.as<promql::Call>(); call && call->func) {
      name = std::string(call->func->name);
      newer = call->func->newer_than_reference;
      experimental = call->func->experimental;
      removed = call->func->removed_in_v3;
    } else if (auto* agg = n.as<promql::Aggregate>();
               agg && (agg->op == promql::AggOp::Limitk || agg->op == promql::AggOp::LimitRatio)) {
      name = std::string(promql::agg_op_name(agg->op));
      newer = experimental = true;
    }
    if (name.empty() || !reported.insert(name).second) return;
    if (c.config.prometheus_major < 3 && newer)
      c.warn(r.expr_line, "prometheus3-only",
             who(g, r) + name + " is known to Prometheus 3 only" +
                 (experimental ? " (behind --enable-feature=promql-experimental-functions)" : "") +
                 ": Prometheus 2 refuses the expression",
             &r);
    if (c.config.prometheus_major >= 3 && experimental)
      c.warn(r.expr_line, "experimental-function",
             who(g, r) + name + " is experimental in Prometheus 3: it needs --enable-feature=promql-experimental-functions",
             &r);
    if (c.config.prometheus_major >= 3 && removed)
      c.warn(r.expr_line, "removed-in-prometheus3",
             who(g, r) + name + " was removed in Prometheus 3 (renamed double_exponential_smoothing, experimental)", &r);
  });
}

void duplicates(Collector& c, const RuleGroup& g) {
  std::map<std::pair<std::string, std::map<std::string, std::string>>, const Rule*> seen;
  for (const Rule& r : g.rules) {
    if (r.name().empty()) continue;
    auto [it, fresh] = seen.emplace(std::make_pair(r.name(), r.labels), &r);
    if (fresh) continue;
    c.warn(r.line, "duplicate-rule",
           who(g, r) + "has the same name and labels as the rule at line " + std::to_string(it->second->line) +
               (r.alert.empty() ? ": where their expressions return the same series, one overwrites the other"
                                : ": where their expressions return the same series, their alerts cannot be told apart"),
           &r);
  }
}

// ---------------------------------------------------------------- suppressions

struct Suppression {
  bool all = false;
  std::set<std::string> ids;
};

std::vector<std::optional<Suppression>> suppressions(const std::vector<std::string>& lines) {
  std::vector<std::optional<Suppression>> out(lines.size() + 2);
  const std::string marker = "greenlight:ignore";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::size_t hash = lines[i].find('#');
    if (hash == std::string::npos) continue;
    std::size_t at = lines[i].find(marker, hash);
    if (at == std::string::npos) continue;
    Suppression s;
    std::string rest = lines[i].substr(at + marker.size());
    for (char& ch : rest)
      if (ch == ',') ch = ' ';
    std::istringstream words(rest);
    for (std::string w; words >> w;) s.ids.insert(w);
    s.all = s.ids.empty();
    out[i + 1] = s;  // 1-based
  }
  return out;
}

bool blank_or_comment(const std::string& line) {
  std::size_t b = line.find_first_not_of(" \t\r");
  return b == std::string::npos || line[b] == '#';
}

}  // namespace

const std::map<std::string, std::string>& lint_rule_ids() {
  static const std::map<std::string, std::string> kIds = {
      {"missing-for-on-page", "an alert that pages (severity page or critical) has no `for`"},
      {"missing-label", "an alert lacks a required label (default: severity)"},
      {"missing-annotation", "an alert lacks a required annotation (default: summary)"},
      {"template-label", "a template uses $labels.x but the expression cannot return label x"},
      {"value-in-label", "a label template uses $value, so each new value is a new alert"},
      {"rate-on-gauge", "rate/irate/increase on a metric named like a gauge"},
      {"range-too-short", "a rate-like function's range is under twice the scrape interval"},
      {"impossible-comparison", "a comparison that can never be true, e.g. absent(x) > 1"},
      {"for-shorter-than-interval", "`for` is shorter than the group's evaluation interval"},
      {"duplicate-rule", "two rules of a group have the same name and labels"},
      {"prometheus3-only", "a function or field Prometheus 2 does not know"},
      {"experimental-function", "a function Prometheus 3 only enables behind a feature flag"},
      {"removed-in-prometheus3", "a function Prometheus 3 no longer has (holt_winters)"},
  };
  return kIds;
}

std::vector<RuleFinding> lint_rule_file(const RuleFile& file, const LintConfig& config) {
  Collector c{file, config, {}};
  for (const RuleGroup& g : file.groups) {
    for (const Rule& r : g.rules) {
      required(c, g, r);
      missing_for(c, g, r);
      for_vs_interval(c, g, r);
      templates(c, g, r);
      if (r.parsed) {
        selectors(c, g, r);
        comparisons(c, g, r);
        functions(c, g, r);
      }
    }
    duplicates(c, g);
  }

  std::vector<std::string> lines;
  {
    std::ifstream in(file.path);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  auto supp = suppressions(lines);
  auto line_text = [&](int l) -> const std::string& {
    static const std::string kEmpty;
    return l >= 1 && static_cast<std::size_t>(l) <= lines.size() ? lines[l - 1] : kEmpty;
  };
  auto suppressed_at = [&](int l, const std::string& id) {
    if (l < 1 || static_cast<std::size_t>(l) >= supp.size() || !supp[l]) return false;
    return supp[l]->all || supp[l]->ids.count(id) > 0;
  };
  // A rule's lines run to the next rule or group, less the comments and blank
  // lines just above that one (they belong to it).
  std::vector<int> starts;
  for (const RuleGroup& g : file.groups) {
    starts.push_back(g.line);
    for (const Rule& r : g.rules) starts.push_back(r.line);
  }
  std::sort(starts.begin(), starts.end());
  auto rule_end = [&](const Rule& r) {
    auto it = std::upper_bound(starts.begin(), starts.end(), r.line);
    int end = it == starts.end() ? static_cast<int>(lines.size()) : *it - 1;
    if (it != starts.end())
      while (end > r.line && blank_or_comment(line_text(end))) --end;
    return end;
  };

  std::vector<RuleFinding> out;
  auto level_of = [&](const std::string& id) {
    auto it = config.levels.find(id);
    return it == config.levels.end() ? LintLevel::Warning : it->second;
  };
  auto keep = [&](RuleFinding f, const Rule* rule) {
    LintLevel level = level_of(f.id);
    if (level == LintLevel::Off) return;
    int from = rule ? rule->line - 1 : f.line - 1;
    int to = rule ? rule_end(*rule) : f.line;
    for (int l = from; l <= to; ++l)
      if (suppressed_at(l, f.id)) return;
    f.error = level == LintLevel::Error;
    out.push_back(std::move(f));
  };
  for (const RuleFinding& f : file.findings) {
    if (f.error) {
      out.push_back(f);  // Prometheus refuses the file: never silenced
    } else if (!(f.id == "prometheus3-only" && config.prometheus_major >= 3)) {
      keep(f, nullptr);
    }
  }
  for (auto& [f, rule] : c.out) keep(std::move(f), rule);
  std::stable_sort(out.begin(), out.end(), [](const RuleFinding& a, const RuleFinding& b) { return a.line < b.line; });
  return out;
}

std::string format_rule_finding(const RuleFinding& f) {
  return f.file + ":" + std::to_string(f.line) + ": " + (f.error ? "error" : "warning") + ": " + f.message + " [" + f.id +
         "]";
}

}  // namespace greenlight
