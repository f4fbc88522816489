// The promtool test runner (cmd/promtool/unittest.go of 2.42) with the rule
// manager's evaluation (rules/group.go, alerting.go, recording.go) rebuilt on
// greenlight's evaluator, and failure messages that name what differs.
#include "suites/alerts/unit_test_run.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/eval.h"
#include "suites/alerts/promql/lexer.h"
#include "suites/alerts/promql/parser.h"
#include "suites/alerts/promql/printer.h"
#include "suites/alerts/rule_file.h"
#include "suites/alerts/template_expand.h"

namespace greenlight {

namespace {

using promql::Labels;
using StrMap = std::map<std::string, std::string>;

constexpr const char* kMetricName = "__name__";

std::string dur(std::int64_t ms) { return promql::format_duration(ms); }
std::string num(double v) { return promql::format_number(v); }
std::string quote(const std::string& s) { return promql::quote_string(s); }
std::string count_of(std::size_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// Prometheus' labels.Builder: an empty value deletes the label.
Labels to_labels(const StrMap& m) {
  Labels out;
  for (const auto& [k, v] : m)
    if (!v.empty()) out.emplace_back(k, v);
  return out;
}

StrMap to_map(const Labels& l) { return StrMap(l.begin(), l.end()); }

// `name{a="1", b="2"}`, the name taken from `name_label` (alertname or __name__).
std::string label_text(const StrMap& labels, const std::string& name_label) {
  std::string out;
  auto it = labels.find(name_label);
  if (it != labels.end()) out = it->second;
  out += "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (k == name_label) continue;
    out += (first ? "" : ", ") + k + "=" + quote(v);
    first = false;
  }
  return out + "}";
}

std::string map_text(const StrMap& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    out += (first ? "" : ", ") + k + "=" + quote(v);
    first = false;
  }
  return out + "}";
}

// util/almost.Equal with promtool 3's epsilon, for fuzzy_compare.
bool almost_equal(double a, double b) {
  constexpr double eps = 1e-6, min_normal = 2.2250738585072014e-308;
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double abs_sum = std::fabs(a) + std::fabs(b), diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < min_normal) return diff < eps * min_normal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < eps;
}

// ---------------------------------------------------------------- rule state

enum class AlertState { Pending, Firing, Inactive };

struct ActiveAlert {
  StrMap labels;  // alertname included, no __name__
  StrMap annotations;
  AlertState state = AlertState::Pending;
  std::int64_t active_at = 0;
  std::optional<std::int64_t> keep_firing_since;
  double value = 0;
};

struct RuleRun {
  const Rule* rule = nullptr;
  std::string group;
  std::vector<std::pair<std::string, AlertTemplate>> label_templates, annotation_templates;
  std::map<StrMap, ActiveAlert> active;
  std::set<Labels> previous;  // series written at the last evaluation
};

struct GroupRun {
  const RuleGroup* group = nullptr;
  std::string file;
  std::vector<RuleRun> rules;
};

struct RuleError {
  std::string message;
};

struct AlertSeen {
  StrMap labels, annotations;
  bool operator<(const AlertSeen& o) const {
    return labels != o.labels ? labels < o.labels : annotations < o.annotations;
  }
  bool operator==(const AlertSeen& o) const { return labels == o.labels && annotations == o.annotations; }
};

// Why a test group could not finish: the checks it did not reach say this.
struct Abort {
  std::string message;
};

std::string alert_line(const AlertSeen& a) {
  std::string out = label_text(a.labels, "alertname");
  out += a.annotations.empty() ? " (no annotations)" : " annotations " + map_text(a.annotations);
  return out;
}

std::string alerts_blob(const std::vector<AlertSeen>& alerts) {
  if (alerts.empty()) return "(none)";
  std::string out;
  for (const auto& a : alerts) out += alert_line(a) + "\n";
  out.pop_back();
  return out;
}

// ---------------------------------------------------------------- diffs

