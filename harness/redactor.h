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
  // Longest first: when one secret contains another, the longer one must be
  // replaced whole before the shorter one cuts it apart.
  struct LongestFirst {
    bool operator()(const std::string& a, const std::string& b) const {
      return a.size() != b.size() ? a.size() > b.size() : a < b;
    }
  };
  std::set<std::string, LongestFirst> secrets_;
};

// "postgresql://user:pw@host/db" -> "postgresql://user:***@host/db".
std::string redact_dsn(const std::string& dsn);
// The password of a DSN, empty when there is none.
std::string dsn_password(const std::string& dsn);

inline constexpr const char* kRedacted = "[redacted]";

}  // namespace greenlight
