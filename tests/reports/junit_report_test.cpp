// JUnit XML: well-formed whatever the target sent, with the counts, attributes
// and elements that Jenkins, GitLab and GitHub reporters read.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "reports/escape.h"
#include "reports/reports.h"
#include "sample_load_run.h"
#include "sample_run.h"

using namespace greenlight;
using namespace greenlight::test;
using nlohmann::json;

namespace {

// Python's ElementTree is a strict XML 1.0 parser: it rejects control
// characters, bad UTF-8 and broken markup. It dumps the tree as JSON so the
// assertions below run on what a parser sees, not on our own string.
const char* kTreeDumper = R"PY(
import json, sys, xml.etree.ElementTree as E
def el(e):
    return {"tag": e.tag, "attrib": dict(e.attrib), "text": e.text or "", "children": [el(c) for c in e]}
print(json.dumps(el(E.parse(sys.argv[1]).getroot())))
)PY";

// The parsed tree, or null (with a warning) when python3 is missing.
json parse_with_python(const ReportDir& dir, const std::string& xml) {
  if (!have_program("python3")) {
    WARN("python3 not found: skipping the parsed-structure checks of the JUnit XML");
    return nullptr;
  }
  write_file(dir.path / "report.xml", xml);
  write_file(dir.path / "dump.py", kTreeDumper);
  ShellResult r = run_command("python3 '" + (dir.path / "dump.py").string() + "' '" + (dir.path / "report.xml").string() + "'");
  INFO(xml);
  REQUIRE(r.status == 0);
  return json::parse(r.output);
}

std::vector<json> children(const json& e, const std::string& tag) {
  std::vector<json> out;
  for (const json& c : e["children"])
    if (c["tag"] == tag) out.push_back(c);
  return out;
}

// By value: callers chain it on temporaries.
json child(const json& e, const std::string& tag) {
  for (const json& c : e["children"])
    if (c["tag"] == tag) return c;
  FAIL("no <" << tag << "> in <" << e["tag"].get<std::string>() << ">");
  return nullptr;  // unreachable: FAIL throws
}

bool has_child(const json& e, const std::string& tag) { return !children(e, tag).empty(); }

}  // namespace

TEST_CASE("JUnit XML is well-formed XML 1.0 even with hostile evidence") {
  std::string xml = junit_xml(sample_run());
  // Independent of any parser: the bytes are valid UTF-8 with only legal characters.
  CHECK(clean_text(xml) == xml);
  CHECK(xml.find("<script>") == std::string::npos);
  CHECK(xml.find("]]>") == std::string::npos);
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) == 0);

  ReportDir dir;
  if (have_program("xmllint")) {
    write_file(dir.path / "lint.xml", xml);
    INFO(xml);
    CHECK(run_command("xmllint --noout '" + (dir.path / "lint.xml").string() + "' 2>&1").status == 0);
  }
  parse_with_python(dir, xml);  // REQUIREs a successful parse when python3 exists
}

TEST_CASE("JUnit <testsuites> and <testsuite> carry the counts CI reporters read") {
  ReportDir dir;
  json root = parse_with_python(dir, junit_xml(sample_run()));
  if (root.is_null()) return;
  CHECK(root["tag"] == "testsuites");
  json a = root["attrib"];
  CHECK(a["name"] == "greenlight");
  CHECK(a["tests"] == "6");
  CHECK(a["failures"] == "1");
  CHECK(a["errors"] == "1");
  CHECK(a["skipped"] == "1");
  CHECK(a["time"] == "3.250");
  CHECK(a["timestamp"] == "2026-11-21T23:14:58Z");

  auto suites = children(root, "testsuite");
  REQUIRE(suites.size() == 2);
  json smoke = suites[0]["attrib"];
  CHECK(smoke["name"] == "smoke");
  CHECK(smoke["tests"] == "4");
  CHECK(smoke["failures"] == "1");
  CHECK(smoke["errors"] == "0");
  CHECK(smoke["skipped"] == "1");
  CHECK(smoke["time"] == "1.500");
  CHECK(smoke["timestamp"] == "2026-11-21T23:14:58Z");
  CHECK_FALSE(smoke["hostname"].get<std::string>().empty());
  json db = suites[1]["attrib"];
  CHECK(db["name"] == "database");
  CHECK(db["tests"] == "2");
  CHECK(db["errors"] == "1");
  CHECK(db["failures"] == "0");

  // Run-level facts travel with each suite.
  bool saw_target = false;
  json run_props = child(suites[0], "properties");
  for (const json& p : run_props["children"])
    if (p["attrib"]["name"] == "greenlight.target") {
      saw_target = true;
      CHECK(p["attrib"]["value"] == "https://shop.example.com/?q=<b>&x='y'");
    }
  CHECK(saw_target);
}

