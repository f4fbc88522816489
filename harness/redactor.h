// Keeps secrets out of every output. Values that came from ${env:...}, a DSN's
// password, and captures marked secret are registered here; every string that
// goes to a log or a report passes through redact().
// Thread-safe: checks running concurrently may register captures.
#pragma once

#include <mutex>
#include <set>
#include <string>

namespace greenlight {

class Redactor {
 public:
  // Values shorter than 4 characters are ignored: replacing every "1" in a
  // report would destroy it, and such a value is no secret worth the name.
  void add(const std::string& secret);
  std::string redact(std::string text) const;

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::greater<>> secrets_;  // longest-first is not needed; stable order is
};

// "postgresql://user:pw@host/db" -> "postgresql://user:***@host/db".
std::string redact_dsn(const std::string& dsn);
// The password of a DSN, empty when there is none.
std::string dsn_password(const std::string& dsn);

inline constexpr const char* kRedacted = "[redacted]";

}  // namespace greenlight
