// FixtureProcess: Boost.Process child with stdout on a pipe (read with poll()
// so start-up can time out) and stderr in a file (kept for error messages).
#include "tests/support/fixture_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/http_get.h"
#include "tests/support/temp_dir.h"

namespace greenlight::test {

namespace bp = boost::process;
using namespace std::chrono_literals;

namespace {

constexpr auto kStartTimeout = 10s;
constexpr auto kStopTimeout = 5s;

unsigned short port_of(const std::string& url) {
  return static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
}

}  // namespace

struct FixtureProcess::Child {
  bp::pipe out;
  bp::child process;
};

FixtureProcess::FixtureProcess(FixtureOptions options) : dir_(std::make_unique<TempDir>("greenlight-fixture-test")) {
  std::vector<std::string> args = {"--port", "0"};
  if (!options.fixture_temp_db) {
    db_path_ = options.db_path.empty() ? dir_->file("fixture.db") : options.db_path;
    args.insert(args.end(), {"--db", db_path_});
  }
  for (const auto& f : options.faults) args.insert(args.end(), {"--fault", f});
  if (options.tls) args.insert(args.end(), {"--tls-port", "0", "--cert", options.cert_path, "--key", options.key_path});
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

  bp::environment env = boost::this_process::environment();
  for (const auto& [name, value] : options.env) env.set(name, value);  // not env[]: see harness/process.cpp

  child_ = std::make_unique<Child>();
  child_->process = bp::child(FIXTURE_BIN, bp::args(args), env, bp::std_in < bp::null, bp::std_out > child_->out,
                              bp::std_err > dir_->file("stderr"));

  // Read stdout until every expected "listening on" line is there.
  std::size_t wanted = options.tls ? 2 : 1;
  std::string printed;
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  auto fail = [&](const std::string& why) {
    stop();
    throw std::runtime_error("greenlight-fixture " + why + "; stdout: '" + printed + "'; stderr: '" +
                             stderr_text() + "'");
  };
  std::vector<std::string> urls;
  while (urls.size() < wanted) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) fail("printed no 'listening on' line within 10 s");
    pollfd pfd{child_->out.native_source(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long>(left.count(), 100)));
    if (ready > 0) {
      char buf[512];
      ssize_t n = ::read(pfd.fd, buf, sizeof buf);
      if (n <= 0) fail("closed its stdout before it was ready (exit code " + std::to_string(stop()) + ")");
      printed.append(buf, static_cast<std::size_t>(n));
    } else if (!child_->process.running()) {
      fail("exited before it was ready (exit code " + std::to_string(stop()) + ")");
    }
    urls.clear();
    std::istringstream lines(printed);
    for (std::string line; std::getline(lines, line);) {
      if (lines.eof()) break;  // a partial last line: wait for the rest
      if (line.rfind("listening on ", 0) == 0) urls.push_back(line.substr(13));
    }
  }
  for (const auto& u : urls) {
    if (u.rfind("https://", 0) == 0) tls_url_ = u;
    else url_ = u;
  }
  port_ = port_of(url_);
  if (!tls_url_.empty()) tls_port_ = port_of(tls_url_);
}

FixtureProcess::~FixtureProcess() {
  try {
    stop();
  } catch (...) {
  }
}

int FixtureProcess::pid() const { return child_ ? child_->process.id() : -1; }

int FixtureProcess::stop() {
  if (!child_ || exit_code_ >= 0) return exit_code_;
  bp::child& p = child_->process;
  if (p.running()) {
    ::kill(p.id(), SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
    while (p.running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    if (p.running()) p.terminate();
  }
  p.wait();
  int status = p.native_exit_code();
  exit_code_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return exit_code_;
}

std::string FixtureProcess::stderr_text() const {
  std::ifstream in(dir_->file("stderr"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void FixtureProcess::set_fault(const std::string& name, const std::string& value) {
  nlohmann::json body = {{"name", name}, {"value", value}};
  HttpReply r = http_request("POST", url_ + "/admin/faults", body.dump());
  if (r.status != 200)
    throw std::runtime_error("set_fault " + name + "=" + value + ": HTTP " + std::to_string(r.status) + " " + r.body +
                             r.error);
}

void FixtureProcess::clear_faults() {
  HttpReply r = http_request("DELETE", url_ + "/admin/faults");
  if (r.status != 200)
    throw std::runtime_error("clear_faults: HTTP " + std::to_string(r.status) + " " + r.body + r.error);
}

}  // namespace greenlight::test
