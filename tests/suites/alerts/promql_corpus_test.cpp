// Every `expr:` of every rule file in the shared corpus of real-world rules
// (awesome-prometheus-alerts, the monitoring mixins, kube-prometheus) must
// parse, and printing must be a fixed point of parsing.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "suites/alerts/promql/parser.h"
#include "suites/alerts/promql/printer.h"

using namespace greenlight::promql;
namespace fs = std::filesystem;

namespace {

struct CorpusExpr {
  std::string where;  // file, group and rule, for messages
  std::string expr;
};

std::vector<fs::path> rule_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<CorpusExpr> exprs_of(const fs::path& file) {
  std::vector<CorpusExpr> out;
  YAML::Node doc = YAML::LoadFile(file.string());
  if (!doc || doc.IsNull() || !doc["groups"]) return out;  // several mixins publish empty rule files
  for (const auto& group : doc["groups"]) {
    std::string group_name = group["name"] ? group["name"].as<std::string>() : "?";
    std::size_t index = 0;
    for (const auto& rule : group["rules"]) {
      ++index;
      std::string name = rule["alert"] ? rule["alert"].as<std::string>() : rule["record"] ? rule["record"].as<std::string>() : "?";
      out.push_back({file.string() + ": group \"" + group_name + "\", rule " + std::to_string(index) + " \"" + name + "\"",
                     rule["expr"].as<std::string>()});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every expression of the shared rule corpus parses", "[promql][corpus]") {
  const fs::path corpus = fs::path(SOURCE_DIR) / ".." / "shared" / "corpus" / "prometheus-rules";
  if (!fs::is_directory(corpus)) {
    WARN("skipped: the rule corpus " << corpus.string() << " is not there (it lives beside the project, in ../shared)");
    return;
  }
  std::vector<fs::path> files = rule_files(corpus);
  std::size_t expr_count = 0, failures = 0;
  for (const auto& file : files) {
    for (const auto& item : exprs_of(file)) {
      ++expr_count;
      ParseResult r = parse_promql(item.expr);
      if (!r.ok()) {
        ++failures;
        FAIL_CHECK(item.where << ": " << r.error().text() << "\n" << item.expr);
        continue;
      }
      std::string printed = print_promql(*r.expr);
      ParseResult again = parse_promql(printed);
      if (!again.ok() || print_promql(*again.expr) != printed) {
        ++failures;
        FAIL_CHECK(item.where << ": printing is not a fixed point: " << printed);
      }
    }
  }
  WARN("rule corpus: " << files.size() << " files, " << expr_count << " expressions");
  // The corpus holds some 330 files and 2,300 rules; far fewer means it was not read.
  CHECK(files.size() >= 300);
  CHECK(expr_count >= 2000);
  CHECK(failures == 0);
}
