// ci/k8s/*.yaml against the real greenlight: every file is valid YAML, the
// load Job is an Indexed Job whose completions, parallelism and SHARDS agree,
// every greenlight command line in a container (after the shell expansions
// the pod's /bin/sh would do) uses only options greenlight accepts, and the
// exact commands, run as the N pods and the merge pod would run them (target
// and volume moved to loopback and a temp dir, the test shortened), produce a
// merged report.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>

#include <yaml-cpp/yaml.h>

#include "tests/support/command.h"
#include "tests/support/nginx_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

using Vars = std::map<std::string, std::string>;
using Words = std::vector<std::string>;

// $NAME, ${NAME} and $((A + 1)) as sh expands them; an unset variable is an
// error (the manifests run with `set -u`).
std::string expand(const std::string& s, size_t& i, const Vars& vars) {
  auto lookup = [&](const std::string& name) {
    auto it = vars.find(name);
    if (it == vars.end()) throw std::runtime_error("unset variable $" + name);
    return it->second;
  };
  ++i;  // past '$'
  if (s.compare(i, 2, "((") == 0) {
    size_t end = s.find("))", i);
    if (end == std::string::npos) throw std::runtime_error("unterminated $((");
    std::string expr = s.substr(i + 2, end - i - 2);
    i = end + 2;
    long long total = 0;
    int sign = 1;
    std::regex token(R"(\s*([A-Za-z_][A-Za-z0-9_]*|\d+|[+-])\s*)");
    for (std::sregex_iterator it(expr.begin(), expr.end(), token), stop; it != stop; ++it) {
      std::string t = (*it)[1];
      if (t == "+") sign = 1;
      else if (t == "-") sign = -1;
      else total += sign * std::stoll(std::isdigit(static_cast<unsigned char>(t[0])) ? t : lookup(t));
    }
    return std::to_string(total);
  }
  if (i < s.size() && s[i] == '{') {
    size_t end = s.find('}', i);
    std::string name = s.substr(i + 1, end - i - 1);
    i = end + 1;
    return lookup(name);
  }
  size_t start = i;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  return lookup(s.substr(start, i - start));
}

// The greenlight invocations of a /bin/sh -c script (words after
// `greenlight`), with NAME=value lines applied as the shell would.
std::vector<Words> greenlight_commands(const std::string& s, Vars vars) {
  std::vector<Words> out;
  Words words;
  std::string word;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) words.push_back(word);
    word.clear();
    in_word = false;
  };
  auto end_command = [&] {
    end_word();
    std::regex assignment(R"(([A-Za-z_][A-Za-z0-9_]*)=(.*))");
    std::smatch m;
    bool all_assignments = !words.empty();
    for (const std::string& w : words) all_assignments &= std::regex_match(w, m, assignment);
    if (all_assignments) {
      for (const std::string& w : words) std::regex_match(w, m, assignment), vars[m[1]] = m[2];
    } else {
      size_t first = !words.empty() && words[0] == "exec" ? 1 : 0;
      if (words.size() > first && words[first] == "greenlight") out.emplace_back(words.begin() + long(first) + 1, words.end());
    }
    words.clear();
  };
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      if (s[i + 1] != '\n') word += s[i + 1], in_word = true;
      i += 2;
    } else if (c == '\'') {
      size_t end = s.find('\'', i + 1);
      word += s.substr(i + 1, end - i - 1), in_word = true;
      i = end + 1;
    } else if (c == '"') {
      in_word = true;
      for (++i; i < s.size() && s[i] != '"';) {
        if (s[i] == '$') word += expand(s, i, vars);
        else if (s[i] == '\\' && i + 1 < s.size()) word += s[i + 1], i += 2;
        else word += s[i++];
      }
      ++i;
    } else if (c == '$') {
      word += expand(s, i, vars), in_word = true;
    } else if (c == ' ' || c == '\t') {
      end_word(), ++i;
    } else if (c == '\n' || c == ';') {
      end_command(), ++i;
    } else if ((c == '&' || c == '|') && i + 1 < s.size() && s[i + 1] == c) {
      end_command(), i += 2;
    } else if (c == '#' && !in_word) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else {
      word += c, in_word = true, ++i;
    }
  }
  end_command();
  return out;
}

