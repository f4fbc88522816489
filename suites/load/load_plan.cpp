// Parses suites.load into engine specs and thresholds, the capacity search's
// options, and the section-wide `parts` and `max_duration`.
#include "suites/load/load_plan.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "suites/load/data_file.h"
#include "suites/load/load_suite.h"

namespace greenlight {

namespace {

const std::vector<std::pair<std::string, ExecutorKind>> kExecutors = {
    {"max-rate", ExecutorKind::max_rate},
    {"constant-vus", ExecutorKind::constant_vus},
    {"ramping-vus", ExecutorKind::ramping_vus},
    {"constant-arrival-rate", ExecutorKind::constant_arrival_rate},
    {"ramping-arrival-rate", ExecutorKind::ramping_arrival_rate},
};

Endpoint parse_endpoint(const PlanNode& n, size_t index) {
  n.allow_keys({"name", "method", "path", "url", "headers", "body", "weight", "expect_status", "expect_body_contains"});
  Endpoint e;
  e.url = n.has("url") ? n.at("url").str() : n.at("path").str();
  e.name = n.str("name", e.url);
  e.method = n.str("method", "GET");
  if (auto h = n.find("headers"))
    for (auto& [k, v] : h->entries()) e.headers.emplace_back(k, v.str());
  e.body = n.str("body", "");
  if (auto w = n.find("weight")) {
    e.weight = w->number();
    if (e.weight <= 0) w->fail("a weight is a positive number");
  }
  e.expect_status = n.integer("expect_status", 0);
  e.expect_body_contains = n.str("expect_body_contains", "");
  return e;
}

// Every ${data:column} must name a column of the scenario's data file; found
// now, with the request's line, rather than at run time.
void check_templates(const LoadSpec& spec, const PlanNode& n, const Endpoint& e) {
  std::vector<std::string> used = template_columns(e.url);
  for (const std::string& c : template_columns(e.body)) used.push_back(c);
  for (const auto& [k, v] : e.headers)
    for (const std::string& text : {k, v})
      for (const std::string& c : template_columns(text)) used.push_back(c);
  for (const std::string& c : used) {
    if (spec.data.empty()) n.fail("${data:" + c + "} needs a data file: add 'data: FILE' to the scenario");
    if (column_index(spec.data, c) >= 0) continue;
    std::string columns;
    for (const std::string& k : spec.data.columns) columns += (columns.empty() ? "" : ", ") + k;
    n.fail("${data:" + c + "}: " + spec.data.source + " has no column '" + c + "' (its columns: " + columns + ")");
  }
}

// `requests:` (and `data:` for their templates) of a scenario or the capacity search.
void parse_requests(const PlanNode& n, LoadSpec& spec) {
  auto requests = n.at("requests").items();
  if (requests.empty()) n.at("requests").fail("list at least one request");
  for (size_t i = 0; i < requests.size(); ++i) spec.endpoints.push_back(parse_endpoint(requests[i], i));
  if (auto d = n.find("data")) {
    std::filesystem::path file = d->str();
    if (file.is_relative()) file = std::filesystem::path(n.file()).parent_path() / file;
    try {
      spec.data = load_data_file(file);
    } catch (const DataFileError& e) {
      d->fail(e.what());
    }
  }
  for (size_t i = 0; i < requests.size(); ++i) check_templates(spec, requests[i], spec.endpoints[i]);
}

// The engine's own rules (e.g. think time only for VU executors), checked now
// so that `greenlight check` reports them with the line.
void validate_at(const PlanNode& n, const LoadSpec& spec) {
  try {
    validate(resolve_urls(spec, "http://127.0.0.1:1"));
  } catch (const std::invalid_argument& e) {
    n.fail(e.what());
  }
}

double number_or(const PlanNode& n, const std::string& key, double fallback) {
  auto v = n.find(key);
  return v ? v->number() : fallback;
}

Scenario parse_scenario(const std::string& name, const PlanNode& n) {
  n.allow_keys({"executor", "rate", "duration", "connections", "max_connections", "threads", "stages", "think_time",
                "timeout", "requests", "thresholds", "max_requests", "abort_on_fail", "data"});
  Scenario s;
  s.name = name;
  LoadSpec& spec = s.spec;
  std::string executor = n.str("executor", "max-rate");
  try {
    spec.executor = parse_executor(executor);
  } catch (const std::invalid_argument& e) {
    n.at("executor").fail(e.what());
  }
  bool open = spec.executor == ExecutorKind::constant_arrival_rate || spec.executor == ExecutorKind::ramping_arrival_rate;
  bool ramping = spec.executor == ExecutorKind::ramping_vus || spec.executor == ExecutorKind::ramping_arrival_rate;
  if (auto r = n.find("rate")) {
    if (spec.executor != ExecutorKind::constant_arrival_rate) r->fail("'rate' belongs to constant-arrival-rate; ramping executors use stages");
    spec.rate = r->number();
    if (spec.rate <= 0) r->fail("a rate is a positive number of requests per second");
  } else if (spec.executor == ExecutorKind::constant_arrival_rate) {
    n.fail("constant-arrival-rate needs 'rate' (requests per second)");
  }
  spec.duration_s = n.duration("duration", Duration(10)).count();
  spec.connections = n.integer("connections", open ? 16 : 64);
  spec.max_connections = n.integer("max_connections", open ? std::max(spec.connections, 256) : 0);
  spec.threads = n.integer("threads", 0);
  spec.think_time_s = n.duration("think_time", Duration(0)).count();
  spec.timeout_s = n.duration("timeout", Duration(10)).count();
  spec.max_requests = static_cast<uint64_t>(n.integer("max_requests", 0));
  if (auto stages = n.find("stages")) {
    if (!ramping) stages->fail("stages belong to ramping-vus and ramping-arrival-rate");
    for (auto& st : stages->items()) {
      st.allow_keys({"duration", "target"});
      spec.stages.push_back({st.at("duration").duration().count(), st.at("target").number()});
    }
  } else if (ramping) {
    n.fail(executor + " needs 'stages' (a list of {duration, target})");
  }
  if (spec.connections < 1 || spec.connections > 10000) n.at("connections").fail("between 1 and 10000");
  parse_requests(n, spec);
  validate_at(n, spec);
  s.abort_on_fail = n.boolean("abort_on_fail", false);
  if (s.abort_on_fail && !n.has("thresholds")) n.at("abort_on_fail").fail("abort_on_fail needs thresholds to judge");
  if (auto t = n.find("thresholds")) {
    for (auto& item : t->items()) {
      try {
        s.thresholds.push_back(parse_threshold(item.str()));
      } catch (const ThresholdError& e) {
        item.fail(std::string("invalid threshold: ") + e.what());
      }
    }
  }
  return s;
}

// The capacity search's options, with the defaults of `greenlight capacity`.
CapacityPlan parse_capacity(const PlanNode& n) {
  n.require_map();
  n.allow_keys({"requests", "data", "slos", "start_rate", "max_rate", "growth", "refine_steps", "step_duration",
                "connections", "max_connections", "threads", "timeout", "min_capacity"});
  CapacityPlan plan;
  CapacityOptions& o = plan.options;
  LoadSpec& spec = o.base;
  spec.executor = ExecutorKind::constant_arrival_rate;
  spec.connections = n.integer("connections", 16);
  if (spec.connections < 1 || spec.connections > 10000) n.at("connections").fail("between 1 and 10000");
  spec.max_connections = n.integer("max_connections", std::max(spec.connections, 256));
  spec.threads = n.integer("threads", 0);
  spec.timeout_s = n.duration("timeout", Duration(10)).count();
  parse_requests(n, spec);

  o.start_rps = number_or(n, "start_rate", o.start_rps);
  if (o.start_rps <= 0) n.at("start_rate").fail("a positive number of requests per second");
  o.max_rps = number_or(n, "max_rate", o.max_rps);
  if (o.max_rps < o.start_rps)
    (n.has("max_rate") ? n.at("max_rate") : n.at("start_rate")).fail("max_rate must be at least start_rate");
  o.growth = number_or(n, "growth", o.growth);
  if (o.growth <= 1) n.at("growth").fail("a rate multiplier above 1 between coarse steps, e.g. 2");
  o.refine_steps = n.integer("refine_steps", o.refine_steps);
  if (o.refine_steps < 0) n.at("refine_steps").fail("a number of bisection steps, 0 or more");
  o.step_duration_s = n.duration("step_duration", Duration(o.step_duration_s)).count();
  if (o.step_duration_s <= 0) n.at("step_duration").fail("a positive duration, e.g. 5s");
  plan.min_capacity_rps = number_or(n, "min_capacity", 0);
  if (plan.min_capacity_rps < 0) n.at("min_capacity").fail("a number of requests per second, 0 or more");

  auto slos = n.at("slos").items();
  if (slos.empty()) n.at("slos").fail("list at least one SLO, e.g. 'p(99)<50ms'");
  for (const PlanNode& item : slos) {
    try {
      o.slos.push_back(parse_threshold(item.str()));
    } catch (const ThresholdError& e) {
      item.fail(std::string("invalid SLO: ") + e.what());
    }
  }
  LoadSpec probe = spec;
  probe.rate = o.start_rps;
  probe.duration_s = o.step_duration_s;
  validate_at(n, probe);
  return plan;
}

}  // namespace

ExecutorKind parse_executor(const std::string& name) {
  for (auto& [n, k] : kExecutors)
    if (n == name) return k;
  std::string known;
  for (auto& [n, k] : kExecutors) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown executor '" + name + "' (" + known + ")");
}

const char* executor_name(ExecutorKind kind) {
  for (auto& [n, k] : kExecutors)
    if (k == kind) return n.c_str();
  return "?";
}

double cap_duration(LoadSpec& spec, double max_s) {
  if (max_s <= 0) return 0;
  if (!spec.stages.empty()) {
    double total = 0;
    for (const Stage& st : spec.stages) total += st.duration_s;
    if (total <= max_s) return 0;
    for (Stage& st : spec.stages) st.duration_s *= max_s / total;
    return total;
  }
  if (spec.duration_s <= max_s) return 0;
  double planned = spec.duration_s;
  spec.duration_s = max_s;
  return planned;
}

LoadPlan parse_load_section(const PlanNode& section) {
  section.require_map();
  section.allow_keys({"scenarios", "capacity", "parts", "max_duration"});
  if (!section.has("scenarios") && !section.has("capacity"))
    section.fail("the load section needs 'scenarios' (fixed runs with thresholds) or 'capacity' (the capacity search), or both");
  LoadPlan plan;
  if (auto sc = section.find("scenarios")) {
    for (auto& [name, n] : sc->entries()) plan.scenarios.push_back(parse_scenario(name, n));
    if (plan.scenarios.empty()) sc->fail("no scenarios");
  }
  if (auto c = section.find("capacity")) plan.capacity = parse_capacity(*c);

  bool run_scenarios = true, run_capacity = true;
  if (auto parts = section.find("parts")) {
    auto items = parts->items();
    if (items.empty()) parts->fail("list at least one part: scenarios, capacity");
    run_scenarios = run_capacity = false;
    for (const PlanNode& item : items) {
      std::string part = item.str();
      if (part != "scenarios" && part != "capacity") item.fail("unknown part '" + part + "' (scenarios, capacity)");
      if (!section.has(part)) item.fail("part '" + part + "' is selected but the load section has no '" + part + ":'");
      (part == "scenarios" ? run_scenarios : run_capacity) = true;
    }
  }
  if (!run_scenarios) plan.scenarios.clear();
  if (!run_capacity) plan.capacity.reset();

  if (auto m = section.find("max_duration")) {
    double max_s = m->duration().count();
    if (max_s <= 0) m->fail("a positive duration, e.g. 10s");
    for (Scenario& s : plan.scenarios) s.planned_duration_s = cap_duration(s.spec, max_s);
    if (plan.capacity && plan.capacity->options.step_duration_s > max_s) {
      plan.capacity->planned_step_duration_s = plan.capacity->options.step_duration_s;
      plan.capacity->options.step_duration_s = max_s;
    }
  }
  return plan;
}

std::vector<Scenario> parse_load_plan(const PlanNode& section) { return parse_load_section(section).scenarios; }

}  // namespace greenlight
