// The report writers. Each reads only the result model; none is written by a suite.
//  - JUnit XML for CI test reporters (Jenkins, GitLab, GitHub): one testsuite per
//    suite, one testcase per check, figures as properties.
//  - JSON: the whole result, schema documented in docs/report-json.md.
//  - HTML: one self-contained file (inline CSS and SVG, no external fetch),
//    everything from the target escaped.
#pragma once

#include <filesystem>
#include <string>

#include "harness/result.h"

namespace greenlight {

std::string junit_xml(const RunResult& run);
std::string json_report(const RunResult& run);
std::string html_report(const RunResult& run);

struct ReportPaths {
  std::filesystem::path junit, json, html;
};

// Writes greenlight.junit.xml, greenlight.json and greenlight.html into `dir`
// (created if missing). Throws std::runtime_error naming the path on failure.
ReportPaths write_reports(const RunResult& run, const std::filesystem::path& dir);

}  // namespace greenlight
