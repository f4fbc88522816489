// Plan node access with file:line errors, key validation and ${env:} expansion.
#include "harness/plan_node.h"

#include <algorithm>
#include <cstdlib>

#include "harness/config_error.h"
#include "harness/redactor.h"

namespace greenlight {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string join(const std::set<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

std::string closest_match(const std::string& word, const std::set<std::string>& candidates) {
  std::string best;
  size_t best_d = std::string::npos;
  for (const std::string& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  // A third of the word's length, at least 2: catches "stauts" and "max_latencey"
  // without suggesting "body" for "url".
  size_t limit = std::max<size_t>(2, word.size() / 3);
  return best_d <= limit ? best : "";
}

std::string expand_plan_vars(const std::string& text, const Interpolation& in) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t start = text.find("${", pos);
    if (start == std::string::npos) break;
    size_t end = text.find('}', start);
    if (end == std::string::npos) throw std::runtime_error("unterminated ${ in value '" + text + "'");
    std::string key = text.substr(start + 2, end - start - 2);
    std::string value;
    if (key.rfind("env:", 0) == 0) {
      const char* v = std::getenv(key.substr(4).c_str());
      if (!v) throw std::runtime_error("environment variable " + key.substr(4) + " is not set");
      value = v;
      if (in.redactor) in.redactor->add(value);
    } else if (key.rfind("var:", 0) == 0) {
      auto it = in.vars.find(key.substr(4));
      if (it == in.vars.end()) throw std::runtime_error("variable " + key.substr(4) + " is not defined (plan 'vars:' or --var)");
      value = it->second;
    } else {
      value = text.substr(start, end - start + 1);  // ${capture:x}, ${run:id}: expanded at run time
    }
    out += text.substr(pos, start - pos) + value;
    pos = end + 1;
  }
  return out + text.substr(pos);
}

PlanNode::PlanNode(YAML::Node node, std::string file, std::string path, const Interpolation* interpolation)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), interp_(interpolation) {}

int PlanNode::line() const { return node_.Mark().line >= 0 ? node_.Mark().line + 1 : 0; }

void PlanNode::fail(const std::string& message) const { throw ConfigError(file_, line(), path_, message); }

void PlanNode::require_map() const {
  if (!node_.IsMap()) fail("expected a map of keys");
}

// YAML allows a list or a map as a key (`[a, b]: 1`, `? {a: 1}`);
// as<std::string>() threw yaml-cpp's bad conversion for those, which no caller
// catches (fuzz/regressions/plan).
std::string yaml_key_text(const YAML::Node& key, const std::string& file, int fallback_line,
                          const std::string& path) {
  if (!key.IsSequence() && !key.IsMap()) return key.as<std::string>();
  throw ConfigError(file, key.Mark().line >= 0 ? key.Mark().line + 1 : fallback_line, path,
                    "a key must be a single value, not a list or a map");
}

void PlanNode::allow_keys(const std::set<std::string>& allowed) const {
  require_map();
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = yaml_key_text(it->first, file_, line(), path_);
    if (allowed.count(key)) continue;
    std::string hint = closest_match(key, allowed);
    int line = it->first.Mark().line + 1;
    std::string where = path_.empty() ? key : path_ + "." + key;
    throw ConfigError(file_, line, where,
                      "unknown key '" + key + "'" +
                          (hint.empty() ? " (known keys: " + join(allowed) + ")" : " (did you mean '" + hint + "'?)"));
  }
}

bool PlanNode::has(const std::string& key) const { return node_.IsMap() && node_[key]; }

std::optional<PlanNode> PlanNode::find(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return PlanNode(node_[key], file_, path_.empty() ? key : path_ + "." + key, interp_);
}

PlanNode PlanNode::at(const std::string& key) const {
  require_map();
  auto n = find(key);
  if (!n) fail("missing required key '" + key + "'");
  return *n;
}

std::vector<PlanNode> PlanNode::items() const {
  if (!node_.IsSequence()) fail("expected a list");
  std::vector<PlanNode> out;
  for (size_t i = 0; i < node_.size(); ++i)
    out.emplace_back(node_[i], file_, path_ + "[" + std::to_string(i) + "]", interp_);
  return out;
}

std::vector<std::pair<std::string, PlanNode>> PlanNode::entries() const {
  require_map();
  std::vector<std::pair<std::string, PlanNode>> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = yaml_key_text(it->first, file_, line(), path_);
    out.emplace_back(key, PlanNode(it->second, file_, path_.empty() ? key : path_ + "." + key, interp_));
  }
  return out;
}

std::string PlanNode::str() const {
  if (!node_.IsScalar()) fail("expected a single value");
  try {
    return interp_ ? expand_plan_vars(node_.Scalar(), *interp_) : node_.Scalar();
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

double PlanNode::number() const {
  std::string s = str();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') fail("expected a number, got '" + s + "'");
  return v;
}

int PlanNode::integer() const {
  double v = number();
  if (v != static_cast<int>(v)) fail("expected a whole number, got '" + str() + "'");
  return static_cast<int>(v);
}

bool PlanNode::boolean() const {
  std::string s = str();
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail("expected true or false, got '" + s + "'");
}

Duration PlanNode::duration() const {
  std::string s = str();
  auto d = parse_duration(s);
  if (!d) fail("expected a duration such as 500ms, 2s or 1m, got '" + s + "'");
  return *d;
}

std::string PlanNode::str(const std::string& key, const std::string& fallback) const {
  auto n = find(key);
  return n ? n->str() : fallback;
}
int PlanNode::integer(const std::string& key, int fallback) const {
  auto n = find(key);
  return n ? n->integer() : fallback;
}
bool PlanNode::boolean(const std::string& key, bool fallback) const {
  auto n = find(key);
  return n ? n->boolean() : fallback;
}
Duration PlanNode::duration(const std::string& key, Duration fallback) const {
  auto n = find(key);
  return n ? n->duration() : fallback;
}

}  // namespace greenlight
