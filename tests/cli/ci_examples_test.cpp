// ci/examples/*.yml against the real greenlight: every file is valid YAML of
// the CI's shape (GitHub: on, jobs, runs-on, steps; GitLab: every job has a
// script), does the jobs issue 7 asks for (gate, nightly, monthly drill, JUnit
// published, reports and history kept), and every greenlight command line in
// it (run: blocks, script: lists, continued lines) names a subcommand that
// exists and only options that its `--help` lists. A problem is reported as
// file:line with the command.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "tests/support/command.h"

using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

// A piece of shell from the file: a `run:` value or a `script:` item, and the
// file line its first line of text is on.
struct Script {
  std::string text;
  int line = 0;
  bool one_line_per_line = true;  // false for folded (>) scalars: lines were joined
};

struct Invocation {
  int line = 0;
  std::vector<std::string> words;  // after `greenlight`
  std::string text;                // the logical shell line, for messages
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Where the scalar's text starts in the file: block scalars (| and >) begin
// on the line after their indicator, other scalars where their mark is.
Script script_of(const YAML::Node& node, const std::vector<std::string>& file_lines) {
  Script s;
  s.text = node.as<std::string>();
  YAML::Mark m = node.Mark();
  s.line = m.line + 1;
  if (m.line >= 0 && m.line < static_cast<int>(file_lines.size()) && m.column >= 0 &&
      m.column < static_cast<int>(file_lines[m.line].size())) {
    char indicator = file_lines[m.line][m.column];
    if (indicator == '|' || indicator == '>') s.line = m.line + 2;
    s.one_line_per_line = indicator != '>';
  }
  return s;
}

bool is_operator_char(char c) { return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`' || c == '<' || c == '>'; }

// Shell words and operators of one logical line. Quotes and GitHub's ${{ }}
// expressions stay inside their word; a '#' starting a word ends the line.
std::vector<std::string> tokenize(const std::string& line) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  auto flush = [&] {
    if (in_word) out.push_back(word);
    word.clear();
    in_word = false;
  };
  for (size_t i = 0; i < line.size();) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      flush();
      ++i;
    } else if (c == '#' && !in_word) {
      break;
    } else if (line.compare(i, 3, "${{") == 0) {
      size_t end = line.find("}}", i);
      end = end == std::string::npos ? line.size() : end + 2;
      word += line.substr(i, end - i), in_word = true, i = end;
    } else if (c == '\'' || c == '"') {
      size_t end = i + 1;
      while (end < line.size() && line[end] != c) end += (c == '"' && line[end] == '\\') ? 2 : 1;
      word += line.substr(i, end + 1 - i), in_word = true, i = end + 1;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line.substr(i, 2), in_word = true, i += 2;
    } else if (c == '$' && i + 1 < line.size() && line[i + 1] == '(') {
      flush();
      out.push_back("$(");
      i += 2;
    } else if (is_operator_char(c)) {
      // 2>&1, >>, &&, ||: one operator token; a redirection's digit goes with it.
      if (in_word && (c == '>' || c == '<') && std::all_of(word.begin(), word.end(), ::isdigit)) word.clear(), in_word = false;
      flush();
      size_t end = i + 1;
      while (end < line.size() && is_operator_char(line[end]) && line[end] != '(' && line[end] != ')') ++end;
      if ((c == '>' || c == '<') && end < line.size() && line[end] == '&') ++end;
      out.push_back(line.substr(i, end - i));
      i = end;
    } else {
      word += c, in_word = true, ++i;
    }
  }
  flush();
  return out;
}

bool is_operator(const std::string& t) { return !t.empty() && (is_operator_char(t[0]) || t == "$("); }
bool is_redirection(const std::string& t) { return t[0] == '>' || t[0] == '<'; }

// The greenlight invocations of one logical line: each simple command whose
// command word (after assignments and wrappers such as env, exec, time) is
// greenlight or a path ending in /greenlight.
std::vector<std::vector<std::string>> greenlight_commands(const std::string& line) {
  static const std::regex assignment(R"(^[A-Za-z_][A-Za-z0-9_]*=.*)");
  static const std::set<std::string> skip = {"if", "then", "else", "elif", "do", "while", "until", "!", "{",
                                             "time", "exec", "command", "env", "sudo", "nice"};
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> tokens = tokenize(line);
  for (size_t i = 0; i < tokens.size();) {
    std::vector<std::string> cmd;
    for (; i < tokens.size(); ++i) {
      if (!is_operator(tokens[i])) {
        cmd.push_back(tokens[i]);
      } else if (is_redirection(tokens[i])) {
        ++i;  // and its target word (a file, or the 1 of 2>&1)
      } else {
        ++i;
        break;
      }
    }
    size_t k = 0;
    while (k < cmd.size() && (skip.count(cmd[k]) || std::regex_match(cmd[k], assignment))) ++k;
    if (k < cmd.size()) {
      const std::string& w = cmd[k];
      std::string base = w.substr(w.rfind('/') == std::string::npos ? 0 : w.rfind('/') + 1);
      if (base == "greenlight") out.emplace_back(cmd.begin() + k + 1, cmd.end());
    }
  }
  return out;
}

// A line that looks like it runs greenlight: the check below that each one
// was understood keeps the parser above from silently missing a command.
bool mentions_greenlight_command(const std::string& line) {
  static const std::regex re(R"((^|[\s;&|(`"'])([^\s;&|()`"']*/)?greenlight(\s|$))");
  return std::regex_search(line, re);
}

std::vector<Invocation> invocations_in(const Script& s, const std::string& file, std::vector<std::string>& problems) {
  std::vector<Invocation> out;
  std::vector<std::string> lines = split_lines(s.text);
  for (size_t i = 0; i < lines.size(); ++i) {
    int line_no = s.one_line_per_line ? s.line + static_cast<int>(i) : s.line;
    std::string logical = lines[i];
    // Line continuations: a trailing backslash joins the next line.
    while (!logical.empty() && logical.back() == '\\' && i + 1 < lines.size()) {
      logical.pop_back();
      logical += " " + lines[++i];
    }
    auto commands = greenlight_commands(logical);
    if (commands.empty() && mentions_greenlight_command(logical))
      problems.push_back(file + ":" + std::to_string(line_no) + ": a greenlight command this test cannot parse: " + logical);
    for (auto& words : commands) out.push_back({line_no, words, logical});
  }
  return out;
}

// `greenlight [SUB [SUBSUB]] --help`, once per command.
struct HelpCache {
  std::map<std::vector<std::string>, CommandResult> cache;
  const CommandResult& help(std::vector<std::string> command) {
    auto it = cache.find(command);
    if (it != cache.end()) return it->second;
    std::vector<std::string> args = command;
    args.push_back("--help");
    return cache[command] = run_greenlight(args, {}, nullptr, std::chrono::seconds(30));
  }
};

bool help_lists(const std::string& help, const std::string& option) {
  std::regex re("(^|[^A-Za-z0-9-])" + std::regex_replace(option, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                "([^A-Za-z0-9-]|$)");
  return std::regex_search(help, re);
}

// Problems of one invocation against the real binary.
void check_invocation(const Invocation& inv, const std::string& file, HelpCache& helps, std::vector<std::string>& problems) {
  const std::string where = file + ":" + std::to_string(inv.line) + ": ";
  std::vector<std::string> command;
  std::string help_text;
  if (!inv.words.empty() && inv.words[0][0] != '-') {
    const std::string& sub = inv.words[0];
    const CommandResult& top = helps.help({});
    const CommandResult& h = helps.help({sub});
    if (h.exit_code != 0 || !help_lists(top.out, "greenlight " + sub)) {
      problems.push_back(where + "greenlight " + sub + ": no such command (`greenlight --help` does not list it, `greenlight " +
                         sub + " --help` exited " + std::to_string(h.exit_code) + ")  in: " + inv.text);
      return;
    }
    command = {sub};
    help_text = h.out + h.err;
    // `greenlight backup drill ...`: the sub-subcommand's own options too.
    static const std::regex word(R"([a-z][a-z-]*)");
    if (inv.words.size() > 1 && std::regex_match(inv.words[1], word)) {
      const CommandResult& hh = helps.help({sub, inv.words[1]});
      if (hh.exit_code == 0) command.push_back(inv.words[1]), help_text += hh.out + hh.err;
    }
  } else {
    const CommandResult& top = helps.help({});
    help_text = top.out;
  }
  std::string shown = "greenlight";
  for (const auto& c : command) shown += " " + c;
  static const std::regex short_option(R"(-[A-Za-z])");
  for (const std::string& w : inv.words) {
    if (w == "--" || w.size() < 2 || w[0] != '-') continue;
    std::string option = w.substr(0, w.find('='));
    if (option.rfind("--", 0) != 0 && !std::regex_match(option, short_option)) continue;
    if (!help_lists(help_text, option))
      problems.push_back(where + shown + ": option " + option + " is not in `" + shown + " --help`  in: " + inv.text);
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

struct Examined {
  std::vector<std::string> problems;
  std::vector<Invocation> invocations;
};

// GitHub Actions: `on` and `jobs`; each job runs-on and steps; the shell of
// every `run:`.
Examined examine_github(const std::string& file, const std::string& text) {
  Examined e;
  YAML::Node doc = YAML::Load(text);
  std::vector<std::string> lines = split_lines(text);
  if (!doc["on"]) e.problems.push_back(file + ": no `on:` (the events that start the workflow)");
  if (!doc["jobs"] || !doc["jobs"].IsMap() || doc["jobs"].size() == 0) {
    e.problems.push_back(file + ": no `jobs:`");
    return e;
  }
  for (const auto& job : doc["jobs"]) {
    const std::string name = job.first.as<std::string>();
    const int line = job.first.Mark().line + 1;
    if (!job.second["runs-on"]) e.problems.push_back(file + ":" + std::to_string(line) + ": job " + name + " has no runs-on");
    if (!job.second["steps"] || !job.second["steps"].IsSequence() || job.second["steps"].size() == 0) {
      e.problems.push_back(file + ":" + std::to_string(line) + ": job " + name + " has no steps");
      continue;
    }
    for (const auto& step : job.second["steps"])
      if (step["run"])
        for (auto& inv : invocations_in(script_of(step["run"], lines), file, e.problems)) e.invocations.push_back(inv);
  }
  return e;
}

bool is_gitlab_keyword(const std::string& key) {
  static const std::set<std::string> keywords = {"stages", "variables", "default", "workflow", "include", "image",
                                                 "services", "cache", "before_script", "after_script", "pages"};
  return keywords.count(key) > 0;
}

// GitLab CI: every job (a top-level map that is not a keyword or a hidden
// template) has a script, its own or through `extends`; the shell of every
// script, before_script and after_script, hidden templates included.
Examined examine_gitlab(const std::string& file, const std::string& text) {
  Examined e;
  YAML::Node doc = YAML::Load(text);
  std::vector<std::string> lines = split_lines(text);
  if (!doc.IsMap()) {
    e.problems.push_back(file + ": not a map of jobs");
    return e;
  }
  int jobs = 0;
  for (const auto& entry : doc) {
    const std::string name = entry.first.as<std::string>();
    if (is_gitlab_keyword(name) || !entry.second.IsMap()) continue;
    const YAML::Node job = entry.second;
    for (const char* key : {"before_script", "script", "after_script"}) {
      const YAML::Node s = job[key];
      if (!s) continue;
      std::vector<YAML::Node> items;
      if (s.IsScalar()) items.push_back(s);
      else for (const auto& item : s) items.push_back(item);
      for (const auto& item : items)
        for (auto& inv : invocations_in(script_of(item, lines), file, e.problems)) e.invocations.push_back(inv);
    }
    if (name[0] == '.') continue;
    ++jobs;
    bool has_script = static_cast<bool>(job["script"]);
    std::vector<std::string> parents;
    if (job["extends"]) {
      if (job["extends"].IsScalar()) parents.push_back(job["extends"].as<std::string>());
      else for (const auto& p : job["extends"]) parents.push_back(p.as<std::string>());
    }
    for (const auto& p : parents) {
      if (!doc[p]) e.problems.push_back(file + ":" + std::to_string(entry.first.Mark().line + 1) + ": job " + name + " extends " + p + ", which is not defined");
      else has_script |= static_cast<bool>(doc[p]["script"]);
    }
    if (!has_script)
      e.problems.push_back(file + ":" + std::to_string(entry.first.Mark().line + 1) + ": job " + name + " has no script");
  }
  if (jobs == 0) e.problems.push_back(file + ": no jobs");
  return e;
}

Examined examine(const std::string& file, const std::string& text, HelpCache& helps) {
  Examined e;
  try {
    if (file.find("github") != std::string::npos) e = examine_github(file, text);
    else if (file.find("gitlab") != std::string::npos) e = examine_gitlab(file, text);
    else e.problems.push_back(file + ": neither a GitHub nor a GitLab example (name it github-*.yml or gitlab-*.yml)");
  } catch (const YAML::Exception& ex) {
    e.problems.push_back(file + ":" + std::to_string(ex.mark.line + 1) + ": not valid YAML: " + ex.msg);
    return e;
  }
  for (const Invocation& inv : e.invocations) check_invocation(inv, file, helps, e.problems);
  return e;
}

// The options one `greenlight run` of the file passes, e.g. {"--profile": "gate"}.
std::vector<std::map<std::string, std::string>> runs_of(const std::vector<Invocation>& invs) {
  std::vector<std::map<std::string, std::string>> out;
  for (const Invocation& inv : invs) {
    if (inv.words.empty() || inv.words[0] != "run") continue;
    std::map<std::string, std::string> opts;
    for (size_t i = 1; i < inv.words.size(); ++i)
      if (inv.words[i].rfind("--", 0) == 0) opts[inv.words[i]] = i + 1 < inv.words.size() ? inv.words[i + 1] : "";
    out.push_back(opts);
  }
  return out;
}

std::vector<fs::path> example_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(SOURCE_DIR) / "ci/examples"))
    if (e.path().extension() == ".yml" || e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every CI example is valid YAML of its CI's shape and uses only greenlight commands and options that exist", "[ci_examples]") {
  std::vector<fs::path> files = example_files();
  REQUIRE(files.size() >= 2);
  HelpCache helps;
  for (const fs::path& path : files) {
    std::string file = "ci/examples/" + path.filename().string();
    Examined e = examine(file, read_file(path.string()), helps);
    INFO(file << ": the problems, one per line:\n" << join(e.problems));
    CHECK(e.problems.empty());
    CHECK(e.invocations.size() >= 2);  // at least a run and a history per file
  }
}

TEST_CASE("the GitHub workflow gates pull requests, runs nightly and a monthly drill, publishes JUnit and keeps reports and history", "[ci_examples]") {
  const std::string file = "ci/examples/github-actions.yml";
  std::string text = read_file(SOURCE_DIR "/" + file);
  HelpCache helps;
  Examined e = examine(file, text, helps);
  YAML::Node doc = YAML::Load(text);
  CHECK(doc["on"]["pull_request"]);
  CHECK(doc["on"]["push"]);
  std::vector<std::string> crons;
  for (const auto& s : doc["on"]["schedule"]) crons.push_back(s["cron"].as<std::string>());
  CHECK(std::find(crons.begin(), crons.end(), "0 3 1 * *") != crons.end());  // monthly, on the 1st
  CHECK(std::find(crons.begin(), crons.end(), "17 2 * * *") != crons.end());  // nightly

  std::set<std::string> profiles;
  for (auto& opts : runs_of(e.invocations)) {
    profiles.insert(opts["--profile"]);
    CHECK(opts["--out"] == "reports");
    CHECK(opts["--history"] == "reports/history.db");
    CHECK(opts["--metrics-out"] == "reports/run.prom");
    CHECK(opts["--revision"] == "${{ github.sha }}");
  }
  CHECK(profiles == std::set<std::string>{"gate", "nightly", "drill"});

  for (const auto& job : doc["jobs"]) {
    INFO("job " << job.first.as<std::string>());
    std::set<std::string> uses;
    bool history_restored = false, history_saved = false;
    for (const auto& step : job.second["steps"]) {
      if (!step["uses"]) continue;
      std::string u = step["uses"].as<std::string>();
      uses.insert(u.substr(0, u.find('@')));
      std::string path = step["with"] && step["with"]["path"] ? step["with"]["path"].as<std::string>() : "";
      if (u.rfind("actions/cache/restore@", 0) == 0 && path == "reports/history.db") history_restored = true;
      if (u.rfind("actions/cache/save@", 0) == 0 && path == "reports/history.db") {
        history_saved = true;
        CHECK(step["if"].as<std::string>().find("always()") != std::string::npos);  // failed runs are history too
      }
      if (u.rfind("actions/upload-artifact@", 0) == 0) CHECK(path == "reports/");
    }
    CHECK((uses.count("mikepenz/action-junit-report") || uses.count("dorny/test-reporter")));
    CHECK(uses.count("actions/upload-artifact"));
    CHECK(history_restored);
    CHECK(history_saved);
  }
}

TEST_CASE("the GitLab example gates merge requests, runs scheduled nightly and drill jobs, reports JUnit and keeps reports", "[ci_examples]") {
  const std::string file = "ci/examples/gitlab-ci.yml";
  std::string text = read_file(SOURCE_DIR "/" + file);
  YAML::Node doc = YAML::Load(text);
  const YAML::Node base = doc[".greenlight"];
  REQUIRE(base);
  CHECK(base["artifacts"]["reports"]["junit"].as<std::string>() == "reports/greenlight.junit.xml");
  CHECK(base["artifacts"]["when"].as<std::string>() == "always");
  CHECK(base["artifacts"]["paths"][0].as<std::string>() == "reports/");

  auto rule_text = [&](const char* job) {
    std::string all;
    for (const auto& r : doc[job]["rules"]) all += r["if"].as<std::string>() + "\n";
    return all;
  };
  CHECK(rule_text("greenlight-gate").find("merge_request_event") != std::string::npos);
  CHECK(doc["greenlight-gate"]["variables"]["GREENLIGHT_PROFILE"].as<std::string>() == "gate");
  CHECK(rule_text("greenlight-nightly") == "$CI_PIPELINE_SOURCE == \"schedule\" && $GREENLIGHT_PROFILE == \"nightly\"\n");
  CHECK(rule_text("greenlight-drill") == "$CI_PIPELINE_SOURCE == \"schedule\" && $GREENLIGHT_PROFILE == \"drill\"\n");

  HelpCache helps;
  Examined e = examine(file, text, helps);
  auto runs = runs_of(e.invocations);
  REQUIRE(runs.size() == 1);  // the template's, shared by the three jobs
  CHECK(runs[0]["--profile"] == "\"$GREENLIGHT_PROFILE\"");
  CHECK(runs[0]["--history"] == "reports/history.db");
  CHECK(runs[0]["--metrics-out"] == "reports/run.prom");
}

TEST_CASE("a CI file with a missing option, an unknown command or a broken shape is reported with file:line", "[ci_examples]") {
  HelpCache helps;
  const std::string github = R"YAML(on: push
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo start
          greenlight run greenlight.yaml --profile gate \
            --out reports --no-such-option x
      - run: cd app && GL=1 ./bin/greenlight frobnicate --all
  broken:
    steps: []
)YAML";
  Examined e = examine("bad-github.yml", github, helps);
  INFO(join(e.problems));
  REQUIRE(e.problems.size() == 4);
  CHECK(e.problems[0] == "bad-github.yml:11: job broken has no runs-on");
  CHECK(e.problems[1] == "bad-github.yml:11: job broken has no steps");
  CHECK(e.problems[2].rfind("bad-github.yml:8: greenlight run: option --no-such-option is not in `greenlight run --help`", 0) == 0);
  CHECK(e.problems[3].rfind("bad-github.yml:10: greenlight frobnicate: no such command", 0) == 0);

  const std::string gitlab = R"YAML(stages: [verify]
.base:
  image: debian:bookworm
lint:
  extends: .base
verify:
  script:
    - echo "$(greenlight --version)"
    - >-
      greenlight history --history h.db
      --since yesterday
)YAML";
  Examined g = examine("bad-gitlab.yml", gitlab, helps);
  INFO(join(g.problems));
  REQUIRE(g.problems.size() == 3);
  CHECK(g.problems[0] == "bad-gitlab.yml:4: job lint has no script");
  CHECK(g.problems[1].rfind("bad-gitlab.yml:8: a greenlight command this test cannot parse", 0) == 0);
  CHECK(g.problems[2].rfind("bad-gitlab.yml:10: greenlight history: option --since is not in `greenlight history --help`", 0) == 0);

