// Rules of the presets; the values follow the OWASP secure headers project
// and Mozilla's observatory (HSTS of at least six months).
#include "suites/smoke/presets.h"

#include <algorithm>
#include <regex>

#include <nlohmann/json.hpp>

namespace greenlight {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string status_text(const HttpResponse& r) {
  if (!r.ok) return r.error;
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

std::vector<std::string> judge_security_headers(const HttpResponse& r) {
  if (!r.ok) return {r.error};
  std::vector<std::string> out;
  const std::string* hsts = r.header("Strict-Transport-Security");
  if (!hsts) {
    out.push_back("header Strict-Transport-Security is missing (HSTS)");
  } else {
    std::smatch m;
    std::string v = lower(*hsts);
    if (!std::regex_search(v, m, std::regex("max-age\\s*=\\s*\"?(\\d+)")))
      out.push_back("header Strict-Transport-Security has no max-age: '" + *hsts + "'");
    else if (std::stoll(m[1].str().substr(0, 12)) < 15552000)
      out.push_back("header Strict-Transport-Security max-age=" + m[1].str() + " is shorter than 180 days (15552000)");
  }
  const std::string* csp = r.header("Content-Security-Policy");
  if (!csp || csp->empty()) out.push_back("header Content-Security-Policy is missing");
  const std::string* xfo = r.header("X-Frame-Options");
  bool frame_ancestors = csp && lower(*csp).find("frame-ancestors") != std::string::npos;
  if (!xfo && !frame_ancestors) {
    out.push_back("header X-Frame-Options is missing (and the CSP has no frame-ancestors)");
  } else if (xfo && lower(*xfo) != "deny" && lower(*xfo) != "sameorigin") {
    out.push_back("header X-Frame-Options is '" + *xfo + "', expected DENY or SAMEORIGIN");
  }
  const std::string* xcto = r.header("X-Content-Type-Options");
  if (!xcto) out.push_back("header X-Content-Type-Options is missing");
  else if (lower(*xcto) != "nosniff") out.push_back("header X-Content-Type-Options is '" + *xcto + "', expected nosniff");
  const std::string* rp = r.header("Referrer-Policy");
  if (!rp) {
    out.push_back("header Referrer-Policy is missing");
  } else {
    // The last recognised token wins in browsers; a leaking policy anywhere is reported.
    std::string v = lower(*rp);
    if (v.find("unsafe-url") != std::string::npos || v == "no-referrer-when-downgrade" || v == "origin-when-cross-origin")
      out.push_back("header Referrer-Policy is '" + *rp + "', which sends full URLs to other sites");
  }
  return out;
}

std::vector<std::string> default_hidden_paths() {
  return {"/.env",          "/.git/config",       "/.git/HEAD",         "/.svn/entries", "/.hg/hgrc",
          "/.htaccess",     "/.htpasswd",         "/.DS_Store",         "/.aws/credentials", "/.npmrc",
          "/index.php.bak", "/config.php~",       "/wp-config.php.bak", "/backup.sql",   "/dump.sql",
          "/database.sql.gz", "/.ssh/id_rsa",     "/.bash_history"};
}

std::string judge_hidden_path(const std::string& path, const HttpResponse& r, const HttpResponse& not_found) {
  // No answer proves nothing: the path may well be served when the network is back.
  if (!r.ok) return path + " could not be checked: " + r.error;
  if (r.status < 200 || r.status >= 300) return "";
  bool fallback = not_found.ok && not_found.status >= 200 && not_found.status < 300 && not_found.body == r.body;
  if (fallback) return "";
  return path + " is served (HTTP " + std::to_string(r.status) + ", " + std::to_string(r.size) +
         " bytes); it must answer 403/404";
}

std::vector<std::string> judge_health_contract(const std::string& health_path, const HttpResponse& health,
                                               const std::string& ready_path, const HttpResponse& ready) {
  std::vector<std::string> out;
  if (!health.ok) {
    out.push_back(health_path + ": " + health.error);
  } else if (health.status != 200) {
    out.push_back(health_path + " answered " + status_text(health) + ", expected 200");
  } else {
    nlohmann::json doc = nlohmann::json::parse(health.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      out.push_back(health_path + " answered 200 but its body is not a JSON object (the contract wants {\"status\": ...})");
    else if (!doc.contains("status"))
      out.push_back(health_path + " answered 200 but its JSON has no \"status\" field");
  }
  if (!ready.ok) {
    out.push_back(ready_path + ": " + ready.error);
  } else if (ready.status == 503) {
    std::string why = ready.body;
    nlohmann::json doc = nlohmann::json::parse(ready.body, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) {
      for (const char* key : {"reason", "message", "error", "checks"})
        if (doc.contains(key)) {
          why = doc[key].is_string() ? doc[key].get<std::string>() : doc[key].dump();
          break;
        }
    }
    if (why.find_first_not_of(" \t\r\n") == std::string::npos)
      out.push_back(ready_path + " answered 503 with an empty body: not ready, and it does not say why");
    else
      out.push_back(ready_path + " answered 503, not ready: " + (why.size() > 200 ? why.substr(0, 200) + "…" : why));
  } else if (ready.status != 200) {
    out.push_back(ready_path + " answered " + status_text(ready) + "; the contract allows 200 (ready) or 503 (not ready, with a reason)");
  }
  return out;
}

}  // namespace greenlight
