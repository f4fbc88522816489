// Loads a rule file the way Prometheus 2.42's rulefmt does: yaml.v3 decoding
// into its structs with unknown fields refused (emulated on yaml-cpp's tree,
// which keeps line numbers), then rulefmt's Validate, then the alert template
// parse test. Where Prometheus stops at the first decoding error this goes on,
// so one run shows every problem; each is a finding with the line it is on.
#include "suites/alerts/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "suites/alerts/go_template.h"
#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/parser.h"

namespace greenlight {

bool RuleFile::ok() const {
  for (const auto& f : findings)
    if (f.error) return false;
  return true;
}

namespace {

bool valid_utf8(std::string_view s, std::size_t* bad_at) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size() || (len == 2 && c < 0xC2)) {
      *bad_at = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        *bad_at = i;
        return false;
      }
    i += len;
  }
  return true;
}

// Prometheus' legacy name rules (model.IsValidMetricName, LabelName.IsValid).
bool valid_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

int line_of(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.line >= 0 ? m.line + 1 : 0;
}

enum class ScalarStyle { Plain, Literal, Folded, Quoted };

// One key of a YAML mapping, after merge keys are resolved.
struct Entry {
  std::string key;
  YAML::Node value;
  int line = 0;  // of the key
};

class Loader {
 public:
  Loader(RuleFile& rf, std::string text) : rf_(rf), text_(std::move(text)) {}

  void load() {
    std::size_t bad = 0;
    if (!valid_utf8(text_, &bad)) {
      int line = 1;
      for (std::size_t i = 0; i < bad; ++i) line += text_[i] == '\n';
      return error(line, "yaml", "invalid UTF-8 in the file (YAML must be UTF-8)");
    }
    YAML::Node root;
    try {
      root = YAML::Load(text_);  // the first document only, as Prometheus reads it
    } catch (const YAML::Exception& e) {
      return error(e.mark.line >= 0 ? e.mark.line + 1 : 0, "yaml", "YAML syntax error: " + e.msg);
    }
    if (!root || root.IsNull()) return;  // an empty file has no groups
    if (!root.IsMap()) return type_error(root, "rulefmt.RuleGroups");
    for (const Entry& e : entries(root)) {
      if (e.key == "groups") decode_groups(e.value);
      else unknown_field(e, "rulefmt.RuleGroups");
    }
    validate_groups();
  }

 private:
  RuleFile& rf_;
  std::string text_;

  void add(int line, const std::string& id, bool is_error, const std::string& message) {
    rf_.findings.push_back(RuleFinding{rf_.path, line, id, is_error, message});
  }
  void error(int line, const std::string& id, const std::string& message) { add(line, id, true, message); }

  // ------------------------------------------------------------ YAML helpers

  std::size_t value_start(const YAML::Node& n) const {
    std::size_t p = n.Mark().pos >= 0 ? static_cast<std::size_t>(n.Mark().pos) : text_.size();
    // Skip an anchor or tag before the value itself.
    while (p < text_.size() && (text_[p] == '&' || text_[p] == '!')) {
      while (p < text_.size() && text_[p] != ' ' && text_[p] != '\n') ++p;
      while (p < text_.size() && text_[p] == ' ') ++p;
    }
    return p;
  }

  ScalarStyle style(const YAML::Node& n) const {
    std::size_t p = value_start(n);
    if (p >= text_.size()) return ScalarStyle::Plain;
    switch (text_[p]) {
      case '|': return ScalarStyle::Literal;
      case '>': return ScalarStyle::Folded;
      case '"': case '\'': return ScalarStyle::Quoted;
      default: return ScalarStyle::Plain;
    }
  }

  // yaml.v3's Node.Value: the scalar as written ("null" and "~" included),
  // "" for a missing value, a sequence or a mapping.
  std::string node_value(const YAML::Node& n) const {
    if (!n) return "";
    if (n.IsScalar()) return n.Scalar();
    if (!n.IsNull()) return "";
    std::size_t p = value_start(n);
    for (std::string_view spelling : {"null", "Null", "NULL", "~"}) {
      if (text_.compare(p, spelling.size(), spelling) != 0) continue;
      std::size_t after = p + spelling.size();
      if (after >= text_.size() || std::string_view(" \t\r\n,]}#").find(text_[after]) != std::string_view::npos)
        return std::string(spelling);
    }
    return "";
  }

