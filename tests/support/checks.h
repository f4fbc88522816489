// Looking up checks in a suite's result, for tests that assert on them by name.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "harness/result.h"

namespace greenlight::test {

// The check named `name`; fails the test listing every check (with its
// outcome and message) when there is none.
inline const Check& find_check(const std::vector<Check>& checks, const std::string& name) {
  for (const Check& c : checks)
    if (c.name == name) return c;
  std::string names;
  for (const Check& c : checks) names += "\n  " + c.name + " [" + to_string(c.outcome) + "] " + c.message;
  FAIL("no check named '" << name << "' among:" << names);
  throw std::logic_error("unreachable");
}

// One line per check that did not pass ("name [outcome]: message"), "" when all passed.
inline std::string failures(const std::vector<Check>& checks) {
  std::string out;
  for (const Check& c : checks)
    if (c.outcome != Outcome::passed) out += c.name + " [" + to_string(c.outcome) + "]: " + c.message + "\n";
  return out;
}

}  // namespace greenlight::test
