// Starts a real greenlight-fixture for one test and stops it afterwards.
// The constructor returns once the fixture printed its "listening on" line(s),
// so the URLs are ready to use.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace greenlight::test {

class TempDir;

struct FixtureOptions {
  std::vector<std::string> faults;  // "NAME" or "NAME=VALUE", each passed as --fault
  std::string db_path;              // empty: a new file in a temp dir owned by the FixtureProcess
  bool fixture_temp_db = false;     // true: pass no --db; the fixture makes and deletes its own (db_path() is "")
  bool tls = false;                 // also an HTTPS listener (needs cert_path and key_path)
  std::string cert_path;
  std::string key_path;
  std::vector<std::string> extra_args;  // appended as they are
  std::map<std::string, std::string> env;  // added to the inherited environment (e.g. TMPDIR)
};

class FixtureProcess {
 public:
  // Throws (with what the fixture printed) when it exits or stays silent for 10 s.
  explicit FixtureProcess(FixtureOptions options = {});
  ~FixtureProcess();  // SIGTERM, then SIGKILL after 5 s
  FixtureProcess(const FixtureProcess&) = delete;
  FixtureProcess& operator=(const FixtureProcess&) = delete;

  const std::string& url() const { return url_; }          // "http://127.0.0.1:PORT"
  const std::string& tls_url() const { return tls_url_; }  // "https://127.0.0.1:PORT", "" without tls
  unsigned short port() const { return port_; }
  unsigned short tls_port() const { return tls_port_; }
  const std::string& db_path() const { return db_path_; }
  int pid() const;

  // Through the admin endpoint; throw when the fixture answers other than 200.
  void set_fault(const std::string& name, const std::string& value = "");
  void clear_faults();

  // Stops the fixture now (SIGTERM, SIGKILL after 5 s) and returns its exit
  // code, 128+N when signal N ended it. Later calls return the same value.
  int stop();
  // What the fixture wrote to stderr so far.
  std::string stderr_text() const;

 private:
  struct Child;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Child> child_;
  std::string url_, tls_url_, db_path_;
  unsigned short port_ = 0, tls_port_ = 0;
  int exit_code_ = -1;
};

}  // namespace greenlight::test
