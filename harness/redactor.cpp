// Secret registration and replacement.
#include "harness/redactor.h"

namespace greenlight {

void Redactor::add(const std::string& secret) {
  if (secret.size() < 4) return;
  std::lock_guard<std::mutex> lock(mu_);
  secrets_.insert(secret);
}

std::string Redactor::redact(std::string text) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& s : secrets_) {
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 1)) {
      text.replace(pos, s.size(), kRedacted);
    }
  }
  return text;
}

std::string dsn_password(const std::string& dsn) {
  size_t scheme = dsn.find("://");
  if (scheme == std::string::npos) return "";
  size_t at = dsn.find('@', scheme + 3);
  if (at == std::string::npos) return "";
  size_t colon = dsn.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return "";
  return dsn.substr(colon + 1, at - colon - 1);
}

std::string redact_dsn(const std::string& dsn) {
  std::string pw = dsn_password(dsn);
  if (pw.empty()) return dsn;
  size_t scheme = dsn.find("://");
  size_t colon = dsn.find(':', scheme + 3);
  return dsn.substr(0, colon + 1) + "***" + dsn.substr(colon + 1 + pw.size());
}

}  // namespace greenlight
