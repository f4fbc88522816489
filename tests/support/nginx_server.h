// A real nginx for one test: its own config, logs and temp files in a
// TempDir, listening on a free loopback port, stopped in the destructor.
#pragma once

#include <memory>
#include <string>

namespace greenlight::test {

class TempDir;

struct NginxOptions {
  bool tls = false;  // "listen ... ssl" with the certificate below
  std::string cert_path;
  std::string key_path;
  std::string ssl_protocols = "TLSv1.2 TLSv1.3";
  std::string http_directives;  // extra lines inside http { }, e.g. an upstream block; {PORT} is replaced
};

class NginxServer {
 public:
  // `server_body` goes inside server { } after the generated listen/ssl lines;
  // every "{PORT}" in it becomes the chosen port. Throws with nginx's error log
  // when it does not come up within 10 s.
  explicit NginxServer(const std::string& server_body, NginxOptions options = {});
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT" or "https://..."
  unsigned short port() const { return port_; }
  const std::string& dir() const;
  std::string conf_path() const;
  std::string error_log() const;  // the log's current contents

 private:
  struct Child;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Child> child_;
  unsigned short port_ = 0;
  bool tls_ = false;
  void stop();
};

}  // namespace greenlight::test
