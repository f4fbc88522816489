// Stable text for docs/fault-matrix.md from real failure messages: loopback
// ports, temporary paths, dates, hashes and measured figures become
// placeholders, so that consecutive runs render the same file.
#pragma once

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace greenlight::test {

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size()))
    text.replace(p, from.size(), to);
  return text;
}

// `known`: exact strings (temp dirs of this run) and their placeholders,
// replaced first, longest first. `vary`: {regex, replacement} for the
// figures a run measures. Lines are joined with " / ", each trimmed, and the
// result is cut at `max_chars` (with "…").
inline std::string normalize_message(std::string message, std::vector<std::pair<std::string, std::string>> known,
                                     const std::vector<std::pair<std::string, std::string>>& vary = {},
                                     size_t max_chars = 320) {
  {
    std::istringstream in(message);
    std::string line, joined;
    while (std::getline(in, line)) {
      auto b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t\r");
      if (b == std::string::npos) continue;
      joined += (joined.empty() ? "" : " / ") + line.substr(b, e - b + 1);
    }
    message = joined;
  }
  std::sort(known.begin(), known.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [from, to] : known) message = replace_all(message, from, to);
  struct Rule {
    std::regex re;
    const char* to;
  };
  static const std::vector<Rule> rules = {
      // Any other temporary path (greenlight's scratch files, mkdtemp names).
      {std::regex(R"(/tmp/[^\s'"`),;]+)"), "<tmp-path>"},
      {std::regex(R"((127\.0\.0\.1|localhost|\[::1\]):\d+)"), "$1:<port>"},
      // Dates and times: ISO 8601, and OpenSSL's "Jan  5 12:00:00 2026 GMT".
      {std::regex(R"(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)"), "<time>"},
      {std::regex(R"([A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}( GMT)?)"), "<time>"},
      {std::regex(R"(\b[0-9a-f]{16,}\b)"), "<hash>"},
  };
  for (const Rule& r : rules) message = std::regex_replace(message, r.re, r.to);
  for (const auto& [re, to] : vary) message = std::regex_replace(message, std::regex(re), to);
  if (message.size() > max_chars) {
    size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    message = message.substr(0, cut) + "…";
  }
  return message;
}

// "line N: expected 'A', generated 'B'" for the first line where the two
// texts differ, "" when they are equal.
inline std::string first_differing_line(const std::string& expected, const std::string& generated) {
  std::istringstream a(expected), b(generated);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ha = static_cast<bool>(std::getline(a, la));
    bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) return "";
    if (!ha) return "line " + std::to_string(line) + ": the file ends, the generated text has '" + lb + "'";
    if (!hb) return "line " + std::to_string(line) + ": the generated text ends, the file has '" + la + "'";
    if (la != lb)
      return "first differing line " + std::to_string(line) + ":\n  file:      " + la + "\n  generated: " + lb;
  }
}

}  // namespace greenlight::test
