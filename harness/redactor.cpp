// Secret registration and replacement.
#include "harness/redactor.h"

#include <algorithm>

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

namespace {

struct Span {
  size_t pos = std::string::npos, len = 0;
};

// Where the password stands in a DSN, in any of libpq's three spellings: a
// URI's user info ("postgresql://u:PW@h/db"), its query ("...?password=PW")
// or the keyword form ("host=h password=PW" or password='P W').
Span password_span(const std::string& dsn) {
  size_t scheme = dsn.find("://");
  bool uri = scheme != std::string::npos;
  size_t from = 0;
  if (uri) {
    size_t query = dsn.find('?', scheme + 3);
    size_t at = dsn.find('@', scheme + 3);
    size_t colon = dsn.find(':', scheme + 3);
    if (at != std::string::npos && at < query && colon < at) return {colon + 1, at - colon - 1};
    if (query == std::string::npos) return {};
    from = query;
  }
  for (size_t pos = dsn.find("password=", from); pos != std::string::npos; pos = dsn.find("password=", pos + 1)) {
    char before = pos == 0 ? ' ' : dsn[pos - 1];
    if (uri ? (before != '?' && before != '&') : (before != ' ' && before != '\t')) continue;
    size_t v = pos + 9;
    if (!uri && v < dsn.size() && dsn[v] == '\'') {
      size_t end = v + 1;
      while (end < dsn.size() && dsn[end] != '\'') end += dsn[end] == '\\' ? 2 : 1;
      return {v + 1, std::min(end, dsn.size()) - v - 1};
    }
    size_t end = dsn.find_first_of(uri ? "&#" : " \t", v);
    return {v, (end == std::string::npos ? dsn.size() : end) - v};
  }
  return {};
}

}  // namespace

std::string dsn_password(const std::string& dsn) {
  Span s = password_span(dsn);
  return s.pos == std::string::npos ? "" : dsn.substr(s.pos, s.len);
}

std::string redact_dsn(const std::string& dsn) {
  Span s = password_span(dsn);
  if (s.pos == std::string::npos || s.len == 0) return dsn;
  return dsn.substr(0, s.pos) + "***" + dsn.substr(s.pos + s.len);
}

}  // namespace greenlight
