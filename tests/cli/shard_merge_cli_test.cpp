// Distributed load on one machine: three `greenlight load --shard i/3`
// processes against a loopback nginx at the same time, merged by
// `greenlight report merge`: the total is the test's, thresholds are judged
// on the merged result (one that only the whole passes, one that fails),
// and a missing or duplicated shard is a usage error naming it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <future>

#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/nginx_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::test;

namespace {

constexpr int kRate = 150;  // the whole test: 3 shards of 50 req/s for 2 s
const char* kNginx = R"(location / { return 200 "ok\n"; })";

std::vector<std::string> shard_args(const std::string& url, int i, const TempDir& dir) {
  std::string n = std::to_string(i);
  return {"load", url, "--rate", std::to_string(kRate), "--duration", "2s", "--shard", n + "/3", "--threads", "1",
          "--connections", "4",
          // rps>=100 holds only for the whole test (each shard sends 50/s);
          // requests>=400 fails: the test plans 300.
          "--threshold", "p(99)<1s", "--threshold", "rps>=100", "--threshold", "requests>=400",
          "--json", dir.file("shard-" + n + ".json")};
}

}  // namespace

TEST_CASE("report merge: three shards in parallel add up to the test and thresholds judge the whole", "[cli][shard]") {
  NginxServer nginx(kNginx);
  TempDir dir;
  std::vector<std::future<CommandResult>> runs;
  for (int i = 1; i <= 3; ++i)
    runs.push_back(std::async(std::launch::async, [&, i] {
      return run_greenlight(shard_args(nginx.url() + "/", i, dir), {}, nullptr, std::chrono::seconds(30));
    }));
  int64_t shard_requests = 0;
  for (int i = 1; i <= 3; ++i) {
    CommandResult r = runs[size_t(i - 1)].get();
    INFO("shard " << i << ": " << r.out << r.err);
    CHECK(r.exit_code == 0);  // a shard records thresholds; it does not judge them on its part
    CHECK_THAT(r.out, Catch::Contains("3 threshold(s) recorded for greenlight report merge"));
    CHECK(std::filesystem::exists(dir.file("shard-" + std::to_string(i) + ".hlog")));  // defaulted beside the JSON
    auto j = nlohmann::json::parse(read_file(dir.file("shard-" + std::to_string(i) + ".json")));
    CHECK(j["shard"]["index"] == i);
    CHECK(j["shard"]["planned_requests"] == 100);
    CHECK(j["shard"]["test"]["rate"] == kRate);
    shard_requests += j["requests"].get<int64_t>();
  }

  CommandResult m = run_greenlight({"report", "merge", dir.path(), "--out", dir.file("report"), "--json", dir.file("merged.json"),
                                    "--junit", dir.file("merged.xml"), "--html", dir.file("merged.html")});
  INFO(m.out << m.err);
  CHECK(m.exit_code == 1);
  CHECK_THAT(m.out, Catch::Contains("merged 3 shards") && Catch::Contains("the test planned 300 requests"));
  CHECK_THAT(m.out, Catch::Contains("requests>=400") && Catch::Contains("FAIL"));
  auto j = nlohmann::json::parse(read_file(dir.file("merged.json")));
  int64_t total = j["requests"].get<int64_t>();
  CHECK(total == shard_requests);
  CHECK(total >= 285);  // rate x duration = 300, all due within 2 s; allow a few errors on a busy machine
  CHECK(total <= 300);
  CHECK(j["merged_from"]["shards"] == 3);
  std::map<std::string, bool> verdicts;
  for (const auto& t : j["thresholds"]) verdicts[t["threshold"]] = t["passed"];
  CHECK(verdicts["p(99)<1s"] == true);
  CHECK(verdicts["rps>=100"] == true);  // 150/s merged; no shard alone reaches it
  CHECK(verdicts["requests>=400"] == false);
  std::string junit = read_file(dir.file("merged.xml"));
  CHECK_THAT(junit, Catch::Contains("load: requests&gt;=400") && Catch::Contains("<failure"));
  CHECK_THAT(read_file(dir.file("merged.html")), Catch::Contains("requests&gt;=400"));
  for (const char* f : {"greenlight.html", "greenlight.junit.xml", "greenlight.json", "load-summary.json"})
    CHECK(std::filesystem::exists(dir.file(std::string("report/") + f)));
  // The merged report is not itself taken for a shard on the next merge.
  CHECK(run_greenlight({"report", "merge", dir.path()}).exit_code == 1);

  {  // a missing shard is a usage error naming it
    CommandResult r = run_greenlight({"report", "merge", dir.file("shard-1.json"), dir.file("shard-3.json")});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("shard 2/3 is missing"));
  }
  {  // a shard given twice is a usage error naming both files
    CommandResult r = run_greenlight({"report", "merge", dir.path(), dir.file("shard-2.json")});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("shard 2/3 was found twice"));
  }
}

TEST_CASE("report merge: thresholds that hold on the merged result exit 0", "[cli][shard]") {
  NginxServer nginx(kNginx);
  TempDir dir;
  std::vector<std::future<CommandResult>> runs;
  for (int i = 1; i <= 2; ++i)
    runs.push_back(std::async(std::launch::async, [&, i] {
      std::string n = std::to_string(i);
      return run_greenlight({"load", nginx.url() + "/", "--rate", "40", "--duration", "1s", "--shard", n + "/2", "--threads",
                             "1", "--threshold", "error_rate<1%", "--json", dir.file("s" + n + ".json"), "--hdr-log",
                             dir.file("s" + n + ".hdr")});
    }));
  for (auto& r : runs) CHECK(r.get().exit_code == 0);
  CommandResult m = run_greenlight({"report", "merge", dir.path()});
  INFO(m.out << m.err);
  CHECK(m.exit_code == 0);
  CHECK_THAT(m.out, Catch::Contains("PASSED") && Catch::Contains("the test planned 40 requests"));
}

TEST_CASE("load --shard: closed model, missing --json and bad ids are usage errors", "[cli][shard]") {
  CommandResult closed = run_greenlight({"load", "http://127.0.0.1:1/", "--shard", "1/3", "--json", "/tmp/x.json"});
  CHECK(closed.exit_code == 2);
  CHECK_THAT(closed.err, Catch::Contains("closed-model test (no --rate) cannot be sharded"));
  CommandResult no_json = run_greenlight({"load", "http://127.0.0.1:1/", "--rate", "10", "--shard", "1/3"});
  CHECK(no_json.exit_code == 2);
  CHECK_THAT(no_json.err, Catch::Contains("--shard needs --json"));
  CommandResult bad = run_greenlight({"load", "http://127.0.0.1:1/", "--rate", "10", "--shard", "4/3", "--json", "/tmp/x.json"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--shard: shard '4/3'"));
  CHECK(run_greenlight({"report"}).exit_code == 2);
  CHECK(run_greenlight({"report", "merge"}).exit_code == 2);
  CHECK(run_greenlight({"report", "merge", "--help"}).exit_code == 0);
}
