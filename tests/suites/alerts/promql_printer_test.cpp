// Tests of the canonical printer: number and string formats, and agreement
// with a real Prometheus 2.42 (Debian's package), whose /api/v1/rules shows
// each loaded rule's expression as its own printer writes it; the live checks
// compare rule files with that text.
#include "suites/alerts/promql/printer.h"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <map>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "suites/alerts/promql/parser.h"
#include "tests/support/http_get.h"
#include "tests/support/ports.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::promql;
using greenlight::test::TempDir;
namespace fs = std::filesystem;

namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && fs::exists(fs::path(dir) / program)) return true;
  return false;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A Prometheus server on loopback with one rule file, stopped (SIGTERM, then
// SIGKILL) when the object goes away.
class PrometheusServer {
 public:
  PrometheusServer(const TempDir& dir, const std::string& rule_file) : port_(greenlight::test::free_port()) {
    std::string config = dir.file("prometheus.yml");
    std::ofstream(config) << "global:\n  evaluation_interval: 1h\nrule_files:\n  - " << rule_file << "\n";
    log_ = dir.file("prometheus.log");
    std::vector<std::string> args = {"prometheus", "--config.file=" + config,
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                     "--storage.tsdb.path=" + dir.file("data")};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execvp("prometheus", argv.data());
      _exit(127);
    }
    REQUIRE(pid_ > 0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL("prometheus exited during start-up:\n" << slurp(log_));
      }
      if (greenlight::test::http_get(url("/-/ready")).status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("prometheus was not ready within 30 s:\n" << slurp(log_));
  }
  ~PrometheusServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  const std::string& log() const { return log_; }

 private:
  unsigned short port_;
  pid_t pid_ = -1;
  std::string log_;
};

// Expressions whose printing has something to get right.
const std::vector<std::string> kPrintingCases = {
    "up",
    "up{job=\"api\",code!=\"200\",path=~\"/v1.*\",method!~\"GET|HEAD\"}",
    "{__name__=\"up\", job=\"x\"}",
    "up{}",
    "x[90m]",
    "x[14d] offset 1w",
    "x[1y] offset 500ms",
    "x offset -5m",
    "x @ 1609746000",
    "x offset 5m @ -100.5",
    "x[5m] @ end() offset 1m",
    "rate(x[5m])[30m:1m]",
    "max_over_time(x[1h:])",
    "x[5m:] offset 1m @ 10",
    "sum(x) by (job, instance)",
    "sum by () (x)",
    "SUM WITHOUT (pod) (x)",
    "topk(5, x)",
    "count_values(\"version\", build_info)",
    "quantile(0.9, x)",
    "1e9 + 1e-5 + 123456 + 1234567 + 0.0001 + 0x1F + 010",
    "Inf - -Inf + NaN",
    "-(1) - - 1 + -x ^ 2",
    "a * on(job) group_left(team) b",
    "a * on(job) group_right b",
    "a / ignoring (pod) b",
    "a > bool on () b",
    "a and b or c unless d",
    "\"a\\\"b\\n\\u00e9\\x01\"",
    "label_join(x, 'single', '', `raw\\d`)",
    "label_replace(x, \"dst\", \"$1\", \"src\", \"(.*)\")",
    "sum # a comment\n(x)",
    "x{a=~\"\\\\d+\\\\.\"}",
    "+x - +1",
    "-x offset 5m @ start()",
    "sum without () (x)",
    "count_values without (a) (\"v\", x)",
    "bottomk by (a) (2, x) and topk(1, x)",
    "histogram_quantile(0.9, x) atan2 vector(time())",
    "1 == bool 2",
};

}  // namespace

TEST_CASE("printer formats numbers like Prometheus 2.x", "[promql][printer]") {
  CHECK(format_number(1) == "1");
  CHECK(format_number(0.5) == "0.5");
  CHECK(format_number(123456) == "123456");
  CHECK(format_number(1234567) == "1.234567e+06");
  CHECK(format_number(1e9) == "1e+09");
  CHECK(format_number(0.0001) == "0.0001");
  CHECK(format_number(0.00001) == "1e-05");
  CHECK(format_number(-2.5) == "-2.5");
  CHECK(format_number(1e100) == "1e+100");
  CHECK(format_number(HUGE_VAL) == "+Inf");
  CHECK(format_number(-HUGE_VAL) == "-Inf");
  CHECK(format_number(std::nan("")) == "NaN");
}

TEST_CASE("printer output is what Prometheus itself prints for loaded rules", "[promql][printer]") {
  if (!on_path("prometheus")) {
    WARN("skipped: prometheus is not on PATH (Debian's prometheus package provides it)");
    return;
  }
  std::vector<std::string> exprs = kPrintingCases;
  // The real-world corpus, when it is there, adds some 2,300 expressions.
  const fs::path corpus = fs::path(SOURCE_DIR) / ".." / "shared" / "corpus" / "prometheus-rules";
  if (fs::is_directory(corpus)) {
    for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
      auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".yml" && ext != ".yaml")) continue;
      YAML::Node doc = YAML::LoadFile(entry.path().string());
      if (!doc || !doc["groups"]) continue;
      for (const auto& group : doc["groups"])
        for (const auto& rule : group["rules"]) exprs.push_back(rule["expr"].as<std::string>());
    }
  }

  TempDir dir("greenlight-promql");
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
      << "name" << YAML::Value << "g" << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (std::size_t i = 0; i < exprs.size(); ++i)
    out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << "r_" + std::to_string(i) << YAML::Key << "expr"
        << YAML::Value << YAML::DoubleQuoted << exprs[i] << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  std::string rule_file = dir.file("rules.yml");
  std::ofstream(rule_file) << out.c_str() << "\n";

  PrometheusServer prom(dir, rule_file);
  auto reply = greenlight::test::http_get(prom.url("/api/v1/rules"));
  REQUIRE(reply.status == 200);
  auto body = nlohmann::json::parse(reply.body);
  std::map<std::string, std::string> loaded;
  for (const auto& group : body["data"]["groups"])
    for (const auto& rule : group["rules"]) loaded[rule["name"].get<std::string>()] = rule["query"].get<std::string>();
  REQUIRE(loaded.size() == exprs.size());

  std::size_t differ = 0;
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    std::string printed = print_promql(*parse_promql_or_throw(exprs[i]));
    const std::string& theirs = loaded["r_" + std::to_string(i)];
    if (printed != theirs) {
      ++differ;
      FAIL_CHECK("expression: " << exprs[i] << "\nours:       " << printed << "\nprometheus: " << theirs);
    }
  }
  WARN("compared " << exprs.size() << " printed expressions with Prometheus' own");
  CHECK(differ == 0);
}
