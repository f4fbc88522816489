// Parses and validates suites.smoke: every key checked, every regex compiled,
// every capture reference resolved, so that `greenlight check` catches it all.
#include "suites/smoke/smoke_plan.h"

#include <set>
#include <strings.h>

#include "suites/smoke/metric_assertion.h"

namespace greenlight {

namespace {

// YAML scalars carry no type; a quoted scalar is a string, a plain one is
// read as JSON would read it (number, bool, null) when it looks like one.
nlohmann::json to_json(const PlanNode& n) {
  if (n.is_map()) {
    nlohmann::json obj = nlohmann::json::object();
    for (auto& [k, v] : n.entries()) obj[k] = to_json(v);
    return obj;
  }
  if (n.is_sequence()) {
    nlohmann::json arr = nlohmann::json::array();
    for (auto& v : n.items()) arr.push_back(to_json(v));
    return arr;
  }
  if (!n.yaml().IsDefined() || n.yaml().IsNull()) return nullptr;
  std::string s = n.str();
  if (n.yaml().Tag() == "!") return s;
  if (s == "true") return true;
  if (s == "false") return false;
  if (s == "null" || s == "~") return nullptr;
  char* end = nullptr;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && *end == '\0') return i;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0') return d;
  return s;
}

void check_regex(const PlanNode& n, const std::string& re) {
  try {
    std::regex compiled(re);
  } catch (const std::regex_error& e) {
    n.fail("invalid regular expression '" + re + "': " + e.what());
  }
}

std::vector<std::string> one_or_many(const PlanNode& n) {
  std::vector<std::string> out;
  if (n.is_sequence())
    for (auto& item : n.items()) out.push_back(item.str());
  else
    out.push_back(n.str());
  return out;
}

size_t parse_size(const PlanNode& n) {
  std::string s = n.str();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  std::string unit = end;
  while (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
  double scale = 1;
  if (unit == "" || unit == "B") scale = 1;
  else if (unit == "KB" || unit == "kB") scale = 1000;
  else if (unit == "KiB") scale = 1024;
  else if (unit == "MB") scale = 1e6;
  else if (unit == "MiB") scale = 1 << 20;
  else n.fail("expected a size such as 512, 64KiB or 2MB, got '" + s + "'");
  if (end == s.c_str() || v < 0) n.fail("expected a size such as 512, 64KiB or 2MB, got '" + s + "'");
  return static_cast<size_t>(v * scale);
}

TlsOptions parse_tls_options(const PlanNode& n) {
  n.allow_keys({"verify", "ca_file", "client_cert", "client_key"});
  TlsOptions t;
  t.verify = n.boolean("verify", true);
  t.ca_file = n.str("ca_file", "");
  t.client_cert = n.str("client_cert", "");
  t.client_key = n.str("client_key", "");
  return t;
}

RequestSpec parse_request(const PlanNode& n) {
  n.allow_keys({"method", "path", "url", "headers", "body", "json", "tls", "follow_redirects", "timeout"});
  RequestSpec r;
  r.method = n.str("method", "GET");
  for (char& c : r.method) c = static_cast<char>(toupper(c));
  static const std::set<std::string> methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  if (!methods.count(r.method)) n.at("method").fail("unknown HTTP method '" + r.method + "'");
  if (n.has("path") && n.has("url")) n.fail("give either 'path' or 'url', not both");
  r.path = n.has("url") ? n.at("url").str() : n.str("path", "/");
  if (r.path.rfind("http://", 0) != 0 && r.path.rfind("https://", 0) != 0 && r.path.rfind("/", 0) != 0 &&
      r.path.rfind("${", 0) != 0)
    n.fail("path must start with / (or be an absolute http(s):// URL), got '" + r.path + "'");
  if (auto h = n.find("headers"))
    for (auto& [k, v] : h->entries()) r.headers.emplace_back(k, v.str());
  if (n.has("body") && n.has("json")) n.fail("give either 'body' or 'json', not both");
  if (auto b = n.find("body")) r.body = b->str();
  if (auto j = n.find("json")) {
    try {
      r.body = to_json(*j).dump();
    } catch (const nlohmann::json::type_error& e) {
      // dump() throws on a string that is not UTF-8 (a YAML file may hold such
      // bytes): a ConfigError, not an uncaught exception (fuzz/regressions/plan).
      j->fail(std::string("cannot be sent as JSON: ") + e.what());
    }
    bool has_type = false;
    for (auto& [k, v] : r.headers) has_type |= strcasecmp(k.c_str(), "content-type") == 0;
    if (!has_type) r.headers.emplace_back("Content-Type", "application/json");
  }
  if (auto t = n.find("tls")) r.tls = parse_tls_options(*t);
  r.follow_redirects = n.boolean("follow_redirects", false);
  if (auto t = n.find("timeout")) r.timeout = t->duration();
  return r;
}

HeaderExpectation parse_header_expectation(const std::string& name, const PlanNode& n) {
  HeaderExpectation h;
  h.name = name;
  if (!n.is_map()) {
    h.kind = HeaderExpectation::Kind::equals;
    h.value = n.str();
    return h;
  }
  n.allow_keys({"present", "absent", "equals", "matches"});
  if (n.entries().size() != 1) n.fail("give exactly one of present, absent, equals, matches");
  if (n.has("present")) {
    h.kind = n.at("present").boolean() ? HeaderExpectation::Kind::present : HeaderExpectation::Kind::absent;
  } else if (n.has("absent")) {
    h.kind = n.at("absent").boolean() ? HeaderExpectation::Kind::absent : HeaderExpectation::Kind::present;
  } else if (n.has("equals")) {
    h.kind = HeaderExpectation::Kind::equals;
    h.value = n.at("equals").str();
  } else {
    h.kind = HeaderExpectation::Kind::matches;
    h.value = n.at("matches").str();
    check_regex(n.at("matches"), h.value);
  }
  return h;
}

JsonExpectation parse_json_expectation(const std::string& pointer, const PlanNode& n) {
  JsonExpectation j;
  j.pointer = pointer;
  try {
    nlohmann::json::json_pointer p(pointer);
  } catch (const std::exception& e) {
    n.fail("invalid JSON Pointer '" + pointer + "': it must start with / (e.g. /status or /items/0/id)");
  }
  if (!n.is_map()) {
    ValueTest t;
    t.kind = ValueTest::Kind::equals;
    t.expected = to_json(n);
    j.tests.push_back(t);
    return j;
  }
  n.allow_keys({"equals", "matches", "type", "exists", "absent", "length", "==", "!=", "<", "<=", ">", ">="});
  for (auto& [key, v] : n.entries()) {
    ValueTest t;
    if (key == "equals") {
      t.kind = ValueTest::Kind::equals;
      t.expected = to_json(v);
    } else if (key == "matches") {
      t.kind = ValueTest::Kind::matches;
      t.text = v.str();
      check_regex(v, t.text);
    } else if (key == "type") {
      static const std::set<std::string> types = {"string", "number", "integer", "boolean", "array", "object", "null"};
      t.kind = ValueTest::Kind::type;
      t.text = v.str();
      if (!types.count(t.text)) v.fail("unknown JSON type '" + t.text + "' (string, number, integer, boolean, array, object, null)");
    } else if (key == "exists" || key == "absent") {
      bool want = v.boolean();
      t.kind = (key == "exists") == want ? ValueTest::Kind::exists : ValueTest::Kind::absent;
    } else if (key == "length") {
      t.kind = ValueTest::Kind::length;
      t.number = v.integer();
    } else {
      t.kind = ValueTest::Kind::compare;
      t.text = key;
      t.number = v.number();
    }
    j.tests.push_back(t);
  }
  return j;
}

TlsExpectation parse_tls_expectation(const PlanNode& n) {
  n.allow_keys({"min_days_left", "hostname_match", "min_version"});
  TlsExpectation t;
  if (auto d = n.find("min_days_left")) t.min_days_left = d->number();
  t.hostname_match = n.boolean("hostname_match", false);
  t.min_version = n.str("min_version", "");
  static const std::set<std::string> versions = {"", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  if (!versions.count(t.min_version)) n.at("min_version").fail("expected TLSv1.2 or TLSv1.3, got '" + t.min_version + "'");
  return t;
}

Expectations parse_expect(const PlanNode& n) {
  n.allow_keys({"status", "headers", "body", "json", "max_latency", "max_size", "min_size", "tls", "redirect_to"});
  Expectations e;
  if (auto s = n.find("status")) e.status = parse_status(*s);
  if (auto h = n.find("headers"))
    for (auto& [name, v] : h->entries()) e.headers.push_back(parse_header_expectation(name, v));
  if (auto b = n.find("body")) {
    b->allow_keys({"contains", "not_contains", "matches"});
    if (auto c = b->find("contains")) e.body_contains = one_or_many(*c);
    if (auto c = b->find("not_contains")) e.body_not_contains = one_or_many(*c);
    if (auto c = b->find("matches")) {
      e.body_matches = one_or_many(*c);
      for (auto& re : e.body_matches) check_regex(*c, re);
    }
  }
  if (auto j = n.find("json"))
    for (auto& [pointer, v] : j->entries()) e.json.push_back(parse_json_expectation(pointer, v));
  if (auto l = n.find("max_latency")) e.max_latency = l->duration();
  if (auto s = n.find("max_size")) e.max_size = parse_size(*s);
  if (auto s = n.find("min_size")) e.min_size = parse_size(*s);
  if (auto t = n.find("tls")) e.tls = parse_tls_expectation(*t);
  if (auto r = n.find("redirect_to")) e.redirect_to = r->str();
  return e;
}

std::vector<Capture> parse_captures(const PlanNode& n) {
  std::vector<Capture> out;
  for (auto& [name, v] : n.entries()) {
    v.allow_keys({"json", "header", "regex", "secret"});
    Capture c;
    c.name = name;
    int sources = v.has("json") + v.has("header");
    if (sources > 1) v.fail("give one of json or header (optionally with regex)");
    if (v.has("json")) c.from = Capture::From::json, c.source = v.at("json").str();
    else if (v.has("header")) c.from = Capture::From::header, c.source = v.at("header").str();
    else if (v.has("regex")) c.from = Capture::From::body;
    else v.fail("say where to capture from: json: /pointer, header: Name, or regex: on the body");
    c.regex = v.str("regex", "");
    if (!c.regex.empty()) check_regex(v.at("regex"), c.regex);
    c.secret = v.boolean("secret", true);
    out.push_back(c);
  }
  return out;
}

void collect_capture_refs(const std::string& text, std::vector<std::string>& out) {
  for (size_t p = text.find("${capture:"); p != std::string::npos; p = text.find("${capture:", p + 1)) {
    size_t end = text.find('}', p);
    if (end != std::string::npos) out.push_back(text.substr(p + 10, end - p - 10));
  }
}

std::vector<std::string> capture_refs(const RequestSpec& r) {
  std::vector<std::string> out;
  collect_capture_refs(r.path, out);
  collect_capture_refs(r.body, out);
  for (auto& [k, v] : r.headers) collect_capture_refs(v, out);
  return out;
}

SmokeCheckSpec parse_check(const PlanNode& n) {
  n.allow_keys({"name", "request", "expect", "retries", "retry_delay", "capture", "metrics", "idempotency", "preset",
                "paths", "health_path", "ready_path"});
  SmokeCheckSpec c;
  c.name = n.at("name").str();
  c.line = n.line();
  int kinds = n.has("preset") + n.has("metrics") + n.has("idempotency");
  if (kinds > 1) n.fail("a check is one of: a request, a preset, a metrics check or an idempotency check");
  if (auto r = n.find("request")) c.request = parse_request(*r);
  if (auto e = n.find("expect")) c.expect = parse_expect(*e);
  c.retries = n.integer("retries", 0);
  if (c.retries < 0 || c.retries > 100) n.at("retries").fail("must be between 0 and 100");
  c.retry_delay = n.duration("retry_delay", c.retry_delay);
  if (auto cap = n.find("capture")) c.captures = parse_captures(*cap);

  if (auto p = n.find("preset")) {
    PresetSpec preset;
    preset.name = p->str();
    static const std::set<std::string> presets = {"security-headers", "hidden-files", "health-contract"};
    if (!presets.count(preset.name)) {
      std::string hint = closest_match(preset.name, presets);
      p->fail("unknown preset '" + preset.name + "'" + (hint.empty() ? " (security-headers, hidden-files, health-contract)" : " (did you mean '" + hint + "'?)"));
    }
    if (auto paths = n.find("paths")) preset.paths = one_or_many(*paths);
    preset.health_path = n.str("health_path", preset.health_path);
    preset.ready_path = n.str("ready_path", preset.ready_path);
    c.preset = preset;
  } else {
    for (const char* k : {"paths", "health_path", "ready_path"})
      if (n.has(k)) n.at(k).fail(std::string("'") + k + "' belongs to a preset check");
  }
  if (auto m = n.find("metrics")) {
    MetricsSpec spec;
    for (auto& item : m->items()) {
      std::string text = item.str();
      try {
        parse_metric_assertion(text);
      } catch (const std::exception& e) {
        item.fail(std::string("invalid metric assertion: ") + e.what());
      }
      spec.assertions.push_back(text);
    }
    if (spec.assertions.empty()) m->fail("list at least one assertion, e.g. app_worker_healthy == 1");
    if (!n.has("request")) c.request.path = "/metrics";
    c.metrics = spec;
  }
  if (auto i = n.find("idempotency")) {
    i->allow_keys({"times", "concurrent", "count_query", "expect_change"});
    IdempotencySpec spec;
    spec.times = i->integer("times", 3);
    if (spec.times < 2 || spec.times > 1000) i->fail("times must be between 2 and 1000");
    spec.concurrent = i->boolean("concurrent", false);
    spec.count_query = i->at("count_query").str();
    spec.expect_change = i->integer("expect_change", 1);
    if (!n.has("request")) n.fail("an idempotency check needs the request to repeat");
    c.idempotency = spec;
  }
  if (!c.preset && !c.metrics && !c.idempotency && !n.has("request"))
    n.fail("missing 'request' (or a 'preset', 'metrics' or 'idempotency' check)");
  c.uses_captures = capture_refs(c.request);
  return c;
}

}  // namespace

StatusExpectation parse_status(const PlanNode& node) {
  StatusExpectation s;
  std::vector<PlanNode> values = node.is_sequence() ? node.items() : std::vector<PlanNode>{node};
  for (const PlanNode& v : values) {
    std::string text = v.str();
    s.text += (s.text.empty() ? "" : " or ") + text;
    if (text.size() == 3 && text[0] >= '1' && text[0] <= '5' && (text.substr(1) == "xx" || text.substr(1) == "XX")) {
      s.classes.push_back(text[0] - '0');
      continue;
    }
    int code = v.integer();
    if (code < 100 || code > 599) v.fail("an HTTP status is 100..599 or a class like 2xx, got '" + text + "'");
    s.codes.push_back(code);
  }
  return s;
}

SmokePlan parse_smoke_plan(const PlanNode& section) {
  section.allow_keys({"checks", "wait_until_ready", "concurrency", "timeout"});
  SmokePlan plan;
  plan.concurrency = section.integer("concurrency", plan.concurrency);
  if (plan.concurrency < 1 || plan.concurrency > 256) section.at("concurrency").fail("must be between 1 and 256");
  plan.timeout = section.duration("timeout", plan.timeout);
  if (auto w = section.find("wait_until_ready")) {
    w->allow_keys({"path", "url", "status", "timeout", "interval", "max_interval"});
    ReadinessSpec r;
    r.request.path = w->has("url") ? w->at("url").str() : w->str("path", "/ready");
    r.status = w->has("status") ? parse_status(w->at("status")) : StatusExpectation{{200}, {}, "200"};
    r.timeout = w->duration("timeout", r.timeout);
    r.interval = w->duration("interval", r.interval);
    r.max_interval = w->duration("max_interval", r.max_interval);
    plan.wait_until_ready = r;
  }
  std::set<std::string> names, captured;
  for (auto& item : section.at("checks").items()) {
    SmokeCheckSpec c = parse_check(item);
    if (!names.insert(c.name).second) item.at("name").fail("duplicate check name '" + c.name + "'");
    for (const std::string& ref : c.uses_captures)
      if (!captured.count(ref))
        item.at("request").fail("uses ${capture:" + ref + "}, which no earlier check captures");
    for (const Capture& cap : c.captures) captured.insert(cap.name);
    plan.checks.push_back(std::move(c));
  }
  if (plan.checks.empty()) section.at("checks").fail("no checks");
  return plan;
}

}  // namespace greenlight
