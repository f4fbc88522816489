// docs/alerts.md against the code: its lint table lists every lint id with
// the description `greenlight` has for it, and no id the lint does not know.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "suites/alerts/rule_lint.h"

using namespace greenlight;

namespace {

std::string doc() {
  std::ifstream in(SOURCE_DIR "/docs/alerts.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("docs/alerts.md lists every lint id with its description", "[alerts][lint][docs]") {
  std::string text = doc();
  REQUIRE(!text.empty());
  for (const auto& [id, description] : lint_rule_ids()) {
    INFO(id);
    CHECK_THAT(text, Catch::Contains("| `" + id + "` | " + description + " |"));
  }
}

TEST_CASE("docs/alerts.md lists no lint id the lint does not know", "[alerts][lint][docs]") {
  std::string text = doc();
  size_t start = text.find("## Lint warnings");
  REQUIRE(start != std::string::npos);
  size_t end = text.find("\n## ", start + 1);
  std::string section = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  static const std::regex row(R"(\n\| `([a-z0-9-]+)` \|)");
  int rows = 0;
  for (std::sregex_iterator it(section.begin(), section.end(), row), last; it != last; ++it) {
    ++rows;
    INFO((*it)[1].str());
    CHECK(lint_rule_ids().count((*it)[1].str()) == 1);
  }
  CHECK(rows == static_cast<int>(lint_rule_ids().size()));
}
