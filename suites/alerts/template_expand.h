// Expansion of alert label and annotation templates as Prometheus 2.42 does
// it: Go text/template semantics (missingkey=zero, Go's typing of constants
// and comparisons, Go's fmt formatting) over the tree go_template.h parses,
// with Prometheus' template functions (humanize*, printf, reReplaceAll, query,
// first, label, value...). A failure gives what Prometheus puts in the
// annotation: "<error expanding template: ...>", worded as Go words it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace greenlight {

// One element of the `query` function's result.
struct TemplateSample {
  std::map<std::string, std::string> labels;  // __name__ included
  double value = 0;
};

// Runs the template function `query` (an instant query at the evaluation
// time); throws std::exception whose what() is the query's error.
using TemplateQuery = std::function<std::vector<TemplateSample>(const std::string& expr)>;

// What Prometheus gives an alert template: .Labels/$labels (the result
// series' labels, __name__ included), .ExternalLabels, .ExternalURL, .Value.
struct AlertTemplateData {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> external_labels;
  std::string external_url;
  double value = 0;
};

struct TemplateEnv {
  TemplateQuery query;  // empty: `query` fails
  // The server's external URL for the functions externalURL and pathPrefix.
  // promtool runs rules without one, so there they fail with a nil pointer
  // dereference: leave it empty for promtool's behaviour.
  std::optional<std::string> external_url;
};

// The error text Prometheus wraps, e.g. `error executing template __alert_A:
// template: __alert_A:1:118: executing "__alert_A" at <gt $value 100>: error
// calling gt: incompatible types for comparison`.
struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One label or annotation template of an alerting rule, parsed once (with
// Prometheus' $labels/$externalLabels/$externalURL/$value definitions in
// front, so positions in messages are Prometheus').
class AlertTemplate {
 public:
  AlertTemplate(const std::string& alert_name, const std::string& text);
  ~AlertTemplate();
  AlertTemplate(AlertTemplate&&) noexcept;
  AlertTemplate& operator=(AlertTemplate&&) noexcept;

  // Throws TemplateError.
  std::string expand_or_throw(const AlertTemplateData& data, const TemplateEnv& env = {}) const;
  // What Prometheus stores: the expansion or "<error expanding template: MSG>".
  std::string expand(const AlertTemplateData& data, const TemplateEnv& env = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// AlertTemplate(alert_name, text).expand(data, env).
std::string expand_alert_template(const std::string& alert_name, const std::string& text,
                                  const AlertTemplateData& data, const TemplateEnv& env = {});

// Go's fmt.Sprintf("%v", v) of a float64 (strconv 'g', shortest): what
// `{{ $value }}` prints: "3", "0.1", "1.234567e+06", "+Inf", "NaN".
std::string go_format_value(double v);

}  // namespace greenlight