  Examined invalid = examine("bad.gitlab-ci.yml", "verify:\n  script: [unclosed\n", helps);
  REQUIRE(invalid.problems.size() == 1);
  CHECK(invalid.problems[0].find("not valid YAML") != std::string::npos);
}

TEST_CASE("greenlight command lines are found through continuations, operators and wrappers, and nothing else is", "[ci_examples]") {
  auto found = [](const std::string& line) { return greenlight_commands(line); };
  using W = std::vector<std::vector<std::string>>;
  CHECK(found("greenlight run p.yaml --out r") == W{{"run", "p.yaml", "--out", "r"}});
  CHECK(found("test -f h.db && greenlight history --history h.db >> \"$GITHUB_STEP_SUMMARY\"") ==
        W{{"history", "--history", "h.db"}});
  CHECK(found("env A=1 B=2 ./build/greenlight load http://x --rate 10 2>&1 | tee out; greenlight --version") ==
        W{{"load", "http://x", "--rate", "10"}, {"--version"}});
  CHECK(found("greenlight run p.yaml --revision ${{ github.sha }} # --not-an-option") ==
        W{{"run", "p.yaml", "--revision", "${{ github.sha }}"}});
  CHECK(found("git clone \"$GREENLIGHT_REPO\" .greenlight").empty());
  CHECK(found("echo \"$GITHUB_WORKSPACE/.greenlight/build\" >> \"$GITHUB_PATH\"").empty());
  CHECK(found("curl --data-binary @run.prom \"$URL/metrics/job/greenlight/profile/gate\"").empty());
  CHECK_FALSE(mentions_greenlight_command("curl \"$URL/metrics/job/greenlight/profile/gate\""));
  CHECK(mentions_greenlight_command("x=\"$(greenlight --version)\""));

  std::vector<std::string> problems;
  Script s{"greenlight run p.yaml \\\n  --profile gate \\\n  --out reports\ngreenlight history\n", 20, true};
  auto invs = invocations_in(s, "f.yml", problems);
  REQUIRE(invs.size() == 2);
  CHECK(invs[0].line == 20);
  CHECK(invs[0].words == std::vector<std::string>{"run", "p.yaml", "--profile", "gate", "--out", "reports"});
  CHECK(invs[1].line == 23);
  CHECK(problems.empty());
}
