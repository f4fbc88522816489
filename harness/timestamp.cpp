// ISO 8601 UTC formatting (gmtime_r: reports are written from several threads).
#include "harness/timestamp.h"

#include <ctime>

namespace greenlight {

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace greenlight