// How two label or annotation maps differ, one entry per key: `label severity:
// expected "page" got "warning"`.
std::vector<std::string> map_diff(const std::string& what, const StrMap& exp, const StrMap& got) {
  std::vector<std::string> out;
  for (const auto& [k, v] : exp) {
    auto it = got.find(k);
    if (it == got.end()) out.push_back(what + " " + k + ": expected " + quote(v) + " got none");
    else if (it->second != v) out.push_back(what + " " + k + ": expected " + quote(v) + " got " + quote(it->second));
  }
  for (const auto& [k, v] : got)
    if (!exp.count(k)) out.push_back(what + " " + k + ": expected none got " + quote(v));
  return out;
}

int common_labels(const StrMap& a, const StrMap& b) {
  int n = 0;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it != b.end() && it->second == v && k != "alertname") ++n;
  }
  return n;
}

// The lines that explain how `got` differs from `exp` (multisets of alerts).
std::vector<std::string> alert_diff(std::vector<AlertSeen> exp, std::vector<AlertSeen> got,
                                    const std::function<std::string(const AlertSeen&)>& missing_hint) {
  // Equal alerts first, then pairs with the same labels, then the closest labels.
  for (auto e = exp.begin(); e != exp.end();) {
    auto g = std::find(got.begin(), got.end(), *e);
    if (g != got.end()) {
      got.erase(g);
      e = exp.erase(e);
    } else {
      ++e;
    }
  }
  std::vector<std::string> lines;
  auto pair_up = [&](auto score_of, int min_score) {
    for (auto e = exp.begin(); e != exp.end();) {
      auto best = got.end();
      int best_score = min_score - 1;
      for (auto g = got.begin(); g != got.end(); ++g) {
        int s = score_of(*e, *g);
        if (s > best_score) best_score = s, best = g;
      }
      if (best == got.end()) {
        ++e;
        continue;
      }
      std::string who = "alert " + label_text(e->labels, "alertname");
      for (const auto& d : map_diff("label", e->labels, best->labels)) lines.push_back(who + ": " + d);
      for (const auto& d : map_diff("annotation", e->annotations, best->annotations)) lines.push_back(who + ": " + d);
      got.erase(best);
      e = exp.erase(e);
    }
  };
  pair_up([](const AlertSeen& a, const AlertSeen& b) { return a.labels == b.labels ? 1 : 0; }, 1);
  // Alerts that share a label value (other than alertname) are probably the
  // same alert with a wrong label; with one alert on each side, surely.
  bool one_each = exp.size() == 1 && got.size() == 1;
  pair_up([](const AlertSeen& a, const AlertSeen& b) { return common_labels(a.labels, b.labels); }, one_each ? 0 : 1);
  for (const auto& e : exp) {
    std::string hint = missing_hint(e);
    lines.push_back("missing alert " + label_text(e.labels, "alertname") + (hint.empty() ? "" : ": " + hint));
  }
  for (const auto& g : got) lines.push_back("unexpected firing alert " + alert_line(g));
  return lines;
}

struct SampleSeen {
  StrMap labels;
  double value = 0;
};

std::string sample_line(const SampleSeen& s) { return label_text(s.labels, kMetricName) + " " + num(s.value); }

std::string samples_blob(const std::vector<SampleSeen>& v) {
  if (v.empty()) return "(no samples)";
  std::string out;
  for (const auto& s : v) out += sample_line(s) + "\n";
  out.pop_back();
  return out;
}

// ---------------------------------------------------------------- one test group

class GroupRunner {
 public:
  GroupRunner(const UnitTestFile& file, const TestGroup& tg, const std::vector<const RuleFile*>& rule_files,
              const UnitTestOptions& options)
      : file_(file), tg_(tg), rule_files_(rule_files) {
    eval_options_.default_subquery_step_ms = file.evaluation_interval_ms;
    eval_options_.semantics_v3 = options.semantics_v3;
    semantics_v3_ = options.semantics_v3;
    eval_options_.max_samples = options.max_samples;
  }

