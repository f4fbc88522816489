// Go text/template, parsed as Go 1.19's text/template/parse does (the Go of
// the reference promtool, Prometheus 2.42): the same tokens, the same syntax
// tree and the same parse errors, worded the same way. Rule files use it to
// check alert templates at load time, as Prometheus does; the template
// expander walks the tree it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::gotmpl {

struct Pipeline;

// One argument of a command: `humanize`, `$labels.job`, `.Labels.job`, `"x"`,
// `1.5`, `(pipeline).Field`...
struct Operand {
  enum class Kind { Function, Variable, Field, Chain, Dot, Nil, Bool, Number, String, Pipeline };
  Kind kind = Kind::Nil;
  std::string name;                 // Function: its name; Variable: "$labels" ("$" alone is the root)
  std::vector<std::string> fields;  // Variable, Field and Chain: the field names after it ($labels.job -> {"job"})
  std::string text;                 // Number, String, Bool: as written
  std::string string_value;         // String: unquoted
  bool bool_value = false;
  // Number: Go's untyped constant, the way text/template keeps it.
  bool is_int = false, is_uint = false, is_float = false, is_complex = false;
  std::int64_t int_value = 0;
  std::uint64_t uint_value = 0;
  double float_value = 0;
  std::shared_ptr<const Pipeline> pipe;       // Pipeline: the parenthesized pipeline
  std::shared_ptr<const Operand> chain_base;  // Chain: what the fields are taken from
  std::size_t pos = 0;                        // byte offset in the template text
};

// Operands separated by spaces: a function call or a single value.
struct Command {
  std::vector<Operand> args;
  std::size_t pos = 0;
};

// `$x := cmd | cmd | ...`
struct Pipeline {
  std::vector<std::string> decl;  // variables declared or assigned ("$x")
  bool is_assign = false;         // `=` rather than `:=`
  std::vector<Command> cmds;
  std::size_t pos = 0;
  int line = 1;
};

struct Node {
  enum class Kind { Text, Action, If, Range, With, Template, Break, Continue };
  Kind kind = Kind::Text;
  std::string text;                         // Text: the text (trim markers applied); Template: the template name
  std::shared_ptr<const Pipeline> pipe;     // Action, If, Range, With; Template when it passes one
  std::vector<Node> list, else_list;        // If, Range, With
  std::size_t pos = 0;
  int line = 1;
};

struct Template {
  std::string name;
  std::vector<Node> root;
  // {{define "x"}} and {{block "x" ...}} bodies, by name.
  std::map<std::string, std::vector<Node>> defined;
};

struct ParseError {
  std::string template_name;
  int line = 1;             // 1-based line in the template text
  std::size_t pos = 0;      // byte offset of the token the error is about
  std::string message;      // e.g. `function "humanise" not defined`
  // Go's wording: `template: NAME:LINE: MESSAGE`.
  std::string text() const;
};

struct ParseOptions {
  std::string name = "template";
  // Functions a template may call; the parser rejects any other name, as Go does.
  std::set<std::string> functions;
  // Variables defined before the text ("$labels"...); "$" always is.
  std::vector<std::string> variables;
};

struct ParseResult {
  std::optional<Template> tmpl;  // absent when there is an error
  std::optional<ParseError> error;
  bool ok() const { return !error.has_value(); }
};

ParseResult parse_template(std::string_view text, const ParseOptions& options);

// and, call, html, index, slice, js, len, not, or, print, printf, println, urlquery, eq, ge, gt, le, lt, ne.
const std::set<std::string>& go_builtin_functions();
// What Prometheus 2.42 adds (humanize, query, reReplaceAll...), checked against its promtool.
const std::set<std::string>& prometheus_functions();
// Added by Prometheus 3 (toDuration, now, urlQueryEscape): 2.42 rejects them.
const std::set<std::string>& prometheus3_functions();

// The options Prometheus parses an alert's label and annotation templates with:
// Go's and Prometheus' functions (with Prometheus 3's when `with_v3`) and the
// variables $labels, $externalLabels, $externalURL and $value.
ParseOptions prometheus_alert_options(const std::string& alert_name, bool with_v3 = true);

// Every command of the template (definitions and parenthesized pipelines
// included), in source order, with whether `.` is still the template's data
// there (false inside range and with, and in definitions).
void walk_commands(const Template& tmpl, const std::function<void(const Command&, bool dot_is_root)>& visit);

}  // namespace greenlight::gotmpl
