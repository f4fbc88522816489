// Parsing and evaluation of metric assertions. Messages are written for the
// person reading a failed gate: they name every failing series with its value
// and, when nothing matches, show what does exist.
#include "suites/smoke/metric_assertion.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace greenlight {

namespace {

constexpr std::size_t kListedSeries = 5;    // in hints and pass messages
constexpr std::size_t kListedFailures = 10;  // failures are what the user needs, so more of them
constexpr std::size_t kShownTextChars = 120;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char* comparison_text(Comparison c) {
  switch (c) {
    case Comparison::equal: return "==";
    case Comparison::not_equal: return "!=";
    case Comparison::less: return "<";
    case Comparison::less_equal: return "<=";
    case Comparison::greater: return ">";
    case Comparison::greater_equal: return ">=";
  }
  return "?";
}

const char* match_op_text(MatchOp op) {
  switch (op) {
    case MatchOp::equal: return "=";
    case MatchOp::not_equal: return "!=";
    case MatchOp::regex: return "=~";
    case MatchOp::not_regex: return "!~";
  }
  return "?";
}

const char* aggregation_text(Aggregation a) {
  switch (a) {
    case Aggregation::none: return "";
    case Aggregation::sum: return "sum";
    case Aggregation::count: return "count";
    case Aggregation::min: return "min";
    case Aggregation::max: return "max";
    case Aggregation::avg: return "avg";
  }
  return "";
}

// IEEE semantics on purpose: a NaN series fails every comparison but !=,
// as it would in PromQL.
bool compare(double value, Comparison c, double threshold) {
  switch (c) {
    case Comparison::equal: return value == threshold;
    case Comparison::not_equal: return value != threshold;
    case Comparison::less: return value < threshold;
    case Comparison::less_equal: return value <= threshold;
    case Comparison::greater: return value > threshold;
    case Comparison::greater_equal: return value >= threshold;
  }
  return false;
}

class AssertionParser {
 public:
  explicit AssertionParser(const std::string& text) : text_(text) {}

  MetricAssertion run() {
    MetricAssertion a;
    a.text = text_;
    skip_spaces();
    std::size_t ident_start = pos_;
    std::string ident = read_while(is_metric_start, is_metric_char);
    if (ident.empty()) fail(ident_start, "expected a metric name or an aggregation (sum, count, min, max, avg)");
    skip_spaces();
    if (peek() == '(') {
      a.aggregation = aggregation_named(ident);
      if (a.aggregation == Aggregation::none)
        fail(ident_start, "'" + ident + "' is not an aggregation (use sum, count, min, max or avg)");
      ++pos_;
      skip_spaces();
      std::size_t name_start = pos_;
      a.metric = read_while(is_metric_start, is_metric_char);
      if (a.metric.empty()) fail(name_start, "expected a metric name after '" + ident + "('");
      skip_spaces();
      if (peek() == '{') parse_matchers(a);
      skip_spaces();
      if (peek() != ')') fail(pos_, "expected ')' to close '" + ident + "('");
      ++pos_;
    } else {
      if (aggregation_named(ident) != Aggregation::none && (starts_with_word("by") || starts_with_word("without")))
        fail(pos_, "grouping with by/without is not supported; aggregate over a selector, e.g. sum(x{job=\"a\"})");
      a.metric = ident;
      if (peek() == '{') parse_matchers(a);
    }
    skip_spaces();
    a.comparison = parse_comparison();
    skip_spaces();
    a.threshold = parse_threshold();
    skip_spaces();
    if (pos_ < text_.size()) fail(pos_, "unexpected text after the number");
    return a;
  }

 private:
  [[noreturn]] void fail(std::size_t pos, const std::string& what) const {
    std::string shown = text_.size() <= kShownTextChars ? text_ : text_.substr(0, kShownTextChars) + "...";
    throw std::invalid_argument("position " + std::to_string(pos + 1) + ": " + what + " in '" + shown + "'");
  }

  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  void skip_spaces() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }

