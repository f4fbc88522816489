// The smoke suite's section of the plan, parsed and validated into plain
// structs. Templates (${capture:x}, ${run:id}) stay unexpanded until run time.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/duration.h"
#include "harness/plan_node.h"
#include "suites/smoke/http_loop.h"

namespace greenlight {

// A request as written in the plan: `path` is relative to the target's base URL
// unless it is an absolute URL.
struct RequestSpec {
  std::string method = "GET";
  std::string path = "/";
  Headers headers;
  std::string body;
  TlsOptions tls;
  bool follow_redirects = false;
  std::optional<Duration> timeout;  // default: the suite's
};

struct StatusExpectation {
  std::vector<int> codes;    // any of these
  std::vector<int> classes;  // or any of these classes: 2 for "2xx"
  std::string text;          // as written, for messages
};

struct HeaderExpectation {
  enum class Kind { present, absent, equals, matches } kind = Kind::present;
  std::string name;
  std::string value;  // equals: the value; matches: the regex
};

struct ValueTest {  // one test on a JSON value
  enum class Kind { equals, matches, type, compare, exists, absent, length } kind = Kind::equals;
  nlohmann::json expected;  // equals
  std::string text;         // matches: regex; type: name; compare: operator
  double number = 0;        // compare, length
};

struct JsonExpectation {
  std::string pointer;  // RFC 6901, e.g. /items/0/id
  std::vector<ValueTest> tests;
};

struct TlsExpectation {
  std::optional<double> min_days_left;
  bool hostname_match = false;
  std::string min_version;  // "TLSv1.2"
};

struct Expectations {
  std::optional<StatusExpectation> status;
  std::vector<HeaderExpectation> headers;
  std::vector<std::string> body_contains, body_not_contains, body_matches;
  std::vector<JsonExpectation> json;
  std::optional<Duration> max_latency;
  std::optional<size_t> max_size, min_size;
  std::optional<TlsExpectation> tls;
  std::optional<std::string> redirect_to;  // Location must equal this (redirects not followed)
};

struct Capture {
  std::string name;
  enum class From { json, header, body } from = From::json;
  std::string source;  // JSON pointer or header name
  std::string regex;   // optional: first group (or whole match) of this regex
  bool secret = true;  // redacted from every output
};

struct MetricsSpec {
  std::vector<std::string> assertions;  // validated with parse_metric_assertion
};

struct IdempotencySpec {
  int times = 3;
  bool concurrent = false;  // send all at once: also catches races
  std::string count_query;  // SQL on the target database (read-only)
  long expect_change = 1;
};

struct PresetSpec {
  std::string name;                // security-headers, hidden-files, health-contract
  std::vector<std::string> paths;  // hidden-files: extra paths
  std::string health_path = "/health", ready_path = "/ready";
};

struct SmokeCheckSpec {
  std::string name;
  int line = 0;
  RequestSpec request;
  Expectations expect;
  int retries = 0;
  Duration retry_delay{1};
  std::vector<Capture> captures;
  std::optional<MetricsSpec> metrics;
  std::optional<IdempotencySpec> idempotency;
  std::optional<PresetSpec> preset;
  std::vector<std::string> uses_captures;  // names referenced by ${capture:...}
};

struct ReadinessSpec {
  RequestSpec request;
  StatusExpectation status;
  Duration timeout{60};
  Duration interval{0.5};
  Duration max_interval{5};
};

struct SmokePlan {
  std::vector<SmokeCheckSpec> checks;
  std::optional<ReadinessSpec> wait_until_ready;
  int concurrency = 8;
  Duration timeout{10};  // per request
};

// Throws ConfigError naming file:line and key.
SmokePlan parse_smoke_plan(const PlanNode& section);

// Exposed for tests: "2xx", 200, [200, 204].
StatusExpectation parse_status(const PlanNode& node);

}  // namespace greenlight