  // yaml.v3's description of a node in "cannot unmarshal" errors.
  std::string describe(const YAML::Node& n) const {
    if (n.IsMap()) return "!!map";
    if (n.IsSequence()) return "!!seq";
    std::string v = node_value(n);
    std::string tag = "!!str";
    if (n.Tag() == "?") {
      if (resolves_int(v) || resolves_float(v)) tag = resolves_int(v) ? "!!int" : "!!float";
      else if (v == "true" || v == "false" || v == "True" || v == "False" || v == "TRUE" || v == "FALSE") tag = "!!bool";
    }
    return tag + " `" + v + "`";
  }

  static bool resolves_int(const std::string& v) {
    static const std::regex kInt("[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)");
    return std::regex_match(v, kInt);
  }
  static bool resolves_float(const std::string& v) {
    static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)");
    return std::regex_match(v, kFloat);
  }

  void type_error(const YAML::Node& n, const std::string& into) {
    error(line_of(n), "yaml-type", "cannot unmarshal " + describe(n) + " into " + into);
  }

  void unknown_field(const Entry& e, const std::string& type, const std::string& where = "") {
    error(e.line, "unknown-field", where + "field " + e.key + " not found in type " + type);
  }

  // The keys of a mapping in order; a repeated key is an error (yaml.v3
  // refuses it), and `<<` merge keys add the keys they bring that are not
  // already there.
  std::vector<Entry> entries(const YAML::Node& map, const std::string& where = "") {
    std::vector<Entry> out;
    std::map<std::string, int> seen;
    std::vector<YAML::Node> merges;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node k = it->first;  // a copy: yaml-cpp's it-> is a proxy that dies here
      if (!k.IsScalar()) {
        if (!k.IsNull()) error(line_of(k), "yaml-type", "a mapping key must be a string, not " + describe(k));
        continue;  // yaml.v3 drops null keys
      }
      if (k.Scalar() == "<<" && k.Tag() == "?") {
        merges.push_back(it->second);
        continue;
      }
      auto [pos, fresh] = seen.emplace(k.Scalar(), line_of(k));
      if (!fresh) {
        error(line_of(k), "duplicate-key",
              where + "mapping key " + quoted(k.Scalar()) + " already defined at line " + std::to_string(pos->second));
        continue;
      }
      out.push_back(Entry{k.Scalar(), it->second, line_of(k)});
    }
    for (const YAML::Node& m : merges) {
      std::vector<YAML::Node> sources;
      if (m.IsMap()) sources.push_back(m);
      else if (m.IsSequence())
        for (const auto& s : m) sources.push_back(s);
      for (const YAML::Node& src : sources) {
        if (!src.IsMap()) {
          error(line_of(src), "yaml-type", "map merge requires map or sequence of maps as the value");
          continue;
        }
        for (Entry& e : entries(src, where))
          if (seen.emplace(e.key, e.line).second) out.push_back(std::move(e));
      }
    }
    return out;
  }

  bool string_field(const YAML::Node& n, const std::string& where, std::string* out) {
    if (n.IsMap() || n.IsSequence()) {
      error(line_of(n), "yaml-type", where + "cannot unmarshal " + describe(n) + " into string");
      return false;
    }
    *out = n.IsNull() ? "" : n.Scalar();
    return true;
  }

  // model.Duration: unmarshalled as a string, then parsed; null leaves 0.
  bool duration_field(const Entry& e, const std::string& where, std::int64_t* out) {
    if (e.value.IsNull()) return true;
    std::string text;
    if (!string_field(e.value, where + e.key + ": ", &text)) return false;
    std::string why;
    std::optional<std::int64_t> ms = promql::parse_duration(text, &why);
    if (!ms) {
      error(line_of(e.value), "invalid-duration", where + e.key + ": " + why);
      return false;
    }
    *out = *ms;
    return true;
  }

  // An int field: a plain scalar that resolves to an int (or a float, which
  // yaml.v3 truncates); a quoted string is refused.
  void int_field(const Entry& e, const std::string& where, int* out) {
    const YAML::Node& n = e.value;
    if (n.IsNull()) return;
    std::string v = n.IsScalar() ? n.Scalar() : "";
    std::string plain;
    for (char c : v)
      if (c != '_') plain += c;
    if (!n.IsScalar() || n.Tag() != "?" || !(resolves_int(v) || resolves_float(v))) {
      error(line_of(n), "yaml-type", where + e.key + ": cannot unmarshal " + describe(n) + " into int");
      return;
    }
    try {
      if (resolves_int(v)) {
        std::string digits = plain;
        bool neg = !digits.empty() && digits[0] == '-';
        if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.erase(0, 1);
        int base = 10;
        if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o' || digits[1] == 'b')) {
          base = digits[1] == 'x' ? 16 : digits[1] == 'o' ? 8 : 2;
          digits.erase(0, 2);
        }
        long long x = std::stoll(digits, nullptr, base);
        *out = static_cast<int>(neg ? -x : x);
      } else {
        *out = static_cast<int>(std::stod(plain));
      }
    } catch (const std::exception&) {
      error(line_of(n), "yaml-type", where + e.key + ": " + v + " is out of range for an int");
    }
  }

  bool string_map(const Entry& e, const std::string& where, std::map<std::string, std::string>* out,
                  std::map<std::string, int>* lines) {
    const YAML::Node& n = e.value;
    if (n.IsNull()) return true;
    if (!n.IsMap()) {
      error(line_of(n), "yaml-type", where + e.key + ": cannot unmarshal " + describe(n) + " into map[string]string");
      return false;
    }
    for (const Entry& item : entries(n, where + e.key + ": ")) {
      std::string value;
      if (item.value.IsMap() || item.value.IsSequence()) {
        error(line_of(item.value), "yaml-type",
              where + e.key + " " + quoted(item.key) + ": cannot unmarshal " + describe(item.value) + " into string");
        continue;
      }
      (*out)[item.key] = item.value.IsNull() ? "" : item.value.Scalar();
      if (lines) (*lines)[item.key] = item.line;
    }
    return true;
  }

  // ------------------------------------------------------------ decoding

  void decode_groups(const YAML::Node& n) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) return type_error(n, "[]rulefmt.RuleGroup");
    for (const auto& g : n) {
      if (g.IsNull()) continue;  // yaml.v3 drops null elements of a list of structs
      if (!g.IsMap()) {
        type_error(g, "rulefmt.RuleGroup");
        continue;
      }
      decode_group(g);
    }
  }

  void decode_group(const YAML::Node& n) {
    RuleGroup g;
    g.line = line_of(n);
    std::vector<YAML::Node> rules;
    // The name first, so that every message can name the group.
    if (const YAML::Node name = n["name"]; name && name.IsScalar()) g.name = name.Scalar();
    const std::string where = "group " + quoted(g.name) + ": ";
    const std::vector<Entry> fields = entries(n, where);
    for (const Entry& e : fields)
      if (e.key == "name") string_field(e.value, where + "name: ", &g.name);
    for (const Entry& e : fields) {
      if (e.key == "name") {
        continue;
      } else if (e.key == "interval") {
        duration_field(e, where, &g.interval_ms);
      } else if (e.key == "limit") {
        int_field(e, where, &g.limit);
      } else if (e.key == "rules") {
        if (e.value.IsNull()) continue;
        if (!e.value.IsSequence()) {
          error(line_of(e.value), "yaml-type", where + "rules: cannot unmarshal " + describe(e.value) + " into []rulefmt.RuleNode");
          continue;
        }
        for (const auto& r : e.value) rules.push_back(r);
      } else if (e.key == "query_offset" || e.key == "labels") {
        add(e.line, "prometheus3-only", false,
            where + "field " + e.key + " is known to Prometheus 3 only: Prometheus 2.42 refuses the file");
        if (e.key == "query_offset") duration_field(e, where, &g.query_offset_ms);
        else string_map(e, where, &g.labels, nullptr);
      } else {
        unknown_field(e, "rulefmt.RuleGroup", where);
      }
    }
    rf_.groups.push_back(std::move(g));
    RuleGroup& group = rf_.groups.back();
    int index = 0;
    for (const auto& r : rules) {
      if (r.IsNull()) continue;  // dropped, as yaml.v3 does
      ++index;
      if (!r.IsMap()) {
        type_error(r, "rulefmt.RuleNode");
        continue;
      }
      decode_rule(r, group, index);
    }
  }

  static std::string rule_label(const Rule& r, const RuleGroup& g, int index) {
    std::string s = "group " + quoted(g.name) + ", ";
    if (!r.alert.empty()) return s + "alert " + quoted(r.alert);
    if (!r.record.empty()) return s + "record " + quoted(r.record);
    return s + "rule " + std::to_string(index);
  }

  void decode_rule(const YAML::Node& n, RuleGroup& g, int index) {
    Rule r;
    r.line = line_of(n);
    YAML::Node expr_node, record_node;
    std::vector<Entry> durations;
    std::vector<Entry> maps;
    std::vector<Entry> unknown;
    // The name first, so that every message can name the rule.
    for (const char* key : {"alert", "record"})
      if (const YAML::Node name = n[key]; name && name.IsScalar()) (key[0] == 'a' ? r.alert : r.record) = name.Scalar();
    for (const Entry& e : entries(n, rule_label(r, g, index) + ": ")) {
      // record, alert and expr are yaml.Nodes in rulefmt.RuleNode: any node
      // decodes, and one that is not a scalar has an empty value.
      if (e.key == "record") {
        r.record = node_value(e.value);
        record_node = e.value;
      } else if (e.key == "alert") {
        r.alert = node_value(e.value);
      } else if (e.key == "expr") {
        r.expr = node_value(e.value);
        r.expr_line = e.line;
        expr_node = e.value;
      } else if (e.key == "for" || e.key == "keep_firing_for") {
        durations.push_back(e);
      } else if (e.key == "labels" || e.key == "annotations") {
        maps.push_back(e);
      } else {
        unknown.push_back(e);
      }
    }
    const std::string who = rule_label(r, g, index) + ": ";
    for (const Entry& e : unknown) error(e.line, "unknown-field", who + "field " + e.key + " not found in type rulefmt.RuleNode");
    for (const Entry& e : durations) duration_field(e, who, e.key == "for" ? &r.for_ms : &r.keep_firing_for_ms);
    for (const Entry& e : maps) {
      if (e.key == "labels") string_map(e, who, &r.labels, &r.label_lines);
      else string_map(e, who, &r.annotations, &r.annotation_lines);
    }
    validate_rule(r, who, expr_node, record_node);
    g.rules.push_back(std::move(r));
  }

  // ------------------------------------------------------------ validation

  void validate_groups() {
    std::map<std::string, int> seen;
    for (const RuleGroup& g : rf_.groups) {
      if (g.name.empty()) error(g.line, "group-name-empty", "group name must not be empty");
      auto [it, fresh] = seen.emplace(g.name, g.line);
      if (!fresh)
        error(g.line, "group-name-duplicate",
              "group name " + quoted(g.name) + " is repeated in the file (first at line " + std::to_string(it->second) + ")");
      for (const auto& [name, value] : g.labels)
        if (!valid_label_name(name) || name == "__name__")
          error(g.line, "label-name", "group " + quoted(g.name) + ": invalid label name: " + name);
    }
  }

  // The file line of byte `offset` (on 1-based line `line_in_value`) of a scalar.
  int value_line(const YAML::Node& n, const std::string& value, std::size_t offset, int line_in_value) const {
    int first = line_of(n);
    if (first == 0) return 0;
    switch (style(n)) {
      case ScalarStyle::Literal: {
        // Content starts below the indicator; "end of input" after the final
        // newline is shown on the last line.
        int lines = static_cast<int>(std::count(value.begin(), value.end(), '\n')) +
                    (value.empty() || value.back() != '\n' ? 1 : 0);
        return first + std::min(line_in_value, std::max(1, lines));
      }
      case ScalarStyle::Folded:
      case ScalarStyle::Plain:
      case ScalarStyle::Quoted: {
        // Folding turns each line break into a space: walk the source lines,
        // each worth its trimmed length plus one.
        std::size_t p = value_start(n);
        int line = first;
        bool folded = style(n) == ScalarStyle::Folded;
        if (folded) {
          p = text_.find('\n', p);
          if (p == std::string::npos) return first;
          ++p;
          ++line;
        }
        std::size_t consumed = 0;
        for (int guard = 0; guard < 10000 && p < text_.size(); ++guard) {
          std::size_t eol = text_.find('\n', p);
          if (eol == std::string::npos) eol = text_.size();
          std::string_view src(text_.data() + p, eol - p);
          std::size_t b = src.find_first_not_of(" \t");
          std::size_t e = src.find_last_not_of(" \t\r");
          std::size_t len = b == std::string_view::npos ? 0 : e - b + 1;
          consumed += len + 1;
          if (offset < consumed || consumed >= value.size()) return line;
          p = eol + 1;
          ++line;
        }
        return first;
      }
    }
    return first;
  }

  void validate_rule(Rule& r, const std::string& who, const YAML::Node& expr_node, const YAML::Node& record_node) {
    const int line = r.line;
    if (!r.record.empty() && !r.alert.empty())
      error(line, "rule-kind", who + "only one of 'record' and 'alert' must be set");
    if (r.record.empty() && r.alert.empty()) error(line, "rule-kind", who + "one of 'record' or 'alert' must be set");

    if (r.expr.empty()) {
      error(r.expr_line ? r.expr_line : line, "expr-missing", who + "field 'expr' must be set in rule");
    } else {
      promql::ParseResult parsed = promql::parse_promql(r.expr);
      if (parsed.ok()) {
        r.parsed = std::move(parsed.expr);
      } else {
        const promql::ParseError& pe = parsed.error();
        error(value_line(expr_node, r.expr, pe.pos.start, pe.line), "promql-syntax",
              who + "could not parse expression: " + pe.text());
      }
    }

    if (!r.record.empty()) {
      int record_line = record_node ? line_of(record_node) : line;
      if (!r.annotations.empty())
        error(record_line, "record-field", who + "invalid field 'annotations' in recording rule");
      if (r.for_ms != 0) error(record_line, "record-field", who + "invalid field 'for' in recording rule");
      if (r.keep_firing_for_ms != 0)
        error(record_line, "record-field", who + "invalid field 'keep_firing_for' in recording rule");
      if (!valid_metric_name(r.record))
        error(record_line, "record-name", who + "invalid recording rule name: " + r.record);
    }

    for (const auto& [name, value] : r.labels) {
      if (!valid_label_name(name) || name == "__name__")
        error(r.label_lines[name], "label-name", who + "invalid label name: " + name);
      std::size_t bad = 0;
      if (!valid_utf8(value, &bad)) error(r.label_lines[name], "label-value", who + "invalid label value: " + value);
    }
    for (const auto& [name, value] : r.annotations)
      if (!valid_label_name(name)) error(r.annotation_lines[name], "annotation-name", who + "invalid annotation name: " + name);

    if (!r.alert.empty()) {
      check_templates(r, who, "label", r.labels, r.label_lines);
      check_templates(r, who, "annotation", r.annotations, r.annotation_lines);
    }
  }

  // Prometheus parses each alert label and annotation as a Go template (after
  // defining $labels, $externalLabels, $externalURL and $value); it does not
  // execute them at load time.
  void check_templates(const Rule& r, const std::string& who, const std::string& kind,
                       const std::map<std::string, std::string>& values, const std::map<std::string, int>& lines) {
    const gotmpl::ParseOptions options = gotmpl::prometheus_alert_options(r.alert);
    for (const auto& [name, text] : values) {
      gotmpl::ParseResult parsed = gotmpl::parse_template(text, options);
      if (parsed.ok()) continue;
      auto it = lines.find(name);
      int line = it != lines.end() ? it->second : r.line;
      // "unexpected EOF" is reported on the line after a block's final newline.
      int last = static_cast<int>(std::count(text.begin(), text.end(), '\n')) +
                 (text.empty() || text.back() != '\n' ? 1 : 0);
      int template_line = std::min(parsed.error->line, std::max(1, last));
      error(line + template_line_offset(line, template_line), "template-syntax",
            who + kind + " " + quoted(name) + ": " + parsed.error->text());
    }
  }

  // A template's line N is N-1 lines below its key only in a literal block.
  int template_line_offset(int key_line, int template_line) const {
    if (key_line <= 0 || template_line <= 1) return 0;
    std::size_t p = 0;
    for (int l = 1; l < key_line && p != std::string::npos; ++l) {
      p = text_.find('\n', p);
      if (p != std::string::npos) ++p;
    }
    if (p == std::string::npos) return 0;
    std::size_t eol = text_.find('\n', p);
    std::string_view line(text_.data() + p, (eol == std::string::npos ? text_.size() : eol) - p);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return 0;
    std::size_t v = line.find_first_not_of(" \t", colon + 1);
    if (v == std::string_view::npos || line[v] != '|') return 0;
    return template_line;  // content starts on the line after the key
  }
};

}  // namespace

RuleFile load_rule_file(const std::string& path) {
  RuleFile rf;
  rf.path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    rf.findings.push_back(RuleFinding{path, 0, "file", true, "cannot read the rule file " + path});
    return rf;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    rf.findings.push_back(RuleFinding{path, 0, "file", true, "cannot read the rule file " + path});
    return rf;
  }
  Loader(rf, buffer.str()).load();
  return rf;
}

}  // namespace greenlight
