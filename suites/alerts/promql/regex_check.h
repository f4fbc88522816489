// Label-matcher regular expressions as Prometheus treats them: Go's regexp
// (RE2) syntax, anchored as ^(?:...)$. std::regex is not used to validate
// them: ECMAScript accepts what RE2 rejects (backreferences, lookahead) and
// rejects what RE2 accepts ((?i), (?P<name>...), \pL, \Q...\E). This is a
// parser of Go's regexp/syntax grammar that answers the two questions the
// PromQL parser needs: is the pattern valid, and can it match "".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "suites/alerts/promql/ast.h"

namespace greenlight::promql {

// nullopt when Go's regexp.Compile(pattern) succeeds; otherwise Go's message,
// e.g. "error parsing regexp: missing closing ): `(a`". Follows Go 1.19 (what
// Prometheus 2.42 is built with): no (?<name>...) yet.
std::optional<std::string> regex_error(std::string_view pattern);

// Whether a valid pattern, anchored at both ends, matches the empty string.
bool regex_matches_empty(std::string_view pattern);

// The check Prometheus 2.42 applies to a =~ / !~ value: "^(?:v)$" must
// compile and so must v alone (so "a)|(b" is rejected).
std::optional<std::string> matcher_regex_error(std::string_view value);

// Whether the matcher accepts a missing (empty) label; a selector needs at
// least one matcher for which this is false.
bool matcher_matches_empty(const LabelMatcher& m);

}  // namespace greenlight::promql
