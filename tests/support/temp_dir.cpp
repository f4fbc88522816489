// TempDir: mkdtemp under /tmp, recursive removal in the destructor.
#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace greenlight::test {

TempDir::TempDir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + "-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp " + templ + ": " + std::strerror(errno));
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ignored;  // a destructor must not throw; a leftover dir in /tmp is harmless
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace greenlight::test
