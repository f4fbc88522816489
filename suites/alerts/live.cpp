// The live checks: what the rule files say, compared with what the running
// Prometheus has loaded (/api/v1/rules), the series each alert reads
// (/api/v1/series), what fires now (/api/v1/alerts), and the Alertmanager's
// /api/v2/status. Expressions are compared as canonical prints, because
// Prometheus shows a loaded rule's query re-printed, not as written.
#include "suites/alerts/live.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "suites/alerts/prometheus_api.h"
#include "suites/alerts/promql/analysis.h"
#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/functions.h"
#include "suites/alerts/promql/parser.h"
#include "suites/alerts/promql/printer.h"

namespace greenlight {

namespace {

using nlohmann::json;

// Prometheus' default --query.lookback-delta: how far back an instant selector
// finds a sample, so the window in which "has series" looks for one.
constexpr std::int64_t kLookbackMs = 5 * 60 * 1000;

std::string base_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

std::string dq(const std::string& s) { return "\"" + s + "\""; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, std::string> string_map(const json& j, const char* key) {
  std::map<std::string, std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

// {a="b", c="d"}, as Prometheus prints a label set.
std::string label_set(const std::map<std::string, std::string>& labels) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) parts.push_back(k + "=" + json(v).dump());
  return "{" + join(parts, ", ") + "}";
}

// Runs one check body and records how long it took.
Check timed(const std::string& name, const std::function<void(Check&)>& body) {
  Check c;
  c.name = name;
  auto start = std::chrono::steady_clock::now();
  body(c);
  c.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return c;
}

void fail(Check& c, const std::string& message) {
  c.outcome = Outcome::failed;
  c.message = message;
}

// ---- loaded ---------------------------------------------------------------

std::string canonical(const std::string& expr) {
  promql::ParseResult r = promql::parse_promql(expr);
  return r.ok() ? promql::print_promql(*r.expr) : expr;
}

std::string file_canonical(const Rule& rule) {
  return rule.parsed ? promql::print_promql(*rule.parsed) : canonical(rule.expr);
}

const char* kind_of(const Rule& r) { return r.alert.empty() ? "record" : "alert"; }
std::string kind_of_loaded(const json& r) { return str(r, "type") == "recording" ? "record" : "alert"; }
std::string rule_key(const std::string& kind, const std::string& name) { return kind + " " + dq(name); }

// `rules.yml:12: group "api", alert "HighErrorRate"`, as the rule file's findings name a rule.
std::string rule_where(const std::string& file, int line, const std::string& group, const Rule& rule) {
  return file + ":" + std::to_string(line) + ": group " + dq(group) + ", " + rule_key(kind_of(rule), rule.name());
}

// The loaded group for `group` of `file`: same name; when several files have
// a group of that name, the one loaded from a file of the same base name.
const json* find_group(const json& groups, const std::string& name, const std::string& file) {
  const json* found = nullptr;
  for (const auto& g : groups) {
    if (str(g, "name") != name) continue;
    if (base_name(str(g, "file")) == base_name(file)) return &g;
    if (!found) found = &g;
  }
  return found;
}

std::string loaded_group_list(const json& groups) {
  std::vector<std::string> names;
  for (const auto& g : groups) {
    if (names.size() == 10) {
      names.push_back("... (" + std::to_string(groups.size()) + " in all)");
      break;
    }
    names.push_back(dq(str(g, "name")) + " (" + base_name(str(g, "file")) + ")");
  }
  return names.empty() ? "none" : join(names, ", ");
}

void compare_maps(const std::string& what, const std::map<std::string, std::string>& file,
                  const std::map<std::string, std::string>& loaded, const std::string& where,
                  std::vector<std::string>& problems) {
  if (file == loaded) return;
  problems.push_back(where + ": the loaded " + what + " differ from the file's\n  file:   " + label_set(file) +
                     "\n  loaded: " + label_set(loaded));
}

std::int64_t seconds_to_ms(const json& r, const char* key) {
  auto it = r.find(key);
  return it != r.end() && it->is_number() ? std::llround(it->get<double>() * 1000) : 0;
}

std::string ms_text(std::int64_t ms) { return promql::format_duration(ms); }

void compare_rule(const Rule& rule, const json& loaded, const std::string& file, const std::string& group,
                  std::vector<std::string>& problems) {
  std::string where = rule_where(file, rule.line, group, rule);
  std::string file_q = file_canonical(rule);
  std::string loaded_raw = str(loaded, "query");
  if (file_q != canonical(loaded_raw))
    problems.push_back(where + ": the loaded query differs from the file's expr\n  file:   " + file_q +
                       "\n  loaded: " + loaded_raw);
  if (!rule.alert.empty()) {
    std::int64_t for_ms = seconds_to_ms(loaded, "duration");
    if (for_ms != rule.for_ms)
      problems.push_back(where + ": the loaded `for` is " + ms_text(for_ms) + ", the file's " + ms_text(rule.for_ms));
    std::int64_t kff_ms = seconds_to_ms(loaded, "keepFiringFor");
    if (loaded.contains("keepFiringFor") && kff_ms != rule.keep_firing_for_ms)
      problems.push_back(where + ": the loaded `keep_firing_for` is " + ms_text(kff_ms) + ", the file's " +
                         ms_text(rule.keep_firing_for_ms));
    compare_maps("annotations", rule.annotations, string_map(loaded, "annotations"), where, problems);
  }
  compare_maps("labels", rule.labels, string_map(loaded, "labels"), where, problems);

  std::string health = str(loaded, "health");
  std::string last_error = str(loaded, "lastError");
  if (health == "err" || !last_error.empty())
    problems.push_back(where + ": evaluation fails on the server (health " + dq(health) + "): " + last_error);
  else if (health != "ok")
    problems.push_back(where + ": not evaluated yet (health " + dq(health) +
                       "); run the gate after the group's first evaluation");
}

// The loaded group without the rules' alert lists, which can be long.
std::string group_evidence(const json& g) {
  json copy = g;
  if (copy.contains("rules"))
    for (auto& r : copy["rules"]) r.erase("alerts");
  return trim_evidence(copy.dump(2));
}

Check loaded_check(const std::string& name, const RuleFile& file, const RuleGroup& group, const json& groups,
                   const std::string& server) {
  return timed(name, [&](Check& c) {
    std::string fname = base_name(file.path);
    const json* loaded = find_group(groups, group.name, file.path);
    if (!loaded) {
      fail(c, "group " + dq(group.name) + " (" + fname + ":" + std::to_string(group.line) + ") is not loaded on " +
                  server + "; loaded groups: " + loaded_group_list(groups));
      return;
    }
    std::vector<std::string> problems;
    std::string gwhere = fname + ":" + std::to_string(group.line) + ": group " + dq(group.name);
    if (group.interval_ms > 0 && seconds_to_ms(*loaded, "interval") != group.interval_ms)
      problems.push_back(gwhere + ": the loaded interval is " + ms_text(seconds_to_ms(*loaded, "interval")) +
                         ", the file's " + ms_text(group.interval_ms));
    if (loaded->contains("limit") && (*loaded)["limit"].is_number() && (*loaded)["limit"].get<int>() != group.limit)
      problems.push_back(gwhere + ": the loaded limit is " + std::to_string((*loaded)["limit"].get<int>()) +
                         ", the file's " + std::to_string(group.limit));

    json loaded_rules = loaded->value("rules", json::array());
    std::vector<std::string> file_keys, loaded_keys;
    for (const auto& r : group.rules) file_keys.push_back(rule_key(kind_of(r), r.name()));
    for (const auto& r : loaded_rules) loaded_keys.push_back(rule_key(kind_of_loaded(r), str(r, "name")));

    if (file_keys == loaded_keys) {
      for (size_t i = 0; i < group.rules.size(); ++i) compare_rule(group.rules[i], loaded_rules[i], fname, group.name, problems);
    } else {
      // Pair the k-th rule of a name in the file with the k-th loaded one of that name.
      std::vector<bool> used(loaded_rules.size(), false);
      for (const auto& rule : group.rules) {
        std::string key = rule_key(kind_of(rule), rule.name());
        size_t j = 0;
        while (j < loaded_keys.size() && (used[j] || loaded_keys[j] != key)) ++j;
        if (j == loaded_keys.size()) {
          problems.push_back(rule_where(fname, rule.line, group.name, rule) + ": not loaded");
          continue;
        }
        used[j] = true;
        compare_rule(rule, loaded_rules[j], fname, group.name, problems);
      }
      for (size_t j = 0; j < loaded_keys.size(); ++j)
        if (!used[j])
          problems.push_back(gwhere + ": the loaded group has " + loaded_keys[j] + ", which the file does not have");
      std::vector<std::string> a = file_keys, b = loaded_keys;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      if (a == b)
        problems.push_back(gwhere + ": the rules are loaded in another order\n  file:   " + join(file_keys, ", ") +
                           "\n  loaded: " + join(loaded_keys, ", "));
    }

    c.evidence.push_back({"loaded group", group_evidence(*loaded)});
    c.figures.push_back({"rules", static_cast<double>(loaded_rules.size()), "rules"});
    if (!problems.empty()) fail(c, join(problems, "\n"));
  });
}

// ---- has series -----------------------------------------------------------

struct SeriesNeed {
  std::string selector;        // a series selector: no range, offset or @
  std::int64_t window_ms = 0;  // how far back a sample still counts
  std::string exempt;          // why its absence cannot keep the alert from firing; "" when it can
};

// A selector as a series selector: without offset or @ (a range belongs to
// the enclosing MatrixSelector, so it is not part of this print).
std::string plain_selector(const promql::VectorSelector& vs) {
  promql::Node plain;
  promql::VectorSelector copy = vs;
  copy.offset_ms = 0;
  copy.at = {};
  plain.data = std::move(copy);
  plain.type = promql::ValueType::Vector;
  return promql::print_promql(plain);
}

// Selectors whose series may well be missing without making the alert dead:
// the right side of `unless` only suppresses.
void collect_unless_rhs(const promql::Node& node, std::set<const promql::Node*>& out) {
  promql::walk(node, [&](const promql::Node& n) {
    const auto* b = n.as<promql::Binary>();
    if (!b || b->op != promql::BinOp::Unless || !b->rhs) return;
    promql::walk(*b->rhs, [&](const promql::Node& m) {
      if (m.as<promql::VectorSelector>()) out.insert(&m);
    });
  });
}

// The selectors given directly to absent() or absent_over_time() in `side`.
std::set<std::string> absent_arguments(const promql::Node& side) {
  std::set<std::string> out;
  promql::walk(side, [&](const promql::Node& n) {
    const auto* call = n.as<promql::Call>();
    if (!call || !call->func || call->args.empty() || !call->args[0]) return;
    if (call->func->name != "absent" && call->func->name != "absent_over_time") return;
    const promql::Node* arg = call->args[0].get();
    if (const auto* ms = arg->as<promql::MatrixSelector>()) arg = ms->selector.get();
    if (const auto* vs = arg ? arg->as<promql::VectorSelector>() : nullptr) out.insert(plain_selector(*vs));
  });
  return out;
}

// `time() - x > 3600 or absent(x)`, in either order: when x has no series the
// absent() side fires, so x missing cannot keep the alert from firing. Only the same
// selector counts: absent(x) says nothing about x{job="a"}.
void collect_or_absent(const promql::Node& node, std::set<const promql::Node*>& out) {
  promql::walk(node, [&](const promql::Node& n) {
    const auto* b = n.as<promql::Binary>();
    if (!b || b->op != promql::BinOp::Or || !b->lhs || !b->rhs) return;
    for (const auto& [side, other] : {std::pair{b->lhs.get(), b->rhs.get()}, std::pair{b->rhs.get(), b->lhs.get()}}) {
      std::set<std::string> covered = absent_arguments(*other);
      if (covered.empty()) continue;
      promql::walk(*side, [&](const promql::Node& m) {
        const auto* vs = m.as<promql::VectorSelector>();
        if (vs && covered.count(plain_selector(*vs))) out.insert(&m);
      });
    }
  });
}

std::vector<SeriesNeed> series_needs(const promql::Node& expr) {
  std::set<const promql::Node*> unless_rhs, or_absent;
  collect_unless_rhs(expr, unless_rhs);
  collect_or_absent(expr, or_absent);
  std::vector<SeriesNeed> out;
  for (const auto& use : promql::selectors(expr)) {
    const auto* vs = use.node ? use.node->as<promql::VectorSelector>() : nullptr;
    if (!vs) continue;
    SeriesNeed need;
    need.selector = plain_selector(*vs);
    need.window_ms = kLookbackMs + use.range_ms + std::max<std::int64_t>(vs->offset_ms, 0);
    const auto& fns = use.enclosing_functions;
    auto absent_fn = std::find_if(fns.begin(), fns.end(),
                                  [](const std::string& f) { return f == "absent" || f == "absent_over_time"; });
    if (absent_fn != fns.end())
      need.exempt = "inside " + *absent_fn + "(): the alert fires when it has no series";
    else if (unless_rhs.count(use.node))
      need.exempt = "on the right of `unless`: it only suppresses the alert";
    else if (or_absent.count(use.node))
      need.exempt = "absent() of it on the other side of `or` fires the alert when it has no series";
    out.push_back(std::move(need));
  }
  return out;
}

std::string seconds_text(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string window_text(std::int64_t ms) {
  std::int64_t s = ms / 1000;
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

class SeriesCounter {
 public:
  explicit SeriesCounter(const ApiClient& api) : api_(api) {}

  // Series matching `selector` with a sample in the last `window_ms`; at most 1 is asked for.
  size_t count(const std::string& selector, std::int64_t window_ms) {
    auto key = std::make_pair(selector, window_ms);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    json data = api_.data("/api/v1/series", {{"match[]", selector},
                                             {"start", seconds_text(now - window_ms)},
                                             {"end", seconds_text(now)},
                                             {"limit", "1"}});
    size_t n = data.is_array() ? data.size() : 0;
    cache_[key] = n;
    return n;
  }

 private:
  const ApiClient& api_;
  std::map<std::pair<std::string, std::int64_t>, size_t> cache_;
};

Check series_check(const std::string& name, const std::string& fname, const std::string& group, const Rule& rule,
                   SeriesCounter& counter) {
  return timed(name, [&](Check& c) {
    std::string where = rule_where(fname, rule.expr_line ? rule.expr_line : rule.line, group, rule);
    if (!rule.parsed) {
      c = skipped_check(name, where + " has an expr that does not parse (see the rule file's findings)");
      return;
    }
    std::vector<SeriesNeed> needs = series_needs(*rule.parsed);
    if (needs.empty()) {
      c = skipped_check(name, where + " reads no series, so there is none to look for");
      return;
    }
    std::vector<std::string> lines, missing;
    bool checked_any = false;
    for (const auto& need : needs) {
      if (!need.exempt.empty()) {
        lines.push_back(need.selector + ": not required, " + need.exempt);
        continue;
      }
      checked_any = true;
      size_t n = counter.count(need.selector, need.window_ms);
      lines.push_back(need.selector + ": " + (n ? "has series" : "no series") + " in the last " +
                      window_text(need.window_ms));
      if (n == 0) missing.push_back(need.selector);
    }
    c.evidence.push_back({"selectors", join(lines, "\n")});
    if (!checked_any) {
      auto evidence = std::move(c.evidence);
      c = skipped_check(name, where + " needs no series to fire (" + join(lines, "; ") + ")");
      c.evidence = std::move(evidence);
      return;
    }
    if (!missing.empty()) {
      std::vector<std::string> msgs;
      for (const auto& sel : missing)
        msgs.push_back(where + ": this alert can never fire: no series match " + sel);
      fail(c, join(msgs, "\n"));
    }
  });
}

// ---- firing now -----------------------------------------------------------

std::string describe_alert(const json& a) {
  auto labels = string_map(a, "labels");
  std::string name = labels["alertname"];
  labels.erase("alertname");
  std::string out = name + label_set(labels);
  if (!str(a, "activeAt").empty()) out += " since " + str(a, "activeAt");
  if (!str(a, "value").empty()) out += ", value " + str(a, "value");
  return out;
}

Check firing_check(const ApiClient& api, const LiveOptions& o) {
  return timed("firing now", [&](Check& c) {
    json alerts = api.data("/api/v1/alerts").value("alerts", json::array());
    std::set<std::string> gate;
    for (const auto& s : o.gate_severities) gate.insert(lower(s));
    std::vector<std::string> gating, firing, pending;
    for (const auto& a : alerts) {
      std::string state = str(a, "state");
      if (state == "pending") {
        pending.push_back(describe_alert(a));
        continue;
      }
      if (state != "firing") continue;
      firing.push_back(describe_alert(a));
      auto labels = string_map(a, "labels");
      auto sev = labels.find(o.severity_label);
      if (sev != labels.end() && gate.count(lower(sev->second)))
        gating.push_back("alert " + dq(labels["alertname"]) + " is firing at " + o.severity_label + " " +
                         dq(sev->second) + ": " + describe_alert(a));
    }
    c.figures.push_back({"firing", static_cast<double>(firing.size()), "alerts"});
    c.figures.push_back({"pending", static_cast<double>(pending.size()), "alerts"});
    if (!firing.empty()) c.evidence.push_back({"firing", trim_evidence(join(firing, "\n"))});
    if (!pending.empty()) c.evidence.push_back({"pending", trim_evidence(join(pending, "\n"))});
    if (!gating.empty())
      fail(c, api.describe() + " has " + std::to_string(gating.size()) + " alert" + (gating.size() == 1 ? "" : "s") +
                  " firing at a gating " + o.severity_label + " (" + join(o.gate_severities, ", ") + "):\n" +
                  join(gating, "\n"));
  });
}

// ---- alertmanager ---------------------------------------------------------

Check alertmanager_check(const ApiClient& am, const ApiClient* prometheus) {
  return timed("alertmanager", [&](Check& c) {
    json status;
    try {
      status = am.get("/api/v2/status");
    } catch (const ApiError& e) {
      fail(c, e.what());
      return;
    }
    std::string cluster = status.contains("cluster") && status["cluster"].is_object()
                              ? str(status["cluster"], "status")
                              : "";
    std::string version =
        status.contains("versionInfo") && status["versionInfo"].is_object() ? str(status["versionInfo"], "version") : "";
    size_t peers = status.contains("cluster") && status["cluster"].contains("peers") &&
                           status["cluster"]["peers"].is_array()
                       ? status["cluster"]["peers"].size()
                       : 0;
    c.evidence.push_back({"status", "version " + (version.empty() ? "unknown" : version) + ", cluster " +
                                        (cluster.empty() ? "unknown" : cluster) + ", " + std::to_string(peers) +
                                        " peers"});
    std::vector<std::string> problems;
    if (cluster.empty())
      problems.push_back(am.describe() + ": /api/v2/status has no cluster.status; is this an Alertmanager?");
    else if (cluster != "ready" && cluster != "disabled")
      problems.push_back(am.describe() + ": the cluster is " + dq(cluster) + ", not \"ready\"");

    if (prometheus) {
      try {
        json active = prometheus->data("/api/v1/alertmanagers").value("activeAlertmanagers", json::array());
        std::vector<std::string> urls;
        for (const auto& a : active) urls.push_back(str(a, "url"));
        c.evidence.push_back({"prometheus sends to", urls.empty() ? "no Alertmanager" : join(urls, "\n")});
        if (urls.empty())
          problems.push_back(prometheus->describe() +
                             " sends alerts to no Alertmanager (/api/v1/alertmanagers lists none active): "
                             "firing alerts notify nobody");
      } catch (const ApiError& e) {
        problems.push_back(e.what());
      }
    }
    if (!problems.empty()) fail(c, join(problems, "\n"));
  });
}

// ---- names ----------------------------------------------------------------

class UniqueNames {
 public:
  std::string operator()(const std::string& name) {
    int n = ++seen_[name];
    return n == 1 ? name : name + " #" + std::to_string(n);
  }

 private:
  std::map<std::string, int> seen_;
};

std::string group_check_name(const std::string& fname, const RuleGroup& g) {
  return "loaded: " + fname + " group " + dq(g.name);
}

std::string series_check_name(const std::string& fname, const RuleGroup& g, const Rule& r) {
  return "has series: " + fname + " group " + dq(g.name) + " alert " + dq(r.alert);
}

}  // namespace

std::vector<Check> live_checks(const std::vector<RuleFile>& files, const LiveOptions& options) {
  ApiOptions api_options{options.timeout_ms, options.bearer_token, options.username, options.password};
  ApiClient prometheus("Prometheus", options.prometheus_url, api_options);
  std::vector<Check> checks;
  UniqueNames unique;

  std::string unreachable;  // why the checks that need Prometheus are skipped
  checks.push_back(timed("prometheus", [&](Check& c) {
    try {
      json info = prometheus.data("/api/v1/status/buildinfo");
      c.evidence.push_back({"build", "version " + str(info, "version") + ", revision " + str(info, "revision")});
    } catch (const ApiError& e) {
      fail(c, e.what());
      unreachable = prometheus.describe() + " could not be queried (see the \"prometheus\" check)";
    }
  }));

  std::optional<json> groups;
  std::string rules_error;
  if (unreachable.empty()) {
    try {
      groups = prometheus.data("/api/v1/rules").value("groups", json::array());
    } catch (const ApiError& e) {
      rules_error = e.what();
    }
  }

  for (const auto& file : files) {
    std::string fname = base_name(file.path);
    if (file.groups.empty() && !file.ok()) {
      checks.push_back(skipped_check(unique("loaded: " + fname),
                                     fname + " has errors (" + file.findings.front().message + ")"));
      continue;
    }
    for (const auto& group : file.groups) {
      std::string name = unique(group_check_name(fname, group));
      if (!unreachable.empty())
        checks.push_back(skipped_check(name, unreachable));
      else if (!groups)
        checks.push_back(timed(name, [&](Check& c) { fail(c, rules_error); }));
      else
        checks.push_back(loaded_check(name, file, group, *groups, prometheus.describe()));
    }
  }

  SeriesCounter counter(prometheus);
  for (const auto& file : files) {
    std::string fname = base_name(file.path);
    for (const auto& group : file.groups) {
      for (const auto& rule : group.rules) {
        if (rule.alert.empty()) continue;
        std::string name = unique(series_check_name(fname, group, rule));
        if (!unreachable.empty()) {
          checks.push_back(skipped_check(name, unreachable));
          continue;
        }
        try {
          checks.push_back(series_check(name, fname, group.name, rule, counter));
        } catch (const ApiError& e) {
          checks.push_back(timed(name, [&](Check& c) { fail(c, e.what()); }));
        }
      }
    }
  }

  if (!unreachable.empty()) {
    checks.push_back(skipped_check("firing now", unreachable));
  } else {
    try {
      checks.push_back(firing_check(prometheus, options));
    } catch (const ApiError& e) {
      checks.push_back(timed("firing now", [&](Check& c) { fail(c, e.what()); }));
    }
  }

  if (!options.alertmanager_url.empty()) {
    ApiClient am("Alertmanager", options.alertmanager_url, api_options);
    checks.push_back(alertmanager_check(am, unreachable.empty() ? &prometheus : nullptr));
  }
  return checks;
}

}  // namespace greenlight