  std::vector<Check> run();

 private:
  const UnitTestFile& file_;
  const TestGroup& tg_;
  std::vector<const RuleFile*> rule_files_;
  promql::EvalOptions eval_options_;
  bool semantics_v3_ = false;
  promql::SeriesStore store_;
  std::vector<GroupRun> groups_;

  struct Input {
    Labels labels;
    std::vector<std::pair<std::int64_t, double>> samples;
    std::size_t next = 0;
  };
  std::vector<Input> inputs_;

  std::string prefix() const { return file_.path + ": " + tg_.display_name() + ": "; }
  // The 2.x trap of a test group without `interval`, said where it bites.
  std::string interval_note() const {
    if (tg_.interval_ms || semantics_v3_) return "";
    for (const auto& s : tg_.input_series)
      if (s.points.size() > 1)
        return "\nnote: this test group has no `interval`, so (as in promtool 2.x) every input sample is at 0s "
               "and only the first of each series counts; set `interval:` (Prometheus 3 defaults it to "
               "evaluation_interval)";
    return "";
  }
  std::string where(int line) const { return file_.path + ":" + std::to_string(line) + ": "; }

  void load_rules();
  void prepare_inputs();
  void load_inputs_till(std::int64_t ts);
  void eval_step(std::int64_t ts, std::vector<std::string>& errors);
  void eval_recording(RuleRun& r, const RuleGroup& g, std::int64_t ts);
  void eval_alerting(RuleRun& r, const RuleGroup& g, std::int64_t ts);
  std::vector<promql::InstantSample> query(const promql::Node& expr, std::int64_t ts);
  void append(RuleRun& r, const std::vector<promql::InstantSample>& vec, std::int64_t ts);
  Check check_alert(const AlertRuleTest& t, std::int64_t step_ts);
  Check check_expr(const PromqlExprTest& t);
  std::string missing_hint(const AlertSeen& e, std::int64_t step_ts) const;
};

void GroupRunner::load_rules() {
  // Rule errors stop the test group, as LoadGroups' errors stop promtool's.
  std::string errors;
  for (const RuleFile* rf : rule_files_)
    for (const auto& f : rf->findings)
      if (f.error) errors += "\n" + f.file + ":" + std::to_string(f.line) + ": " + f.message;
  if (!errors.empty()) throw Abort{"the rule files do not load:" + errors};

  std::map<std::string, int> order;
  for (std::size_t i = 0; i < file_.group_eval_order.size(); ++i) order[file_.group_eval_order[i]] = static_cast<int>(i);
  for (const RuleFile* rf : rule_files_)
    for (const RuleGroup& g : rf->groups) {
      GroupRun run;
      run.group = &g;
      run.file = rf->path;
      for (const Rule& rule : g.rules) {
        if (!rule.parsed) throw Abort{rf->path + ":" + std::to_string(rule.expr_line) + ": rule " + quote(rule.name()) +
                                      ": expression does not parse"};
        RuleRun r;
        r.rule = &rule;
        r.group = g.name;
        if (!rule.alert.empty()) {
          for (const auto& [k, v] : rule.labels) r.label_templates.emplace_back(k, AlertTemplate(rule.alert, v));
          for (const auto& [k, v] : rule.annotations) r.annotation_templates.emplace_back(k, AlertTemplate(rule.alert, v));
        }
        run.rules.push_back(std::move(r));
      }
      groups_.push_back(std::move(run));
    }
  // Listed groups in their order; an unlisted one ties with the first listed
  // (promtool's sort key 0), and ties keep the file order.
  std::stable_sort(groups_.begin(), groups_.end(), [&](const GroupRun& a, const GroupRun& b) {
    auto key = [&](const GroupRun& g) {
      auto it = order.find(g.group->name);
      return it == order.end() ? 0 : it->second;
    };
    return key(a) < key(b);
  });
}

