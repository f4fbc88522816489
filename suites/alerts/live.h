// Live checks of alert rules against a running Prometheus: the rule files'
// groups are loaded as written and evaluate without error, every alert reads
// series that exist (or it can never fire), nothing at a paging severity is
// firing now, and optionally the Alertmanager answers. Whatever the server
// does wrong (unreachable, timeout, an error answer) is a failed check.
#pragma once

#include <string>
#include <vector>

#include "harness/result.h"
#include "suites/alerts/rule_file.h"

namespace greenlight {

struct LiveOptions {
  std::string prometheus_url;  // e.g. http://127.0.0.1:9090 (a path prefix is kept)
  // "firing now" fails when a firing alert's `severity_label` is one of these.
  std::vector<std::string> gate_severities = {"critical", "page"};
  std::string severity_label = "severity";
  std::string alertmanager_url;  // "": no "alertmanager" check
  long timeout_ms = 10000;       // per request
  std::string bearer_token;      // for both servers; never shown
  std::string username, password;
};

// Checks, in this order:
//   "prometheus"                                   reachable, its version
//   "loaded: FILE group \"G\""                      one per group of each file
//   "has series: FILE group \"G\" alert \"A\""       one per alerting rule
//   "firing now"
//   "alertmanager"                                 only with alertmanager_url
// FILE is the file's base name. "has series" does not require a selector
// whose absence cannot stop the alert: inside absent()/absent_over_time(), on
// the right of `unless`, or the same selector as an absent() across an `or`
// (`time() - x > 3600 or absent(x)`); with none required it is skipped, saying why.
// "firing now" judges every alert the server
// has firing, not only those of `files`: any of them at a gating severity
// means the deployment is on fire. When Prometheus is unreachable the first check
// fails naming the address and the ones that need it are skipped.
std::vector<Check> live_checks(const std::vector<RuleFile>& files, const LiveOptions& options);

}  // namespace greenlight
