// Durations as users write them: "250ms", "2s", "1m30s", "1h", "500us".
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace greenlight {

using Duration = std::chrono::duration<double>;  // seconds

// nullopt when `text` is not a valid duration. A bare number is not accepted:
// "500" is ambiguous (ms? s?), and a gate must not guess.
std::optional<Duration> parse_duration(const std::string& text);

// "1.5s", "250ms", "2m05s": short and exact enough for messages.
std::string format_duration(Duration d);

}  // namespace greenlight