void GroupRunner::prepare_inputs() {
  // A series given twice keeps its last definition, as promtool's load does.
  // Without an interval, promtool 2.x stacks every sample at 0s and storage
  // keeps the first; Prometheus 3 spaces them by evaluation_interval.
  std::int64_t interval = tg_.interval_ms ? tg_.interval_ms : semantics_v3_ ? file_.evaluation_interval_ms : 0;
  std::map<Labels, std::size_t> by_labels;
  for (const InputSeries& s : tg_.input_series) {
    Input in;
    in.labels = s.labels;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const SeriesPoint& p = s.points[i];
      if (p.kind == SeriesPoint::Kind::Omitted) continue;
      double v = p.kind == SeriesPoint::Kind::Stale ? promql::stale_nan() : p.value;
      std::int64_t t = static_cast<std::int64_t>(i) * interval;
      if (!in.samples.empty() && in.samples.back().first >= t) continue;
      in.samples.emplace_back(t, v);
    }
    auto it = by_labels.find(in.labels);
    if (it != by_labels.end()) {
      inputs_[it->second] = std::move(in);
    } else {
      by_labels[in.labels] = inputs_.size();
      inputs_.push_back(std::move(in));
    }
  }
}

// promtool's LazyLoader: input samples enter storage only up to the step being
// evaluated, so rules (and queries) never see input from later steps.
void GroupRunner::load_inputs_till(std::int64_t ts) {
  for (Input& in : inputs_) {
    while (in.next < in.samples.size() && in.samples[in.next].first <= ts) {
      const auto& [t, v] = in.samples[in.next++];
      try {
        store_.add(in.labels, t, v);
      } catch (const std::invalid_argument&) {
        throw Abort{"input series " + label_text(to_map(in.labels), kMetricName) + " has a sample at " + dur(t) +
                    " where a rule already wrote one"};
      }
    }
  }
}

std::vector<promql::InstantSample> GroupRunner::query(const promql::Node& expr, std::int64_t ts) {
  promql::Value v = promql::evaluate(expr, store_, ts, eval_options_);
  if (v.type == promql::ValueType::Vector) return std::move(v.vector);
  if (v.type == promql::ValueType::Scalar) return {promql::InstantSample{{}, v.scalar}};
  throw promql::EvalError("rule result is not a vector or scalar");
}

void GroupRunner::append(RuleRun& r, const std::vector<promql::InstantSample>& vec, std::int64_t ts) {
  // Appends that storage refuses (a duplicate or out-of-order sample) are
  // dropped, as the rule group does; series that vanished get a stale marker.
  std::set<Labels> returned;
  for (const auto& s : vec) {
    try {
      store_.add(s.labels, ts, s.value);
      returned.insert(s.labels);
    } catch (const std::invalid_argument&) {
    }
  }
  for (const Labels& l : r.previous)
    if (!returned.count(l)) {
      try {
        store_.add(l, ts, promql::stale_nan());
      } catch (const std::invalid_argument&) {
      }
    }
  r.previous = std::move(returned);
}

void GroupRunner::eval_recording(RuleRun& r, const RuleGroup& g, std::int64_t ts) {
  std::vector<promql::InstantSample> vec = query(*r.rule->parsed, ts);
  std::set<Labels> seen;
  for (auto& s : vec) {
    StrMap m = to_map(s.labels);
    m[kMetricName] = r.rule->record;
    for (const auto& [k, v] : r.rule->labels) m[k] = v;
    s.labels = to_labels(m);
    if (!seen.insert(s.labels).second)
      throw RuleError{"vector contains metrics with the same labelset after applying rule labels"};
  }
  if (g.limit > 0 && vec.size() > static_cast<std::size_t>(g.limit))
    throw RuleError{"exceeded limit of " + std::to_string(g.limit) + " with " + std::to_string(vec.size()) + " series"};
  append(r, vec, ts);
}