  std::string read_while(bool (*first)(char), bool (*rest)(char)) {
    std::size_t start = pos_;
    if (pos_ < text_.size() && first(text_[pos_]))
      for (++pos_; pos_ < text_.size() && rest(text_[pos_]);) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool starts_with_word(std::string_view word) const {
    return std::string_view(text_).substr(pos_).starts_with(word) &&
           !is_label_char(peek(word.size()));
  }

  static Aggregation aggregation_named(const std::string& name) {
    if (name == "sum") return Aggregation::sum;
    if (name == "count") return Aggregation::count;
    if (name == "min") return Aggregation::min;
    if (name == "max") return Aggregation::max;
    if (name == "avg") return Aggregation::avg;
    return Aggregation::none;
  }

  void parse_matchers(MetricAssertion& a) {
    ++pos_;  // '{'
    for (;;) {
      skip_spaces();
      if (peek() == '}') {
        ++pos_;
        return;
      }
      LabelMatcher m;
      m.name = read_while(is_label_start, is_label_char);
      if (m.name.empty()) fail(pos_, "expected a label name or '}'");
      skip_spaces();
      std::size_t op_start = pos_;
      if (peek() == '=' && peek(1) == '~') m.op = MatchOp::regex, pos_ += 2;
      else if (peek() == '!' && peek(1) == '~') m.op = MatchOp::not_regex, pos_ += 2;
      else if (peek() == '!' && peek(1) == '=') m.op = MatchOp::not_equal, pos_ += 2;
      else if (peek() == '=' && peek(1) == '=') fail(op_start, "use '=' (not '==') to match a label value");
      else if (peek() == '=') m.op = MatchOp::equal, pos_ += 1;
      else fail(op_start, "expected a label matcher (=, !=, =~, !~) after label name '" + m.name + "'");
      skip_spaces();
      std::size_t value_start = pos_;
      m.value = parse_string();
      if (m.op == MatchOp::regex || m.op == MatchOp::not_regex) {
        try {
          // __polynomial picks libstdc++'s breadth-first matcher: no recursion
          // per input character, so a 1 MiB label value cannot overflow the stack.
          m.regex = std::regex(m.value, std::regex::ECMAScript
#ifdef __GLIBCXX__
                                            | std::regex_constants::__polynomial
#endif
          );
        } catch (const std::regex_error& e) {
          fail(value_start, "invalid regular expression for label '" + m.name + "' (" + e.what() + ")");
        }
      }
      a.matchers.push_back(std::move(m));
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return;
      }
      fail(pos_, "expected ',' or '}' after the value of label '" + a.matchers.back().name + "'");
    }
  }

  // "..." or '...' with \\ \" \' \n \t \r; any other backslash pair is kept as
  // written so regexes like "5\d\d" work however the user escapes them.
  // `...` is raw, as in PromQL.
  std::string parse_string() {
    char quote = peek();
    if (quote != '"' && quote != '\'' && quote != '`')
      fail(pos_, "expected a quoted label value (\"...\")");
    std::size_t open = pos_++;
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail(open, "the label value has no closing " + std::string(1, quote));
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c == '\\' && quote != '`' && pos_ < text_.size()) {
        char e = text_[pos_++];
        switch (e) {
          case '\\': out += '\\'; break;
          case '"': out += '"'; break;
          case '\'': out += '\''; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          default: out += '\\'; out += e;
        }
        continue;
      }
      out += c;
    }
  }

  Comparison parse_comparison() {
    char c = peek(), d = peek(1);
    if (c == '=' && d == '=') return pos_ += 2, Comparison::equal;
    if (c == '!' && d == '=') return pos_ += 2, Comparison::not_equal;
    if (c == '<' && d == '=') return pos_ += 2, Comparison::less_equal;
    if (c == '>' && d == '=') return pos_ += 2, Comparison::greater_equal;
    if (c == '<') return pos_ += 1, Comparison::less;
    if (c == '>') return pos_ += 1, Comparison::greater;
    fail(pos_, "expected a comparison operator (==, !=, <, <=, >, >=)");
  }

  double parse_threshold() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
    std::string token = text_.substr(start, pos_ - start);
    if (token.empty()) fail(start, "expected a number after the comparison operator");
    auto value = parse_exposition_float(token);
    if (!value) fail(start, "expected a number (e.g. 100, 0.5, 1e6, +Inf), found '" + token + "'");
    if (std::isnan(*value))
      fail(start, "NaN cannot be a threshold: every comparison with NaN is false");
    return *value;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

