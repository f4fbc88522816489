// The error for a bad plan or bad command line: the run stops with exit code 2.
// Its text names the file, the line and the key so the user can go straight there.
#pragma once

#include <stdexcept>
#include <string>

namespace greenlight {

class ConfigError : public std::runtime_error {
 public:
  // what() reads "FILE:LINE: KEY: MESSAGE"; file, line and key may be empty/0.
  ConfigError(const std::string& file, int line, const std::string& key, const std::string& message);
  explicit ConfigError(const std::string& message) : ConfigError("", 0, "", message) {}

  std::string file;
  int line = 0;
  std::string key;
};

}  // namespace greenlight
