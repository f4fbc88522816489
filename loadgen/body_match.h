// Streaming substring search (Knuth-Morris-Pratt) for expect_body_contains:
// the body arrives in pieces, split anywhere, and must not be buffered or
// copied, so the matcher keeps only "how much of the needle ends here".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace greenlight {

// The needle and its failure table, built once per endpoint; read-only after
// construction, so threads share it.
struct BodyNeedle {
  std::string text;
  std::vector<size_t> fail;  // fail[i]: length of the longest proper border of text[0..i]
  explicit BodyNeedle(std::string needle);
};

// Per response state: a few words, reset for every response.
struct BodyMatch {
  const BodyNeedle* needle = nullptr;  // null: nothing to look for (found() is true)
  size_t matched = 0;
  bool found_ = false;

  void reset(const BodyNeedle* n) {
    needle = n;
    matched = 0;
    found_ = n == nullptr || n->text.empty();
  }
  bool found() const { return found_; }
  void feed(const char* data, size_t len) {
    if (found_) return;
    const std::string& t = needle->text;
    const size_t* fail = needle->fail.data();
    size_t m = matched;
    for (size_t i = 0; i < len; ++i) {
      char c = data[i];
      while (m > 0 && t[m] != c) m = fail[m - 1];
      if (t[m] == c && ++m == t.size()) {
        found_ = true;
        return;
      }
    }
    matched = m;
  }
};

inline BodyNeedle::BodyNeedle(std::string needle) : text(std::move(needle)), fail(text.size(), 0) {
  for (size_t i = 1, k = 0; i < text.size(); ++i) {
    while (k > 0 && text[i] != text[k]) k = fail[k - 1];
    if (text[i] == text[k]) ++k;
    fail[i] = k;
  }
}

}  // namespace greenlight
