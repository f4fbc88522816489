// Regular expressions with Go's regexp (RE2) syntax and leftmost-first
// submatch semantics, as Prometheus uses them for =~ / !~ matchers and
// label_replace: always anchored at both ends (Prometheus wraps them in
// ^(?:...)$). A Pike VM over UTF-8 runes, so matching is linear in the input
// and never overflows the stack; literal, alternation-of-literals and
// .*-shaped patterns take fast paths that skip the VM.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace greenlight::promql {

class GoRegex {
 public:
  // Throws std::invalid_argument with Go's message for a pattern Go rejects,
  // or naming the construct this engine does not support (rare Unicode classes).
  explicit GoRegex(std::string_view pattern);
  ~GoRegex();
  GoRegex(const GoRegex&) = delete;
  GoRegex& operator=(const GoRegex&) = delete;

  const std::string& pattern() const { return pattern_; }

  // Whether the whole of `s` matches.
  bool full_match(std::string_view s) const;

  // The byte spans of group 0 (the whole string) and each capture group of a
  // whole-string match, {-1, -1} for a group that did not participate; false
  // when `s` does not match.
  bool full_match(std::string_view s, std::vector<std::pair<int, int>>& groups) const;

  int group_count() const;                       // capture groups, not counting group 0
  int group_index(std::string_view name) const;  // of (?P<name>...), -1 when unknown

  struct Program;

 private:
  std::string pattern_;
  std::unique_ptr<Program> prog_;
};

// One compiled regex per pattern for the life of the process: rule tests
// evaluate the same selectors thousands of times.
std::shared_ptr<const GoRegex> cached_regex(const std::string& pattern);

// Go's Regexp.ExpandString: `$1`, `${1}`, `$name`, `${name}`, `$$` in
// `templ` replaced by the groups of `src` (a name Go would read greedily, as
// in `$1x`, refers to group "1x", which is empty).
std::string expand_template(const GoRegex& re, std::string_view templ, std::string_view src,
                            const std::vector<std::pair<int, int>>& groups);

}  // namespace greenlight::promql
