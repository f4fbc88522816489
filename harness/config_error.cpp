// Formats configuration errors as FILE:LINE: KEY: MESSAGE.
#include "harness/config_error.h"

namespace greenlight {

namespace {
std::string format(const std::string& file, int line, const std::string& key, const std::string& message) {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
  }
  if (!key.empty()) out += key + ": ";
  return out + message;
}
}  // namespace

ConfigError::ConfigError(const std::string& f, int l, const std::string& k, const std::string& message)
    : std::runtime_error(format(f, l, k, message)), file(f), line(l), key(k) {}

}  // namespace greenlight