void GroupRunner::eval_alerting(RuleRun& r, const RuleGroup& g, std::int64_t ts) {
  const Rule& rule = *r.rule;
  std::vector<promql::InstantSample> res = query(*rule.parsed, ts);
  TemplateEnv env;
  env.query = [this, ts](const std::string& q) {
    std::vector<TemplateSample> out;
    promql::NodePtr node = promql::parse_promql_or_throw(q);
    for (auto& s : query(*node, ts)) out.push_back({to_map(s.labels), s.value});
    return out;
  };
  // Each result series: its labels (without __name__) plus the expanded rule
  // labels and alertname; annotations expanded with its labels and value.
  std::map<StrMap, ActiveAlert> current;
  for (const auto& s : res) {
    AlertTemplateData data;
    data.labels = to_map(s.labels);
    data.external_labels = tg_.external_labels;
    data.external_url = tg_.external_url;
    data.value = s.value;
    StrMap labels = data.labels;
    labels.erase(kMetricName);
    for (const auto& [k, t] : r.label_templates) {
      std::string v = t.expand(data, env);
      if (v.empty()) labels.erase(k);
      else labels[k] = v;
    }
    labels["alertname"] = rule.alert;
    ActiveAlert a;
    for (const auto& [k, t] : r.annotation_templates) a.annotations[k] = t.expand(data, env);
    a.labels = labels;
    a.active_at = ts;
    a.value = s.value;
    if (current.count(labels))
      throw RuleError{"vector contains metrics with the same labelset after applying alert labels"};
    current.emplace(std::move(labels), std::move(a));
  }
  for (auto& [key, a] : current) {
    auto it = r.active.find(key);
    if (it != r.active.end() && it->second.state != AlertState::Inactive) {
      it->second.value = a.value;
      it->second.annotations = a.annotations;
    } else {
      r.active[key] = a;
    }
  }
  std::vector<promql::InstantSample> vec;
  std::size_t active_pending = 0;
  for (auto it = r.active.begin(); it != r.active.end();) {
    ActiveAlert& a = it->second;
    if (!current.count(it->first)) {
      bool keep_firing = false;
      if (a.state == AlertState::Firing && rule.keep_firing_for_ms > 0) {
        if (!a.keep_firing_since) a.keep_firing_since = ts;
        keep_firing = ts - *a.keep_firing_since < rule.keep_firing_for_ms;
      }
      if (!keep_firing) {
        // Resolved (or a pending alert that missed an evaluation): gone. Prometheus
        // keeps resolved alerts 15m for Alertmanager, invisible to the test.
        it = r.active.erase(it);
        continue;
      }
    } else {
      a.keep_firing_since.reset();
    }
    ++active_pending;
    if (a.state == AlertState::Pending && ts - a.active_at >= rule.for_ms) a.state = AlertState::Firing;
    // ALERTS and ALERTS_FOR_STATE: the raw rule labels under the alert's.
    StrMap base(rule.labels.begin(), rule.labels.end());
    for (const auto& [k, v] : a.labels) base[k] = v;
    StrMap alerts = base, for_state = base;
    alerts[kMetricName] = "ALERTS";
    alerts["alertstate"] = a.state == AlertState::Firing ? "firing" : "pending";
    for_state[kMetricName] = "ALERTS_FOR_STATE";
    vec.push_back({to_labels(alerts), 1});
    vec.push_back({to_labels(for_state), static_cast<double>(a.active_at / 1000)});
    ++it;
  }
  if (g.limit > 0 && active_pending > static_cast<std::size_t>(g.limit)) {
    r.active.clear();
    throw RuleError{"exceeded limit of " + std::to_string(g.limit) + " with " + std::to_string(active_pending) +
                    " alerts"};
  }
  append(r, vec, ts);
}

