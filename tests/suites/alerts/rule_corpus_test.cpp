// Agreement with `promtool check rules` (Prometheus 2.42, Debian's package):
// on every file of the shared corpus of real-world rules greenlight reports no
// error, as promtool does; on the project's own invalid fixtures (one per
// error kind) and valid ones, greenlight reports an error exactly when
// promtool exits non-zero.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "suites/alerts/rule_file.h"
#include "suites/alerts/rule_lint.h"
#include "tests/support/run_tool.h"

using greenlight::load_rule_file;
using greenlight::RuleFile;
using greenlight::test::run_tool;
namespace fs = std::filesystem;

namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && fs::exists(fs::path(dir) / program)) return true;
  return false;
}

std::vector<std::string> rule_files(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string errors_of(const RuleFile& rf) {
  std::string out;
  for (const auto& f : rf.findings)
    if (f.error) out += greenlight::format_rule_finding(f) + "\n";
  return out;
}

// `promtool check rules --lint=none f1 f2 ...` prints "Checking F" and then
// "  SUCCESS: N rules found" for each file it accepts (failures go to stderr).
std::map<std::string, bool> promtool_verdicts(const std::vector<std::string>& files, int* exit_code) {
  std::vector<std::string> args = {"check", "rules", "--lint=none"};
  args.insert(args.end(), files.begin(), files.end());
  greenlight::test::ToolResult r = run_tool("promtool", args);
  *exit_code = r.exit_code;
  std::map<std::string, bool> verdicts;
  std::stringstream out(r.out);
  std::string current;
  for (std::string line; std::getline(out, line);) {
    if (line.rfind("Checking ", 0) == 0) {
      current = line.substr(9);
      verdicts[current] = false;
    } else if (!current.empty() && line.rfind("  SUCCESS", 0) == 0) {
      verdicts[current] = true;
    }
  }
  return verdicts;
}

}  // namespace

TEST_CASE("greenlight reports no error on any file of the rule corpus promtool accepts", "[rulecorpus]") {
  const fs::path corpus = fs::path(SOURCE_DIR) / ".." / "shared" / "corpus" / "prometheus-rules";
  if (!fs::is_directory(corpus)) {
    WARN("skipped: the rule corpus " << corpus.string() << " is not there (it lives beside the project, in ../shared)");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> files = rule_files(corpus);
  std::size_t rules = 0, alerts = 0, with_errors = 0;
  for (const auto& file : files) {
    RuleFile rf = load_rule_file(file);
    for (const auto& g : rf.groups) {
      rules += g.rules.size();
      for (const auto& r : g.rules) alerts += !r.alert.empty();
    }
    if (!rf.ok()) {
      ++with_errors;
      FAIL_CHECK(errors_of(rf));
    }
  }
  const double greenlight_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Some 330 files and 2,300 rules; far fewer means the corpus was not read.
  CHECK(files.size() >= 300);
  CHECK(rules >= 2000);
  CHECK(alerts >= 1500);
  CHECK(with_errors == 0);

  if (!on_path("promtool")) {
    WARN("promtool is not on PATH (Debian package prometheus): greenlight's verdicts were not compared with it");
    return;
  }
  const auto pstart = std::chrono::steady_clock::now();
  int exit_code = -1;
  std::map<std::string, bool> verdicts = promtool_verdicts(files, &exit_code);
  const double promtool_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - pstart).count();
  CHECK(exit_code == 0);
  CHECK(verdicts.size() == files.size());
  for (const auto& file : files) {
    INFO(file);
    CHECK(verdicts.count(file) == 1);
    CHECK(verdicts[file]);
  }
  WARN("rule corpus: " << files.size() << " files, " << rules << " rules (" << alerts << " alerts); greenlight "
                       << greenlight_s << " s, promtool " << promtool_s << " s");
}

TEST_CASE("greenlight reports an error on a fixture exactly when promtool exits non-zero", "[rulecorpus]") {
  const fs::path dir = fs::path(SOURCE_DIR) / "fixtures" / "rules";
  std::vector<std::string> invalid = rule_files(dir / "invalid");
  std::vector<std::string> valid = rule_files(dir / "valid");
  CHECK(invalid.size() >= 30);
  CHECK(valid.size() >= 5);

  // Each on its own first, so the fixtures keep their meaning without promtool.
  for (const auto& file : invalid) {
    RuleFile rf = load_rule_file(file);
    INFO(file);
    CHECK_FALSE(rf.ok());
  }
  for (const auto& file : valid) {
    RuleFile rf = load_rule_file(file);
    INFO(file << "\n" << errors_of(rf));
    CHECK(rf.ok());
  }

  if (!on_path("promtool")) {
    WARN("skipped the comparison: promtool is not on PATH (Debian package prometheus)");
    return;
  }
  std::vector<std::string> all = invalid;
  all.insert(all.end(), valid.begin(), valid.end());
  int disagreements = 0;
  for (const auto& file : all) {
    greenlight::test::ToolResult r = run_tool("promtool", {"check", "rules", file});
    RuleFile rf = load_rule_file(file);
    INFO(file << "\npromtool exit " << r.exit_code << ":\n" << r.err << "greenlight:\n" << errors_of(rf));
    bool promtool_refuses = r.exit_code != 0;
    CHECK(promtool_refuses == !rf.ok());
    disagreements += promtool_refuses != !rf.ok();
  }
  CHECK(disagreements == 0);
  WARN("fixtures: " << invalid.size() << " invalid and " << valid.size() << " valid rule files, "
                    << all.size() - disagreements << " verdicts agree with promtool");
}