bool matches(const Sample& s, const LabelMatcher& m) {
  const std::string* value = nullptr;
  for (const Label& l : s.labels)
    if (l.name == m.name) value = &l.value;
  static const std::string empty;
  const std::string& v = value ? *value : empty;  // an absent label matches "" as in PromQL
  switch (m.op) {
    case MatchOp::equal: return v == m.value;
    case MatchOp::not_equal: return v != m.value;
    case MatchOp::regex: return std::regex_match(v, m.regex);
    case MatchOp::not_regex: return !std::regex_match(v, m.regex);
  }
  return false;
}

// Edit distance, given up once it must exceed `limit` (returns limit + 1).
std::size_t bounded_distance(std::string_view a, std::string_view b, std::size_t limit) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], limit + 1);
}

// The present name the user most likely meant: a small typo, or a missing or
// extra suffix such as _total. Empty if nothing is close.
std::string closest_name(const std::string& wanted, const std::vector<std::string>& names) {
  std::size_t limit = std::max<std::size_t>(2, wanted.size() / 3);
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const std::string& name : names) {
    std::size_t distance;
    bool prefix = wanted.size() >= 4 && name.size() >= 4 && (name.starts_with(wanted) || wanted.starts_with(name));
    if (prefix) {
      distance = std::max(name.size(), wanted.size()) - std::min(name.size(), wanted.size());
    } else {
      std::size_t gap = std::max(name.size(), wanted.size()) - std::min(name.size(), wanted.size());
      if (gap > limit || name.size() > 512) continue;
      distance = bounded_distance(wanted, name, limit);
      if (distance > limit) continue;
    }
    if (distance < best_distance) best_distance = distance, best = name;
  }
  return best;
}

std::string list_series(const std::vector<const Sample*>& series, std::size_t max) {
  std::string out;
  for (std::size_t k = 0; k < series.size() && k < max; ++k) out += (k ? ", " : "") + series_name(*series[k]);
  if (series.size() > max) out += " and " + std::to_string(series.size() - max) + " more";
  return out;
}

std::string no_match_message(const MetricAssertion& a, const Exposition& e) {
  std::string out = "no series matches " + selector_text(a);
  auto named = e.samples(a.metric);
  if (!named.empty()) return out + "; series of " + a.metric + " that exist: " + list_series(named, kListedSeries);
  if (const MetricFamily* f = e.family(a.metric)) {
    if (f->type == "histogram")
      return out + "; '" + a.metric + "' is a histogram: select " + a.metric + "_bucket, " + a.metric + "_sum or " +
             a.metric + "_count";
    return out + "; '" + a.metric + "' is declared (# HELP/# TYPE) but has no samples";
  }
  std::string guess = closest_name(a.metric, e.sample_names());
  if (!guess.empty()) return out + "; there is no metric '" + a.metric + "', did you mean '" + guess + "'?";
  return out + "; there is no metric '" + a.metric + "' in the exposition";
}

std::string expectation(const MetricAssertion& a) {
  return std::string("expected ") + comparison_text(a.comparison) + " " + format_sample_value(a.threshold);
}

