// Duration parsing and formatting with model.Duration's rules: a fixed unit
// order, integer counts, and the time.Duration (int64 nanoseconds) limit.
#include "suites/alerts/promql/duration.h"

#include <array>
#include <cctype>

namespace greenlight::promql {

namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
constexpr std::int64_t kMsPerWeek = 7 * kMsPerDay;
constexpr std::int64_t kMsPerYear = 365 * kMsPerDay;
// time.Duration counts nanoseconds in an int64.
constexpr std::int64_t kMaxMs = INT64_MAX / 1000000;

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};
// In the only order model.ParseDuration accepts.
constexpr std::array<Unit, 7> kUnits = {{{"y", kMsPerYear},
                                         {"w", kMsPerWeek},
                                         {"d", kMsPerDay},
                                         {"h", kMsPerHour},
                                         {"m", kMsPerMinute},
                                         {"s", kMsPerSecond},
                                         {"ms", 1}}};

std::optional<std::int64_t> fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text, std::string* error) {
  if (text == "0") return 0;
  if (text.empty()) return fail(error, "empty duration string");
  auto invalid = [&] { return fail(error, "not a valid duration string: \"" + std::string(text) + "\""); };

  std::size_t i = 0, next_unit = 0;
  __int128 total = 0;
  bool overflow = false;
  while (i < text.size()) {
    std::size_t digits_start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == digits_start) return invalid();
    std::string_view digits = text.substr(digits_start, i - digits_start);
    // "ms" before "m": the longest suffix that is present wins, as the regexp does.
    std::size_t unit = kUnits.size();
    for (std::size_t u = next_unit; u < kUnits.size(); ++u) {
      std::string_view suffix = kUnits[u].suffix;
      if (text.substr(i, suffix.size()) != suffix) continue;
      // "m" must not swallow the "m" of "ms".
      if (suffix == "m" && text.substr(i, 2) == "ms") continue;
      unit = u;
      break;
    }
    if (unit == kUnits.size()) return invalid();
    i += kUnits[unit].suffix.size();
    next_unit = unit + 1;

    __int128 count = 0;
    for (char c : digits) {
      count = count * 10 + (c - '0');
      if (count > INT64_MAX) {
        overflow = true;
        break;
      }
    }
    if (count > kMaxMs / kUnits[unit].ms) overflow = true;
    total += count * kUnits[unit].ms;
    if (total > kMaxMs) overflow = true;
  }
  if (overflow) return fail(error, "duration out of range");
  return static_cast<std::int64_t>(total);
}

std::string format_duration(std::int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  auto take = [&](std::string_view unit, std::int64_t mult, bool exact_only) {
    if (exact_only && ms % mult != 0) return;
    if (std::int64_t v = ms / mult; v > 0) {
      out += std::to_string(v);
      out += unit;
      ms -= v * mult;
    }
  };
  // Years and weeks only when exact: "90d" reads better than "12w6d".
  take("y", kMsPerYear, true);
  take("w", kMsPerWeek, true);
  take("d", kMsPerDay, false);
  take("h", kMsPerHour, false);
  take("m", kMsPerMinute, false);
  take("s", kMsPerSecond, false);
  take("ms", 1, false);
  return out;
}

}  // namespace greenlight::promql
