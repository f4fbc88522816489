// JUnit XML for CI test reporters (Jenkins, GitLab, GitHub): one <testsuite> per
// suite, one <testcase> per check. Failure text carries the evidence so a CI page
// shows why a check failed without opening the HTML report.
#include <string>

#include <unistd.h>

#include "reports/escape.h"
#include "reports/report_format.h"
#include "reports/reports.h"

namespace greenlight {

namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + xml_attr(value) + "\"";
}

std::string count_attrs(const Counts& c) {
  return attr("tests", std::to_string(c.total())) + attr("failures", std::to_string(c.failed)) +
         attr("errors", std::to_string(c.error)) + attr("skipped", std::to_string(c.skipped));
}

// Every evidence item under its label, in one text block.
std::string evidence_block(const Check& k) {
  std::string out;
  for (const Evidence& e : k.evidence) {
    if (!out.empty()) out += "\n";
    out += "--- " + e.label + " ---\n" + e.text;
    if (!e.text.empty() && e.text.back() != '\n') out += "\n";
  }
  return out;
}

// What a CI page shows for a failure: the message, then the evidence.
std::string failure_body(const Check& k) {
  std::string ev = evidence_block(k);
  if (ev.empty()) return k.message;
  return k.message + "\n\n" + ev;
}

std::string property(const std::string& name, const std::string& value) {
  return "<property" + attr("name", name) + attr("value", value) + "/>";
}

void append_testcase(std::string& out, const SuiteResult& s, const Check& k) {
  out += "    <testcase" + attr("name", k.name) + attr("classname", "greenlight." + s.name) +
         attr("time", junit_seconds(k.duration_s)) + ">\n";
  if (!k.figures.empty()) {
    out += "      <properties>\n";
    for (const Figure& f : k.figures) out += "        " + property(f.name, format_figure(f)) + "\n";
    out += "      </properties>\n";
  }
  switch (k.outcome) {
    case Outcome::passed: break;
    case Outcome::failed:
      out += "      <failure" + attr("message", k.message) + attr("type", "failed") + ">" + xml_text(failure_body(k)) +
             "</failure>\n";
      break;
    case Outcome::error:
      out += "      <error" + attr("message", k.message) + attr("type", "error") + ">" + xml_text(failure_body(k)) +
             "</error>\n";
      break;
    case Outcome::skipped: out += "      <skipped" + attr("message", k.message) + "/>\n"; break;
  }
  std::string ev = evidence_block(k);
  if (!ev.empty()) out += "      <system-out>" + xml_text(ev) + "</system-out>\n";
  out += "    </testcase>\n";
}

// Run-level facts repeated per suite: JUnit has no place for them at the top,
// and a CI page showing one suite should still say which deployment was judged.
void append_run_properties(std::string& out, const RunResult& run) {
  out += "    <properties>\n";
  out += "      " + property("greenlight.version", run.tool_version) + "\n";
  out += "      " + property("greenlight.plan", run.plan_file) + "\n";
  out += "      " + property("greenlight.target", run.target) + "\n";
  out += "      " + property("greenlight.verdict", verdict(run)) + "\n";
  out += "      " + property("greenlight.interrupted", run.interrupted ? "true" : "false") + "\n";
  out += "    </properties>\n";
}

void append_testsuite(std::string& out, const RunResult& run, const SuiteResult& s, const std::string& host) {
  out += "  <testsuite" + attr("name", s.name) + count_attrs(count(s)) + attr("time", junit_seconds(s.duration_s)) +
         attr("timestamp", run.started_at) + attr("hostname", host) + ">\n";
  append_run_properties(out, run);
  for (const Check& k : s.checks) append_testcase(out, s, k);
  out += "  </testsuite>\n";
}

}  // namespace

std::string junit_xml(const RunResult& run) {
  std::string host = host_name();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attr("name", "greenlight") + count_attrs(count(run)) +
         attr("time", junit_seconds(run.duration_s)) + attr("timestamp", run.started_at) + ">\n";
  for (const SuiteResult& s : run.suites) append_testsuite(out, run, s, host);
  out += "</testsuites>\n";
  return out;
}

}  // namespace greenlight
