// Wall-clock times as every report, history row and log line writes them.
#pragma once

#include <chrono>
#include <string>

namespace greenlight {

// "2026-11-22T01:15:08Z" (ISO 8601, UTC, whole seconds).
std::string iso8601_utc(std::chrono::system_clock::time_point t = std::chrono::system_clock::now());

}  // namespace greenlight