TEST_CASE("JUnit <testcase> per check with failure, error, skipped, properties and system-out") {
  ReportDir dir;
  json root = parse_with_python(dir, junit_xml(sample_run()));
  if (root.is_null()) return;
  auto suites = children(root, "testsuite");
  REQUIRE(suites.size() == 2);
  auto cases = children(suites[0], "testcase");
  REQUIRE(cases.size() == 4);

  SECTION("passed: figures as properties, evidence in system-out, no failure") {
    const json& c = cases[0];
    CHECK(c["attrib"]["name"] == "health endpoint answers");
    CHECK(c["attrib"]["classname"] == "greenlight.smoke");
    CHECK(c["attrib"]["time"] == "0.013");
    auto props = child(c, "properties")["children"];
    REQUIRE(props.size() == 2);
    CHECK(props[0]["attrib"]["name"] == "latency");
    CHECK(props[0]["attrib"]["value"] == "12.5 ms");
    CHECK(props[1]["attrib"]["value"] == "41 bytes");
    CHECK_FALSE(has_child(c, "failure"));
    CHECK_FALSE(has_child(c, "error"));
    CHECK_FALSE(has_child(c, "skipped"));
    CHECK(child(c, "system-out")["text"].get<std::string>().find("GET /health") != std::string::npos);
  }
  SECTION("failed: message attribute and the evidence as text, escaped but intact") {
    const json& c = cases[1];
    CHECK(c["attrib"]["name"] == "login returns 200 \"quoted\" 'name' <b>");
    const json& f = child(c, "failure");
    CHECK(f["attrib"]["message"] == kFailMessage);
    std::string text = f["text"];
    CHECK(text.rfind(kFailMessage, 0) == 0);
    CHECK(text.find("<script>alert(1)</script>") != std::string::npos);  // the parser gives the original text back
    CHECK(text.find("]]> & \"quoted\" 'single'") != std::string::npos);
    CHECK(text.find("HTTP/1.1 500 Internal Server Error\r\n") != std::string::npos);  // CR survives
    CHECK(text.find("ctl:\xe2\x90\x81\xe2\x90\x82\xe2\x90\x9b[31m\xe2\x90\x80" "end") != std::string::npos);
    CHECK(text.find("ok: caf\xc3\xa9 \xe2\x9c\x93") != std::string::npos);
    CHECK(text.find("--- request ---\nPOST /login") != std::string::npos);
    CHECK(child(c, "system-out")["text"].get<std::string>().find("<script>alert(1)</script>") != std::string::npos);
    CHECK(child(c, "properties")["children"][0]["attrib"]["value"] == "230.25 ms");
  }
  SECTION("skipped: the reason as message") {
    const json& c = cases[2];
    CHECK(child(c, "skipped")["attrib"]["message"] == "skipped: the target is plain http, no certificate to check");
    CHECK_FALSE(has_child(c, "failure"));
    CHECK_FALSE(has_child(c, "system-out"));  // nothing to show
  }
  SECTION("error: an <error> element, not a failure") {
    auto db_cases = children(suites[1], "testcase");
    REQUIRE(db_cases.size() == 2);
    const json& e = child(db_cases[0], "error");
    CHECK(e["attrib"]["message"] == "suite stopped: connection refused (127.0.0.1:5432)");
    CHECK(e["text"].get<std::string>().find("SELECT version FROM schema_migrations;\xe2\x90\x87") != std::string::npos);
    CHECK_FALSE(has_child(db_cases[0], "failure"));
    CHECK(db_cases[1]["attrib"]["classname"] == "greenlight.database");
    CHECK(child(db_cases[1], "properties")["children"][1]["attrib"]["value"] == "NaN ms");
  }
}

TEST_CASE("JUnit message attributes keep their line breaks") {
  RunResult run = sample_run();
  run.suites[0].checks[1].message = "line one\nline two";
  ReportDir dir;
  json root = parse_with_python(dir, junit_xml(run));
  if (root.is_null()) return;
  json f = child(children(children(root, "testsuite")[0], "testcase")[1], "failure");
  CHECK(f["attrib"]["message"] == "line one\nline two");
}

TEST_CASE("JUnit XML of a run without suites is an empty, valid <testsuites>") {
  RunResult run;
  run.tool_version = "0.1.0";
  run.started_at = "2026-11-21T23:14:58Z";
  ReportDir dir;
  json root = parse_with_python(dir, junit_xml(run));
  if (root.is_null()) return;
  CHECK(root["attrib"]["tests"] == "0");
  CHECK(root["children"].empty());
}

TEST_CASE("JUnit XML ignores series: CI reporters have nowhere to draw them") {
  RunResult with = sample_load_run();
  RunResult without = with;
  for (Check& k : without.suites[0].checks) k.series.clear();
  CHECK(junit_xml(with) == junit_xml(without));
}