void GroupRunner::eval_step(std::int64_t ts, std::vector<std::string>& errors) {
  for (GroupRun& g : groups_)
    for (RuleRun& r : g.rules) {
      try {
        if (r.rule->alert.empty()) eval_recording(r, *g.group, ts);
        else eval_alerting(r, *g.group, ts);
      } catch (const RuleError& e) {
        errors.push_back("rule " + quote(r.rule->name()) + " (group " + quote(g.group->name) + ", " + g.file + ":" +
                         std::to_string(r.rule->line) + ") at " + dur(ts) + ": " + e.message);
      } catch (const promql::EvalError& e) {
        errors.push_back("rule " + quote(r.rule->name()) + " (group " + quote(g.group->name) + ", " + g.file + ":" +
                         std::to_string(r.rule->line) + ") at " + dur(ts) + ": " + e.what());
      }
    }
}

std::string GroupRunner::missing_hint(const AlertSeen& e, std::int64_t step_ts) const {
  const std::string& name = e.labels.at("alertname");
  const RuleRun* found = nullptr;
  for (const GroupRun& g : groups_)
    for (const RuleRun& r : g.rules)
      if (r.rule->alert == name) {
        found = &r;
        auto it = r.active.find(e.labels);
        if (it != r.active.end() && it->second.state == AlertState::Pending)
          return "it is pending since " + dur(it->second.active_at) + " and fires at " +
                 dur(it->second.active_at + r.rule->for_ms) + " (for: " + dur(r.rule->for_ms) + ")";
      }
  if (!found) return "no alerting rule named " + quote(name) + " is loaded";
  return "no alert of that rule has these labels at " + dur(step_ts) + " (neither firing nor pending)";
}

Check GroupRunner::check_alert(const AlertRuleTest& t, std::int64_t step_ts) {
  Check c;
  c.name = prefix() + "alert " + t.alertname + " at " + dur(t.eval_time_ms);
  std::vector<AlertSeen> got, exp;
  for (const GroupRun& g : groups_)
    for (const RuleRun& r : g.rules)
      if (!r.rule->alert.empty() && r.rule->alert == t.alertname)
        for (const auto& [key, a] : r.active)
          if (a.state == AlertState::Firing) got.push_back({a.labels, a.annotations});
  for (const ExpectedAlert& e : t.exp_alerts) {
    AlertSeen s{e.labels, e.annotations};
    s.labels["alertname"] = t.alertname;
    exp.push_back(std::move(s));
  }
  std::sort(got.begin(), got.end());
  std::sort(exp.begin(), exp.end());
  if (got == exp) return c;
  c.outcome = Outcome::failed;
  auto lines = alert_diff(exp, got, [&](const AlertSeen& e) { return missing_hint(e, step_ts); });
  std::string head = where(t.line) + "alert " + t.alertname + " at " + dur(t.eval_time_ms);
  if (step_ts != t.eval_time_ms) head += " (as evaluated at " + dur(step_ts) + ")";
  // Same count: say so, or "expected 1 firing, got 1" reads like a pass; the lines below name what differs.
  if (exp.size() == got.size())
    head += exp.size() == 1 ? ": the firing alert is not the expected one"
                            : ": " + std::to_string(exp.size()) + " firing as expected, but not the expected ones";
  else
    head += ": expected " + std::to_string(exp.size()) + " firing, got " + std::to_string(got.size());
  std::string diff, indented;
  for (const auto& l : lines) diff += l + "\n", indented += "\n  " + l;
  c.message = head + indented + interval_note();
  c.evidence.push_back({"expected", alerts_blob(exp)});
  c.evidence.push_back({"got", alerts_blob(got)});
  if (!diff.empty()) c.evidence.push_back({"diff", diff.substr(0, diff.size() - 1)});
  return c;
}