struct Container {
  std::string kind, name;  // of the Job or Pod
  Vars env;
  std::vector<Words> commands;  // greenlight argv[1..]
  std::string mount_path;       // of the results volume
};

struct Manifest {
  std::vector<YAML::Node> docs;
  std::vector<Container> containers;
  std::vector<std::string> problems;
};

// Parses one manifest file's text and notes what is wrong with it.
// `overrides` replace container env values (the target, a shorter test);
// JOB_COMPLETION_INDEX comes from `index`.
Manifest read_manifest(const std::string& text, const Vars& overrides = {}, int index = 0) {
  Manifest m;
  try {
    m.docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    m.problems.push_back(std::string("invalid YAML: ") + e.what());
    return m;
  }
  for (const YAML::Node& doc : m.docs) {
    if (!doc.IsMap() || !doc["apiVersion"] || !doc["kind"] || !doc["metadata"]["name"]) {
      m.problems.push_back("a document without apiVersion, kind and metadata.name");
      continue;
    }
    std::string kind = doc["kind"].as<std::string>(), name = doc["metadata"]["name"].as<std::string>();
    YAML::Node pod;
    if (kind == "Job") pod = doc["spec"]["template"]["spec"];
    else if (kind == "Pod") pod = doc["spec"];
    else continue;
    if (kind == "Job") {
      const YAML::Node& spec = doc["spec"];
      if (pod["restartPolicy"].as<std::string>("") != "Never") m.problems.push_back(name + ": restartPolicy is not Never");
      if (spec["completionMode"]) {
        if (spec["completionMode"].as<std::string>() != "Indexed") m.problems.push_back(name + ": completionMode is not Indexed");
        if (spec["completions"].as<int>(-1) != spec["parallelism"].as<int>(-2))
          m.problems.push_back(name + ": completions and parallelism differ, so the shards would not run at once");
      }
    }
    for (const YAML::Node& c : pod["containers"]) {
      Container out{kind, name, {}, {}, ""};
      for (const YAML::Node& e : c["env"]) out.env[e["name"].as<std::string>()] = e["value"].as<std::string>("");
      for (const auto& [k, v] : overrides)
        if (out.env.count(k)) out.env[k] = v;
      Vars vars = out.env;
      if (kind == "Job" && doc["spec"]["completionMode"]) vars["JOB_COMPLETION_INDEX"] = std::to_string(index);
      for (const YAML::Node& v : c["volumeMounts"]) out.mount_path = v["mountPath"].as<std::string>();
      Words command = c["command"].as<Words>(Words{});
      Words args = c["args"].as<Words>(Words{});
      try {
        if (command.size() == 2 && (command[0] == "/bin/sh" || command[0] == "sh") && command[1] == "-c" && args.size() == 1)
          out.commands = greenlight_commands(args[0], vars);
        else if (!command.empty() && command[0] == "greenlight")
          out.commands.push_back(Words(command.begin() + 1, command.end())), out.commands.back().insert(out.commands.back().end(), args.begin(), args.end());
      } catch (const std::exception& e) {
        m.problems.push_back(name + ": " + e.what());
      }
      m.containers.push_back(out);
    }
  }
  return m;
}

// Every greenlight command line must parse: each option known and given its
// value. `--help` stops a parsed command before it would run.
void check_options(Manifest& m) {
  for (const Container& c : m.containers)
    for (Words w : c.commands) {
      w.push_back("--help");
      CommandResult r = run_greenlight(w);
      if (r.exit_code != 0) m.problems.push_back(c.name + ": greenlight " + w[0] + " refuses its options: " + r.err.substr(0, r.err.find('\n')));
    }
}