AssertionResult evaluate_each(const MetricAssertion& a, const Exposition& e,
                              const std::vector<const Sample*>& selected) {
  if (selected.empty()) return {false, no_match_message(a, e)};
  std::vector<const Sample*> failing;
  for (const Sample* s : selected)
    if (!compare(s->value, a.comparison, a.threshold)) failing.push_back(s);
  if (failing.empty()) {
    std::string out = selected.size() == 1 ? "" : std::to_string(selected.size()) + " series: ";
    for (std::size_t k = 0; k < selected.size() && k < kListedSeries; ++k)
      out += (k ? ", " : "") + series_name(*selected[k]) + " = " + format_sample_value(selected[k]->value);
    if (selected.size() > kListedSeries) out += " and " + std::to_string(selected.size() - kListedSeries) + " more";
    return {true, out};
  }
  std::string out = selected.size() == 1 ? ""
                                         : std::to_string(failing.size()) + " of " + std::to_string(selected.size()) +
                                               " series fail: ";
  for (std::size_t k = 0; k < failing.size() && k < kListedFailures; ++k)
    out += (k ? "; " : "") + series_name(*failing[k]) + " is " + format_sample_value(failing[k]->value) + ", " +
           expectation(a);
  if (failing.size() > kListedFailures) out += "; and " + std::to_string(failing.size() - kListedFailures) + " more";
  return {false, out};
}

AssertionResult evaluate_aggregate(const MetricAssertion& a, const Exposition& e,
                                   const std::vector<const Sample*>& selected) {
  std::string label = std::string(aggregation_text(a.aggregation)) + "(" + selector_text(a) + ")";
  if (selected.empty() && a.aggregation != Aggregation::count)
    return {false, label + " has no value: " + no_match_message(a, e)};
  double value = 0;
  switch (a.aggregation) {
    case Aggregation::count: value = double(selected.size()); break;
    case Aggregation::sum:
    case Aggregation::avg:
      for (const Sample* s : selected) value += s->value;
      if (a.aggregation == Aggregation::avg) value /= double(selected.size());
      break;
    case Aggregation::min:
    case Aggregation::max: {
      // As PromQL: NaN only wins when every value is NaN.
      value = selected.front()->value;
      for (const Sample* s : selected) {
        bool better = a.aggregation == Aggregation::min ? s->value < value : s->value > value;
        if (better || std::isnan(value)) value = s->value;
      }
      break;
    }
    case Aggregation::none: break;
  }
  std::string over = "over " + std::to_string(selected.size()) + " series";
  if (compare(value, a.comparison, a.threshold)) {
    std::string observed = label + " = " + format_sample_value(value);
    return {true, observed + " (" + (selected.empty() ? "no series matches" : over) + ")"};
  }
  std::string out = label + " is " + format_sample_value(value) + ", " + expectation(a);
  if (selected.empty()) return {false, out + "; " + no_match_message(a, e)};
  if (a.aggregation == Aggregation::count) return {false, out + "; matching: " + list_series(selected, kListedSeries)};
  return {false, out + " (" + over + ")"};
}

}  // namespace

MetricAssertion parse_metric_assertion(const std::string& text) { return AssertionParser(text).run(); }

std::string selector_text(const MetricAssertion& a) {
  std::string out = a.metric;
  if (a.matchers.empty()) return out;
  out += '{';
  for (std::size_t k = 0; k < a.matchers.size(); ++k) {
    const LabelMatcher& m = a.matchers[k];
    out += (k ? "," : "") + m.name + match_op_text(m.op) + '"';
    for (char c : m.value) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') out += "\\n";
      else out += c;
    }
    out += '"';
  }
  return out + '}';
}

AssertionResult evaluate(const MetricAssertion& a, const Exposition& e) {
  std::vector<const Sample*> selected;
  for (const Sample* s : e.samples(a.metric))
    if (std::all_of(a.matchers.begin(), a.matchers.end(), [&](const LabelMatcher& m) { return matches(*s, m); }))
      selected.push_back(s);
  if (a.aggregation == Aggregation::none) return evaluate_each(a, e, selected);
  return evaluate_aggregate(a, e, selected);
}

}  // namespace greenlight