Check GroupRunner::check_expr(const PromqlExprTest& t) {
  Check c;
  c.name = prefix() + "expr " + t.expr + " at " + dur(t.eval_time_ms);
  std::string head = where(t.line) + "expr " + t.expr + " at " + dur(t.eval_time_ms);
  std::vector<SampleSeen> got, exp;
  try {
    promql::NodePtr node = promql::parse_promql_or_throw(t.expr);
    for (const auto& s : query(*node, t.eval_time_ms)) got.push_back({to_map(s.labels), s.value});
  } catch (const std::exception& e) {
    c.outcome = Outcome::failed;
    c.message = head + ": " + e.what();
    return c;
  }
  for (const auto& s : t.exp_samples) exp.push_back({to_map(s.labels), s.value});
  auto by_labels = [](const SampleSeen& a, const SampleSeen& b) { return a.labels < b.labels; };
  std::stable_sort(got.begin(), got.end(), by_labels);
  std::stable_sort(exp.begin(), exp.end(), by_labels);
  auto same = [&](double a, double b) { return file_.fuzzy_compare ? almost_equal(a, b) : a == b; };
  bool equal = got.size() == exp.size();
  for (std::size_t i = 0; equal && i < got.size(); ++i)
    equal = got[i].labels == exp[i].labels && same(got[i].value, exp[i].value);
  if (equal) return c;
  // Pair by labels, then what is left by the closest labels (surely the same
  // sample when one is left on each side); the rest is missing or unexpected.
  std::vector<std::string> lines;
  std::vector<SampleSeen> rest_got = got, rest_exp;
  auto value_line = [&](const SampleSeen& e, const SampleSeen& g) {
    if (same(g.value, e.value)) return;
    std::string note = std::isnan(e.value) && std::isnan(g.value)
                           ? " (NaN never equals NaN without fuzzy_compare, as in promtool 2.x)"
                           : "";
    lines.push_back("sample " + label_text(e.labels, kMetricName) + ": expected " + num(e.value) + " got " +
                    num(g.value) + note);
  };
  for (const auto& e : exp) {
    auto it = std::find_if(rest_got.begin(), rest_got.end(), [&](const SampleSeen& g) {
      return g.labels == e.labels && same(g.value, e.value);
    });
    if (it == rest_got.end())
      it = std::find_if(rest_got.begin(), rest_got.end(), [&](const SampleSeen& g) { return g.labels == e.labels; });
    if (it == rest_got.end()) {
      rest_exp.push_back(e);
      continue;
    }
    value_line(e, *it);
    rest_got.erase(it);
  }
  const bool one_each = rest_exp.size() == 1 && rest_got.size() == 1;
  for (const auto& e : rest_exp) {
    auto best = rest_got.end();
    int best_score = one_each ? -1 : 0;
    for (auto g = rest_got.begin(); g != rest_got.end(); ++g) {
      int score = 0;
      for (const auto& [k, v] : e.labels) {
        auto it = g->labels.find(k);
        if (it != g->labels.end() && it->second == v && k != kMetricName) ++score;
      }
      if (score > best_score) best_score = score, best = g;
    }
    if (best == rest_got.end()) {
      lines.push_back("missing sample " + sample_line(e));
      continue;
    }
    for (const auto& d : map_diff("label", e.labels, best->labels))
      lines.push_back("sample " + label_text(e.labels, kMetricName) + ": " + d);
    value_line(e, *best);
    rest_got.erase(best);
  }
  for (const auto& g : rest_got) lines.push_back("unexpected sample " + sample_line(g));
  std::string diff, indented;
  for (const auto& l : lines) diff += l + "\n", indented += "\n  " + l;
  if (!diff.empty()) diff.pop_back();
  c.outcome = Outcome::failed;
  c.message = head + ": expected " + count_of(exp.size(), "sample") + ", got " + std::to_string(got.size()) +
              indented + interval_note();
  c.evidence.push_back({"expected", samples_blob(exp)});
  c.evidence.push_back({"got", samples_blob(got)});
  if (!diff.empty()) c.evidence.push_back({"diff", diff});
  return c;
}

