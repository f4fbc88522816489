// Parses suites.load into engine specs and thresholds.
#include "suites/load/load_plan.h"

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
  try {
    // The engine's own rules (e.g. think time only for VU executors), checked
    // now so that `greenlight check` reports them with the line.
    validate(resolve_urls(spec, "http://127.0.0.1:1"));
  } catch (const std::invalid_argument& e) {
    n.fail(e.what());
  }
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

std::vector<Scenario> parse_load_plan(const PlanNode& section) {
  section.allow_keys({"scenarios"});
  std::vector<Scenario> out;
  for (auto& [name, n] : section.at("scenarios").entries()) out.push_back(parse_scenario(name, n));
  if (out.empty()) section.at("scenarios").fail("no scenarios");
  return out;
}

}  // namespace greenlight