std::vector<fs::path> manifest_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(SOURCE_DIR) / "ci/k8s"))
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("ci/k8s: valid YAML, an Indexed load Job, and greenlight accepts every command in it", "[cli][k8s]") {
  auto files = manifest_files();
  REQUIRE(files.size() >= 3);
  int indexed_jobs = 0, merge_commands = 0;
  for (const fs::path& f : files) {
    INFO(f);
    Manifest m = read_manifest(read_file(f.string()));
    check_options(m);
    CHECK(m.problems == std::vector<std::string>{});
    for (const YAML::Node& doc : m.docs) {
      if (doc["kind"].as<std::string>() != "Job" || !doc["spec"]["completionMode"]) continue;
      ++indexed_jobs;
      int n = doc["spec"]["completions"].as<int>();
      for (const Container& c : m.containers) {
        REQUIRE(c.commands.size() == 1);
        const Words& w = c.commands[0];
        CHECK(w[0] == "load");
        auto shard = std::find(w.begin(), w.end(), "--shard");
        REQUIRE(shard != w.end());
        CHECK(*(shard + 1) == "1/" + std::to_string(n));  // JOB_COMPLETION_INDEX 0 is shard 1
        CHECK(c.env.at("SHARDS") == std::to_string(n));
      }
    }
    for (const Container& c : m.containers)
      for (const Words& w : c.commands) merge_commands += w.size() > 1 && w[0] == "report" && w[1] == "merge";
  }
  CHECK(indexed_jobs == 1);
  CHECK(merge_commands == 1);
}

TEST_CASE("ci/k8s: the checks above catch a broken manifest", "[cli][k8s]") {
  std::string job = read_file(SOURCE_DIR "/ci/k8s/load-job.yaml");
  Manifest typo = read_manifest(replace_all(job, "--shard ", "--shards "));
  check_options(typo);
  REQUIRE(typo.problems.size() == 1);
  CHECK_THAT(typo.problems[0], Catch::Contains("unknown option --shards"));
  Manifest mode = read_manifest(replace_all(job, "completionMode: Indexed", "completionMode: NonIndexed"));
  CHECK_THAT(mode.problems.at(0), Catch::Contains("completionMode is not Indexed"));
  Manifest apart = read_manifest(replace_all(job, "parallelism: 3", "parallelism: 1"));
  CHECK_THAT(apart.problems.at(0), Catch::Contains("completions and parallelism differ"));
  Manifest unset = read_manifest(replace_all(job, "$SHARDS", "$SHARD_COUNT"));
  CHECK_THAT(unset.problems.at(0), Catch::Contains("unset variable $SHARD_COUNT"));
  CHECK_FALSE(read_manifest("a: [1, 2\n").problems.empty());
}

TEST_CASE("ci/k8s: the pods' exact commands, on loopback, shard and merge into a report", "[cli][k8s]") {
  NginxServer nginx(R"(location / { return 200 "ok\n"; })");
  TempDir dir;
  // The target and the test's size are the manifest's env; the volume is a temp dir.
  Vars overrides = {{"TARGET_URL", nginx.url() + "/health"}, {"RATE", "60"}, {"DURATION", "1s"}};
  std::string job = read_file(SOURCE_DIR "/ci/k8s/load-job.yaml");
  int n = YAML::Load(job)["spec"]["completions"].as<int>();
  std::vector<std::future<CommandResult>> pods;
  std::string mount;
  for (int index = 0; index < n; ++index) {
    Manifest m = read_manifest(job, overrides, index);
    REQUIRE(m.containers.size() == 1);
    mount = m.containers[0].mount_path;
    Words w = m.containers[0].commands.at(0);
    for (std::string& a : w) {
      if (a.rfind(mount, 0) != 0) continue;
      a = dir.path() + a.substr(mount.size());
      fs::create_directories(fs::path(a).parent_path());  // the script's mkdir -p
    }
    pods.push_back(std::async(std::launch::async, [w] { return run_greenlight(w, {}, nullptr, std::chrono::seconds(30)); }));
  }
  for (auto& p : pods) {
    CommandResult r = p.get();
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
  }
  Manifest merge = read_manifest(read_file(SOURCE_DIR "/ci/k8s/merge-job.yaml"), overrides);
  Words w = merge.containers.at(0).commands.at(0);
  for (std::string& a : w)
    if (a.rfind(mount, 0) == 0) a = dir.path() + a.substr(mount.size());
  CommandResult r = run_greenlight(w);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("merged " + std::to_string(n) + " shards") && Catch::Contains("the test planned 60 requests"));
  CHECK(fs::exists(w.at(w.size() - 1) + "/greenlight.html"));
}