std::vector<Check> GroupRunner::run() {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::optional<Check>> alert_checks(tg_.alert_rule_tests.size()), expr_checks(tg_.promql_expr_tests.size());
  std::optional<std::string> abort;
  try {
    load_rules();
    prepare_inputs();
    std::int64_t max_t = 0;
    for (const auto& t : tg_.alert_rule_tests) max_t = std::max(max_t, t.eval_time_ms);
    for (const auto& t : tg_.promql_expr_tests) max_t = std::max(max_t, t.eval_time_ms);
    // Alert tests in eval_time order; each is checked after the step ts with
    // ts <= eval_time < ts + interval, as promtool does.
    std::vector<std::size_t> order(tg_.alert_rule_tests.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return tg_.alert_rule_tests[a].eval_time_ms < tg_.alert_rule_tests[b].eval_time_ms;
    });
    for (const auto& t : tg_.alert_rule_tests)
      if (t.alertname.empty())
        throw Abort{where(t.line) + "an item under alert_rule_test misses required attribute alertname at eval_time " +
                    dur(t.eval_time_ms)};
    const std::int64_t step = file_.evaluation_interval_ms;
    std::size_t next = 0;
    for (std::int64_t ts = 0; ts <= max_t; ts += step) {
      load_inputs_till(ts);
      std::vector<std::string> errors;
      eval_step(ts, errors);
      if (!errors.empty()) {
        std::string msg = "the rules failed to evaluate:";
        for (const auto& e : errors) msg += "\n" + e;
        throw Abort{msg};
      }
      while (next < order.size() && tg_.alert_rule_tests[order[next]].eval_time_ms < ts + step) {
        alert_checks[order[next]] = check_alert(tg_.alert_rule_tests[order[next]], ts);
        ++next;
      }
    }
    for (std::size_t i = 0; i < tg_.promql_expr_tests.size(); ++i) expr_checks[i] = check_expr(tg_.promql_expr_tests[i]);
  } catch (const Abort& a) {
    abort = a.message;
  }
  std::vector<Check> out;
  auto fill = [&](std::optional<Check>& c, const std::string& name, int line) {
    if (!c) {
      c = Check{};
      c->name = name;
      c->outcome = Outcome::failed;
      c->message = where(line) + "not checked: " + *abort;
    }
    out.push_back(std::move(*c));
  };
  for (std::size_t i = 0; i < alert_checks.size(); ++i) {
    const auto& t = tg_.alert_rule_tests[i];
    fill(alert_checks[i], prefix() + "alert " + t.alertname + " at " + dur(t.eval_time_ms), t.line);
  }
  for (std::size_t i = 0; i < expr_checks.size(); ++i) {
    const auto& t = tg_.promql_expr_tests[i];
    fill(expr_checks[i], prefix() + "expr " + t.expr + " at " + dur(t.eval_time_ms), t.line);
  }
  if (abort && out.empty()) {
    Check c;
    c.name = prefix() + "rules";
    c.outcome = Outcome::failed;
    c.message = where(tg_.line) + *abort;
    out.push_back(std::move(c));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (auto& c : out) c.duration_s = out.empty() ? 0 : secs / static_cast<double>(out.size());
  return out;
}

}  // namespace

std::vector<Check> run_unit_tests(const UnitTestFile& file, const UnitTestOptions& options) {
  std::vector<RuleFile> loaded;
  for (const std::string& p : file.rule_paths()) loaded.push_back(load_rule_file(p));
  std::vector<const RuleFile*> rule_files;
  for (const auto& rf : loaded) rule_files.push_back(&rf);
  std::vector<Check> out;
  for (const TestGroup& tg : file.tests) {
    auto checks = GroupRunner(file, tg, rule_files, options).run();
    out.insert(out.end(), std::make_move_iterator(checks.begin()), std::make_move_iterator(checks.end()));
  }
  return out;
}

std::vector<Check> run_unit_test_file(const std::string& path, const UnitTestOptions& options) {
  return run_unit_tests(load_unit_test_file(path), options);
}

}  // namespace greenlight
