// Prometheus durations ("1h30m", "5m", "1d", "2w", "1y", "500ms"), read and
// written exactly as prometheus/common's model.Duration does, so rule `for:`
// values, ranges and offsets mean here what they mean to Prometheus.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace greenlight::promql {

// Milliseconds, or nullopt with *error set ("not a valid duration string:
// \"1m1h\"", "duration out of range", "empty duration string"). Units must come
// in the order y, w, d, h, m, s, ms, each at most once; "0" alone is allowed.
std::optional<std::int64_t> parse_duration(std::string_view text, std::string* error = nullptr);

// The canonical form: "1h30m", "2w", "90s"... Years and weeks only when exact;
// "0s" for zero. Negative values get a leading "-".
std::string format_duration(std::int64_t ms);

}  // namespace greenlight::promql
