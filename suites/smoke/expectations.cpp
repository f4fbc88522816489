// Status, header, body, JSON, latency, size and TLS expectations.
#include "suites/smoke/expectations.h"

#include <cmath>
#include <regex>

namespace greenlight {

namespace {

std::string quote(const std::string& s, size_t limit = 120) {
  std::string t = s.size() > limit ? s.substr(0, limit) + "…" : s;
  return "'" + t + "'";
}

bool type_is(const nlohmann::json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_number_integer() || v.is_number_unsigned() ||
                                (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  return v.is_null();
}

bool compare(double lhs, const std::string& op, double rhs) {
  if (op == "==") return lhs == rhs;
  if (op == "!=") return lhs != rhs;
  if (op == "<") return lhs < rhs;
  if (op == "<=") return lhs <= rhs;
  if (op == ">") return lhs > rhs;
  return lhs >= rhs;
}

bool json_equals(const nlohmann::json& actual, const nlohmann::json& expected) {
  if (actual.is_number() && expected.is_number()) return actual.get<double>() == expected.get<double>();
  return actual == expected;
}

int tls_rank(const std::string& v) {
  if (v == "TLSv1.3") return 13;
  if (v == "TLSv1.2") return 12;
  if (v == "TLSv1.1") return 11;
  if (v == "TLSv1") return 10;
  return 0;
}

std::string fmt_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void judge_json(const std::vector<JsonExpectation>& expectations, const HttpResponse& r, Judgement& out) {
  if (expectations.empty()) return;
  nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_discarded()) {
    const std::string* type = r.header("Content-Type");
    out.failures.push_back("body is not JSON (Content-Type: " + (type ? *type : std::string("none")) +
                           "), so the JSON expectations cannot hold; body starts " + quote(r.body, 80));
    return;
  }
  for (const JsonExpectation& e : expectations) {
    nlohmann::json::json_pointer ptr(e.pointer);
    bool exists = doc.contains(ptr);
    for (const ValueTest& t : e.tests) {
      if (t.kind == ValueTest::Kind::absent) {
        if (exists) out.failures.push_back("JSON " + e.pointer + " should be absent but is " + json_value_text(doc.at(ptr)));
        continue;
      }
      if (!exists) {
        out.failures.push_back("JSON " + e.pointer + " is missing from the response");
        break;
      }
      const nlohmann::json& v = doc.at(ptr);
      switch (t.kind) {
        case ValueTest::Kind::exists: break;
        case ValueTest::Kind::absent: break;
        case ValueTest::Kind::equals:
          if (!json_equals(v, t.expected))
            out.failures.push_back("JSON " + e.pointer + " is " + json_value_text(v) + ", expected " + json_value_text(t.expected));
          break;
        case ValueTest::Kind::matches: {
          std::string text = v.is_string() ? v.get<std::string>() : v.dump();
          if (!std::regex_search(text, std::regex(t.text)))
            out.failures.push_back("JSON " + e.pointer + " is " + json_value_text(v) + ", which does not match /" + t.text + "/");
          break;
        }
        case ValueTest::Kind::type:
          if (!type_is(v, t.text))
            out.failures.push_back("JSON " + e.pointer + " is " + json_value_text(v) + ", expected a " + t.text);
          break;
        case ValueTest::Kind::compare:
          if (!v.is_number())
            out.failures.push_back("JSON " + e.pointer + " is " + json_value_text(v) + ", not a number (expected " + t.text + " " + fmt_number(t.number) + ")");
          else if (!compare(v.get<double>(), t.text, t.number))
            out.failures.push_back("JSON " + e.pointer + " is " + json_value_text(v) + ", expected " + t.text + " " + fmt_number(t.number));
          break;
        case ValueTest::Kind::length: {
          if (!v.is_array() && !v.is_string() && !v.is_object()) {
            out.failures.push_back("JSON " + e.pointer + " is " + json_value_text(v) + ", which has no length");
            break;
          }
          size_t len = v.is_string() ? v.get<std::string>().size() : v.size();
          if (static_cast<double>(len) != t.number)
            out.failures.push_back("JSON " + e.pointer + " has length " + std::to_string(len) + ", expected " + fmt_number(t.number));
          break;
        }
      }
    }
  }
}

void judge_tls(const TlsExpectation& t, const HttpResponse& r, Judgement& out) {
  if (!r.tls.present) {
    out.failures.push_back("TLS expectations set but the connection to " + r.effective_url + " was not TLS");
    return;
  }
  out.figures.push_back({"cert_days_left", std::floor(r.tls.days_left * 10) / 10, "days"});
  if (t.min_days_left && r.tls.days_left < *t.min_days_left) {
    std::string state = r.tls.days_left < 0 ? "expired " + fmt_number(std::floor(-r.tls.days_left)) + " days ago"
                                            : "expires in " + fmt_number(std::floor(r.tls.days_left)) + " days";
    out.failures.push_back("TLS certificate " + state + " (" + r.tls.not_after + "), expected at least " +
                           fmt_number(*t.min_days_left) + " days left; subject " + r.tls.subject);
  }
  if (t.hostname_match && !r.tls.hostname_matches)
    out.failures.push_back("TLS certificate does not match the host name of " + r.effective_url + " (subject " + r.tls.subject + ")");
  if (!t.min_version.empty() && tls_rank(r.tls.protocol) < tls_rank(t.min_version))
    out.failures.push_back("TLS protocol " + r.tls.protocol + " negotiated, expected at least " + t.min_version);
}

}  // namespace

std::string json_value_text(const nlohmann::json& v) {
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.size() > 120 ? s.substr(0, 120) + "…" : s;
}

bool status_matches(const StatusExpectation& s, long status) {
  for (int c : s.codes)
    if (c == status) return true;
  for (int c : s.classes)
    if (status / 100 == c) return true;
  return false;
}

Judgement judge(const Expectations& e, const HttpResponse& r) {
  Judgement out;
  out.figures.push_back({"latency", std::round(r.seconds * 1e4) / 10, "ms"});
  if (!r.ok) {
    out.failures.push_back(r.error);
    return out;
  }
  out.figures.push_back({"size", static_cast<double>(r.size), "bytes"});

  StatusExpectation status = e.status ? *e.status
                                      : e.redirect_to ? StatusExpectation{{}, {3}, "3xx"} : StatusExpectation{{}, {2}, "2xx"};
  if (!status_matches(status, r.status))
    out.failures.push_back("status " + std::to_string(r.status) + ", expected " + status.text);

  if (e.redirect_to) {
    const std::string* loc = r.header("Location");
    if (!loc) out.failures.push_back("no Location header, expected a redirect to " + *e.redirect_to);
    else if (*loc != *e.redirect_to) out.failures.push_back("redirects to " + quote(*loc) + ", expected " + quote(*e.redirect_to));
  }

  for (const HeaderExpectation& h : e.headers) {
    const std::string* v = r.header(h.name);
    using K = HeaderExpectation::Kind;
    if (h.kind == K::absent) {
      if (v) out.failures.push_back("header " + h.name + " should be absent but is " + quote(*v));
    } else if (!v) {
      out.failures.push_back("header " + h.name + " is missing");
    } else if (h.kind == K::equals && *v != h.value) {
      out.failures.push_back("header " + h.name + " is " + quote(*v) + ", expected " + quote(h.value));
    } else if (h.kind == K::matches && !std::regex_search(*v, std::regex(h.value))) {
      out.failures.push_back("header " + h.name + " is " + quote(*v) + ", which does not match /" + h.value + "/");
    }
  }

  for (const std::string& s : e.body_contains)
    if (r.body.find(s) == std::string::npos) out.failures.push_back("body does not contain " + quote(s));
  for (const std::string& s : e.body_not_contains)
    if (r.body.find(s) != std::string::npos) out.failures.push_back("body contains " + quote(s) + ", which it must not");
  for (const std::string& re : e.body_matches)
    if (!std::regex_search(r.body, std::regex(re))) out.failures.push_back("body does not match /" + re + "/");

  judge_json(e.json, r, out);

  if (e.max_latency && r.seconds > e.max_latency->count())
    out.failures.push_back("latency " + format_duration(Duration(r.seconds)) + " exceeds the budget of " + format_duration(*e.max_latency));
  if (e.max_size && r.size > *e.max_size)
    out.failures.push_back("body is " + std::to_string(r.size) + " bytes, more than the maximum of " + std::to_string(*e.max_size));
  if (e.min_size && r.size < *e.min_size)
    out.failures.push_back("body is " + std::to_string(r.size) + " bytes, less than the minimum of " + std::to_string(*e.min_size));
  if (e.tls) judge_tls(*e.tls, r, out);
  return out;
}

}  // namespace greenlight
