// A private temporary directory for one test, removed with everything in it
// when the object goes out of scope.
#pragma once

#include <string>

namespace greenlight::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "greenlight-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace greenlight::test
