// Parser for the Prometheus text exposition format 0.0.4. One pass over the
// lines, then the checks that need a whole family (histogram buckets). Every
// step is linear or n·log n in the input so hostile bodies cannot stall a run.
#include "suites/smoke/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace greenlight {

ExpositionError::ExpositionError(int line, const std::string& message)
    : std::runtime_error(line > 0 ? "line " + std::to_string(line) + ": " + message : message), line(line) {}

namespace {

constexpr std::size_t kExcerptChars = 120;
constexpr std::size_t kTokenChars = 40;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Length of the well-formed UTF-8 sequence starting at s[i], 0 if there is
// none (overlong forms, surrogates and code points above U+10FFFF included,
// as Go's utf8.ValidString, which Prometheus applies to label values and HELP).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Makes input bytes safe to print in a terminal: control bytes and broken
// UTF-8 become \xNN so a NUL or an escape sequence in a body cannot garble
// the report.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = utf8_sequence_length(s, i);
    if (c == '\t') {
      out += "\\t";
    } else if (n == 0 || c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
      n = 1;
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

// Moves a cut position off UTF-8 continuation bytes so excerpts stay readable.
std::size_t char_boundary(std::string_view s, std::size_t pos) {
  while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
  return pos;
}

// The offending line for a message: whole if short, else a window around
// `column` so the problem stays visible on a 100 KiB line.
std::string excerpt(std::string_view line, std::size_t column) {
  if (line.size() <= kExcerptChars) return printable(line);
  std::size_t start = column > kExcerptChars / 2 ? column - kExcerptChars / 2 : 0;
  start = std::min(start, line.size() - kExcerptChars);
  start = char_boundary(line, start);
  std::size_t end = char_boundary(line, std::min(line.size(), start + kExcerptChars));
  return (start > 0 ? "..." : "") + printable(line.substr(start, end - start)) + (end < line.size() ? "..." : "");
}

// A piece of input quoted inside a message, capped so a 1 MiB token cannot
// make a 1 MiB message.
std::string token_text(std::string_view token) {
  if (token.size() <= kTokenChars) return printable(token);
  return printable(token.substr(0, char_boundary(token, kTokenChars))) + "...";
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// Sign of the decimal exponent of a well-formed decimal literal (no sign),
// used only to tell overflow from underflow after from_chars says "out of range".
bool decimal_underflows(std::string_view s) {
  std::size_t i = 0;
  long long magnitude = 0;
  bool seen_nonzero = false;
  long long int_digits = 0, leading_frac_zeros = 0;
  while (i < s.size() && is_ascii_digit(s[i])) {
    if (s[i] != '0' || seen_nonzero) {
      seen_nonzero = true;
      ++int_digits;
    }
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_ascii_digit(s[i])) {
      if (!seen_nonzero) {
        if (s[i] == '0') ++leading_frac_zeros;
        else seen_nonzero = true;
      }
      ++i;
    }
  }
  magnitude = int_digits > 0 ? int_digits - 1 : -(leading_frac_zeros + 1);
  long long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    for (; i < s.size() && is_ascii_digit(s[i]); ++i)
      exponent = std::min<long long>(exponent * 10 + (s[i] - '0'), 1'000'000'000LL);  // saturate
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent < 0;
}

// Samples of one family that share all labels but `le`: one histogram series.
struct HistogramSeries {
  std::vector<const Sample*> buckets;
  const Sample* first = nullptr;
};

// What the parser remembers about a family beyond what the result holds.
struct FamilyState {
  int help_line = 0;
  int type_line = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Exposition run() {
    if (text_.size() > kMaxExpositionBytes)
      throw ExpositionError(0, "the exposition is " + std::to_string(text_.size()) +
                                   " bytes, more than the limit of " + std::to_string(kMaxExpositionBytes) +
                                   " bytes (64 MiB); a /metrics this big would also fail Prometheus scrapes");
    std::size_t pos = 0;
    int number = 0;
    while (pos < text_.size()) {
      ++number;
      std::size_t nl = text_.find('\n', pos);
      bool terminated = nl != std::string_view::npos;
      std::size_t end = terminated ? nl : text_.size();
      line_ = text_.substr(pos, end - pos);
      line_number_ = number;
      if (line_.size() > kMaxExpositionLineBytes)
        fail(0, "the line is " + std::to_string(line_.size()) + " bytes long, more than the limit of " +
                    std::to_string(kMaxExpositionLineBytes) + " bytes (1 MiB)");
      parse_line();
      if (!terminated && skip_blanks(0) < line_.size())
        fail(line_.size(), "the last line does not end with a newline; the format requires one (Prometheus "
                           "rejects the scrape with \"unexpected end of input stream\")");
      pos = end + 1;
    }
    check_histograms();
    return std::move(result_);
  }

 private:
  [[noreturn]] void fail(std::size_t column, const std::string& message) const {
    throw ExpositionError(line_number_, message + ": " + excerpt(line_, column));
  }

  // For checks made after the pass: finds the sample's line again (error path only).
  [[noreturn]] void fail_at(int line_number, const std::string& message) const {
    std::size_t pos = 0;
    for (int n = 1; n < line_number; ++n) pos = text_.find('\n', pos) + 1;
    std::size_t end = std::min(text_.find('\n', pos), text_.size());
    throw ExpositionError(line_number, message + ": " + excerpt(text_.substr(pos, end - pos), 0));
  }

  std::size_t skip_blanks(std::size_t i) const {
    while (i < line_.size() && is_blank(line_[i])) ++i;
    return i;
  }

  std::size_t token_end(std::size_t i) const {
    while (i < line_.size() && !is_blank(line_[i])) ++i;
    return i;
  }

  void reject_carriage_return() const {
    if (!line_.empty() && line_.back() == '\r')
      fail(line_.size() - 1, "the line ends with a carriage return (\\r); the format needs \\n line endings, "
                             "not \\r\\n");
  }

  void parse_line() {
    std::size_t i = skip_blanks(0);
    if (i == line_.size()) return;
    if (line_[i] == '#') parse_comment(i + 1);
    else parse_sample(i);
  }

  std::size_t family_index(const std::string& name) {
    if (result_.families.size() >= kMaxExpositionSeries && !family_by_name_.count(name))
      fail(0, "more than " + std::to_string(kMaxExpositionSeries) +
                  " metric families, the limit that keeps memory bounded (a /metrics this big is a cardinality "
                  "problem for Prometheus too)");
    auto [it, inserted] = family_by_name_.try_emplace(name, result_.families.size());
    if (inserted) {
      result_.families.emplace_back();
      result_.families.back().name = name;
      state_.push_back(FamilyState{});
    }
    return it->second;
  }

  void parse_comment(std::size_t i) {
    i = skip_blanks(i);
    std::size_t keyword_end = token_end(i);
    std::string_view keyword = line_.substr(i, keyword_end - i);
    if (keyword != "HELP" && keyword != "TYPE") return;  // an ordinary comment
    std::size_t name_start = skip_blanks(keyword_end);
    if (name_start == line_.size()) return;  // "# HELP" alone is a comment too, as in Prometheus
    std::size_t name_end = name_start;
    if (is_metric_start(line_[name_end]))
      while (name_end < line_.size() && is_metric_char(line_[name_end])) ++name_end;
    if (name_end == name_start || (name_end < line_.size() && !is_blank(line_[name_end]))) {
      std::string_view token = line_.substr(name_start, token_end(name_start) - name_start);
      fail(name_start, "invalid metric name '" + token_text(token) + "' in # " + std::string(keyword) +
                           " (names match [a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
    std::string name(line_.substr(name_start, name_end - name_start));
    if (keyword == "HELP") parse_help(name, skip_blanks(name_end));
    else parse_type(name, skip_blanks(name_end));
  }

  void parse_help(const std::string& name, std::size_t i) {
    std::size_t f = family_index(name);
    if (state_[f].help_line)
      fail(0, "second # HELP for '" + name + "' (the first is on line " + std::to_string(state_[f].help_line) + ")");
    state_[f].help_line = line_number_;
    std::string help;
    help.reserve(line_.size() - i);
    for (; i < line_.size(); ++i) {
      char c = line_[i];
      // Only \\ and \n are escapes in HELP; any other backslash stays as written (as in Prometheus).
      if (c == '\\' && i + 1 < line_.size() && (line_[i + 1] == '\\' || line_[i + 1] == 'n')) {
        help += line_[i + 1] == 'n' ? '\n' : '\\';
        ++i;
      } else {
        help += c;
      }
    }
    if (!valid_utf8(help)) fail(0, "the HELP text of '" + name + "' is not valid UTF-8");
    result_.families[f].help = std::move(help);
  }

  void parse_type(const std::string& name, std::size_t i) {
    reject_carriage_return();
    std::size_t type_end = token_end(i);
    std::string type(line_.substr(i, type_end - i));
    for (char& c : type)
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');  // Prometheus accepts any case
    if (type.empty())
      fail(line_.size(), "# TYPE for '" + name + "' gives no type (counter, gauge, histogram, summary or untyped)");
    if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped")
      fail(i, "unknown metric type '" + token_text(line_.substr(i, type_end - i)) + "' for '" + name +
                  "' (expected counter, gauge, histogram, summary or untyped)");
    if (std::size_t rest = skip_blanks(type_end); rest < line_.size())
      fail(rest, "unexpected text after the type of '" + name + "'");
    std::size_t f = family_index(name);
    if (state_[f].type_line)
      fail(0, "second # TYPE for '" + name + "' (the first is on line " + std::to_string(state_[f].type_line) + ")");
    if (!result_.families[f].samples.empty())
      fail(0, "# TYPE for '" + name + "' comes after its samples (the first is on line " +
                  std::to_string(result_.families[f].samples.front().line) + "); TYPE must come first");
    // A histogram/summary declared late would leave its _sum/_count samples in a
    // separate untyped family: the same mistake as TYPE after samples.
    if (type == "histogram" || type == "summary") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (type == "summary" && std::string_view(suffix) == "_bucket") continue;
        auto it = family_by_name_.find(name + suffix);
        if (it != family_by_name_.end() && !result_.families[it->second].samples.empty())
          fail(0, "# TYPE for '" + name + "' comes after its sample '" + name + suffix + "' (line " +
                      std::to_string(result_.families[it->second].samples.front().line) + "); TYPE must come first");
      }
    }
    state_[f].type_line = line_number_;
    result_.families[f].type = std::move(type);
  }

  // Reads a double-quoted label value at line_[i] == '"'; returns the index after the closing quote.
  std::size_t parse_label_value(std::size_t i, const std::string& label, std::string& value) {
    std::size_t open = i++;
    for (;;) {
      std::size_t stop = i;
      while (stop < line_.size() && line_[stop] != '"' && line_[stop] != '\\') ++stop;
      value.append(line_.substr(i, stop - i));
      if (stop == line_.size())
        fail(open, "the value of label '" + label + "' has no closing '\"'");
      if (line_[stop] == '"') {
        i = stop + 1;
        break;
      }
      if (stop + 1 == line_.size()) fail(stop, "the value of label '" + label + "' has no closing '\"'");
      char e = line_[stop + 1];
      if (e == '\\') value += '\\';
      else if (e == '"') value += '"';
      else if (e == 'n') value += '\n';
      else
        fail(stop, "invalid escape '\\" + token_text(line_.substr(stop + 1, 1)) + "' in the value of label '" + label +
                       "' (only \\\\, \\\" and \\n are allowed)");
      i = stop + 2;
    }
    if (!valid_utf8(value)) fail(open, "the value of label '" + label + "' is not valid UTF-8");
    return i;
  }

  // Parses `{name="value",...}` starting at line_[i] == '{'; returns the index after '}'.
  std::size_t parse_labels(std::size_t i, const std::string& metric, Sample& sample) {
    label_columns_.clear();
    ++i;
    for (;;) {
      i = skip_blanks(i);
      if (i == line_.size()) fail(i, "the labels of '" + metric + "' have no closing '}'");
      if (line_[i] == '}') return i + 1;
      if (!is_label_start(line_[i]))
        fail(i, "expected a label name or '}' in the labels of '" + metric + "', found '" +
                    token_text(line_.substr(i, 1)) + "' (label names match [a-zA-Z_][a-zA-Z0-9_]*)");
      std::size_t name_start = i;
      while (i < line_.size() && is_label_char(line_[i])) ++i;
      std::string name(line_.substr(name_start, i - name_start));
      if (name == "__name__") fail(name_start, "label name '__name__' is reserved");
      i = skip_blanks(i);
      if (i == line_.size() || line_[i] != '=') {
        if (i < line_.size() && is_metric_char(line_[i]) && !is_label_char(line_[i]))
          fail(i, "invalid character ':' in label name '" + name + "' (label names match [a-zA-Z_][a-zA-Z0-9_]*)");
        fail(i, "expected '=' after label name '" + name + "'");
      }
      i = skip_blanks(i + 1);
      if (i == line_.size() || line_[i] != '"') fail(i, "expected '\"' to open the value of label '" + name + "'");
      std::string value;
      i = parse_label_value(i, name, value);
      sample.labels.push_back(Label{std::move(name), std::move(value)});
      label_columns_.push_back(name_start);
      i = skip_blanks(i);
      if (i < line_.size() && line_[i] == ',') {
        ++i;  // a trailing comma before '}' is allowed
        continue;
      }
      if (i < line_.size() && line_[i] == '}') return i + 1;
      fail(i, "expected ',' or '}' after the value of label '" + sample.labels.back().name + "'");
    }
  }

  // Small label sets are scanned pairwise; big ones sorted, so a line with
  // 100 000 labels stays n·log n.
  void check_duplicate_labels(const Sample& sample) const {
    const auto& labels = sample.labels;
    auto duplicate = [&](std::size_t second) {
      fail(label_columns_[second], "label '" + labels[second].name + "' appears twice in one sample of '" +
                                       sample.name + "'");
    };
    if (labels.size() <= 16) {
      for (std::size_t a = 1; a < labels.size(); ++a)
        for (std::size_t b = 0; b < a; ++b)
          if (labels[a].name == labels[b].name) duplicate(a);
      return;
    }
    std::vector<std::size_t> order(labels.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return labels[a].name < labels[b].name; });
    for (std::size_t k = 1; k < order.size(); ++k)
      if (labels[order[k]].name == labels[order[k - 1]].name) duplicate(order[k]);
  }

  static const Label* find_label(const Sample& sample, std::string_view name) {
    for (const Label& l : sample.labels)
      if (l.name == name) return &l;
    return nullptr;
  }

  // Name plus sorted labels, length-prefixed values so no two label sets collide.
  static std::string series_key(const Sample& sample, std::string_view skip_label = {}) {
    std::vector<const Label*> sorted;
    sorted.reserve(sample.labels.size());
    for (const Label& l : sample.labels)
      if (l.name != skip_label) sorted.push_back(&l);
    std::sort(sorted.begin(), sorted.end(), [](const Label* a, const Label* b) { return a->name < b->name; });
    std::string key = skip_label.empty() ? sample.name : std::string();
    for (const Label* l : sorted) {
      key += '\0';
      key += l->name;
      key += '\0';
      key += std::to_string(l->value.size());
      key += ':';
      key += l->value;
    }
    return key;
  }

  // Which family a sample belongs to, the way Prometheus groups them: its own
  // name first, then a histogram/summary it is the _bucket/_sum/_count of.
  std::size_t family_for_sample(const Sample& sample, std::size_t name_column) {
    const std::string& name = sample.name;
    if (auto it = family_by_name_.find(name); it != family_by_name_.end()) {
      const MetricFamily& family = result_.families[it->second];
      if (family.type == "histogram")
        fail(name_column, "'" + name + "' is a histogram: its samples are named " + name + "_bucket, " + name +
                              "_sum and " + name + "_count");
      if (family.type == "summary" && !find_label(sample, "quantile"))
        fail(name_column, "sample of summary '" + name + "' has no 'quantile' label (use " + name + "_sum or " +
                              name + "_count for the totals)");
      return it->second;
    }
    auto base_family = [&](std::string_view suffix) -> const MetricFamily* {
      if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        return nullptr;
      auto it = family_by_name_.find(name.substr(0, name.size() - suffix.size()));
      return it == family_by_name_.end() ? nullptr : &result_.families[it->second];
    };
    if (const MetricFamily* f = base_family("_bucket"); f && f->type == "histogram") {
      if (!find_label(sample, "le"))
        fail(name_column, "bucket of histogram '" + f->name + "' has no 'le' label");
      return family_by_name_[f->name];
    }
    for (std::string_view suffix : {std::string_view("_sum"), std::string_view("_count")})
      if (const MetricFamily* f = base_family(suffix); f && (f->type == "histogram" || f->type == "summary"))
        return family_by_name_[f->name];
    return family_index(name);
  }

  void check_bound_labels(const MetricFamily& family, const Sample& sample, std::size_t name_column) const {
    const char* bound = nullptr;
    if (family.type == "histogram" && sample.name.size() == family.name.size() + 7) bound = "le";  // _bucket
    if (family.type == "summary" && sample.name == family.name) bound = "quantile";
    if (!bound) return;
    const Label* l = find_label(sample, bound);
    auto v = parse_exposition_float(l->value);
    if (!v || std::isnan(*v))
      fail(name_column, "'" + std::string(bound) + "' label of '" + sample.name + "' is '" + token_text(l->value) +
                            "', not a number");
  }

  void parse_sample(std::size_t i) {
    reject_carriage_return();
    Sample sample;
    sample.line = line_number_;
    std::size_t name_start = i;
    if (!is_metric_start(line_[i]))
      fail(i, "expected a metric name, found '" + token_text(line_.substr(i, 1)) +
                  "' (metric names match [a-zA-Z_:][a-zA-Z0-9_:]*)");
    while (i < line_.size() && is_metric_char(line_[i])) ++i;
    sample.name = std::string(line_.substr(name_start, i - name_start));
    if (i < line_.size() && !is_blank(line_[i]) && line_[i] != '{')
      fail(i, "invalid character '" + token_text(line_.substr(i, 1)) + "' after metric name '" + sample.name +
                  "' (metric names match [a-zA-Z_:][a-zA-Z0-9_:]*)");
    i = skip_blanks(i);
    if (i < line_.size() && line_[i] == '{') {
      i = parse_labels(i, sample.name, sample);
      check_duplicate_labels(sample);
    }
    i = skip_blanks(i);
    if (i == line_.size()) fail(i, "sample of '" + sample.name + "' has no value");
    std::size_t value_end = token_end(i);
    std::string_view value = line_.substr(i, value_end - i);
    auto parsed = parse_exposition_float(value);
    if (!parsed)
      fail(i, "invalid value '" + token_text(value) + "' for '" + sample.name +
                  "' (expected a number, NaN, +Inf or -Inf)");
    sample.value = *parsed;
    i = skip_blanks(value_end);
    if (i < line_.size()) {
      std::size_t ts_end = token_end(i);
      std::string_view ts = line_.substr(i, ts_end - i);
      std::string_view digits = !ts.empty() && ts[0] == '+' ? ts.substr(1) : ts;
      int64_t ms = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
      if (digits.empty() || digits[0] == '+' || ec != std::errc() || ptr != digits.data() + digits.size())
        fail(i, "invalid timestamp '" + token_text(ts) + "' for '" + sample.name +
                    "' (expected integer milliseconds since the epoch)");
      sample.timestamp_ms = ms;
      if (std::size_t rest = skip_blanks(ts_end); rest < line_.size())
        fail(rest, "unexpected text after the timestamp of '" + sample.name + "'");
    }

    std::size_t f = family_for_sample(sample, name_start);
    check_bound_labels(result_.families[f], sample, name_start);
    auto [seen, inserted] = series_lines_.try_emplace(series_key(sample), line_number_);
    if (!inserted)
      fail(name_start, "duplicate series " + token_text(series_name(sample)) + " (first on line " +
                           std::to_string(seen->second) + ")");
    if (++series_count_ > kMaxExpositionSeries)
      fail(name_start, "more than " + std::to_string(kMaxExpositionSeries) +
                           " series, the limit that keeps memory bounded (a /metrics this big is a cardinality "
                           "problem for Prometheus too)");
    result_.families[f].samples.push_back(std::move(sample));
  }

  void check_histograms() const {
    for (const MetricFamily& family : result_.families) {
      if (family.type != "histogram") continue;
      std::unordered_map<std::string, std::size_t> index;
      std::vector<HistogramSeries> series;
      for (const Sample& s : family.samples) {
        auto [it, inserted] = index.try_emplace(series_key(s, "le"), series.size());
        if (inserted) series.push_back(HistogramSeries{{}, &s});
        if (s.name.size() == family.name.size() + 7) series[it->second].buckets.push_back(&s);  // _bucket
      }
      for (HistogramSeries& h : series) check_histogram_series(family, h);
    }
  }

  void check_histogram_series(const MetricFamily& family, HistogramSeries& h) const {
    auto le = [](const Sample* s) { return *parse_exposition_float(find_label(*s, "le")->value); };
    std::vector<std::pair<double, const Sample*>> buckets;
    buckets.reserve(h.buckets.size());
    for (const Sample* s : h.buckets) buckets.emplace_back(le(s), s);
    std::stable_sort(buckets.begin(), buckets.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Label> labels;
    for (const Label& l : h.first->labels)
      if (l.name != "le") labels.push_back(l);
    std::string which = labels.empty() ? "" : " for " + token_text(series_name("", labels));
    if (buckets.empty() || buckets.back().first != std::numeric_limits<double>::infinity())
      fail_at(buckets.empty() ? h.first->line : buckets.back().second->line,
              "histogram '" + family.name + "' has no bucket with le=\"+Inf\"" + which);
    for (std::size_t k = 1; k < buckets.size(); ++k) {
      const auto& [le_prev, prev] = buckets[k - 1];
      const auto& [le_here, here] = buckets[k];
      std::string le_text = find_label(*here, "le")->value;
      if (le_here == le_prev)
        fail_at(here->line, "histogram '" + family.name + "' has two buckets with le=\"" + token_text(le_text) +
                                "\"" + which + " (the other is on line " + std::to_string(prev->line) + ")");
      if (here->value < prev->value)
        fail_at(here->line, "histogram '" + family.name + "' bucket le=\"" + token_text(le_text) + "\" counts " +
                                format_sample_value(here->value) + ", less than " + format_sample_value(prev->value) +
                                " in bucket le=\"" + token_text(find_label(*prev, "le")->value) + "\"" + which +
                                " (line " + std::to_string(prev->line) + "); buckets must be cumulative");
    }
  }

  std::string_view text_;
  std::string_view line_;
  int line_number_ = 0;
  Exposition result_;
  std::vector<FamilyState> state_;  // parallel to result_.families
  std::unordered_map<std::string, std::size_t> family_by_name_;
  std::unordered_map<std::string, int> series_lines_;  // series key -> line first seen
  std::size_t series_count_ = 0;
  std::vector<std::size_t> label_columns_;             // of the sample being parsed
};

}  // namespace

Exposition parse_exposition(std::string_view text) { return Parser(text).run(); }

std::optional<double> parse_exposition_float(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  std::string_view rest = text;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (iequals(rest, "inf") || iequals(rest, "infinity")) return negative ? -inf : inf;
  if (rest.size() == text.size() && iequals(rest, "nan")) return std::numeric_limits<double>::quiet_NaN();
  // Checked by hand first: from_chars alone would also take "nan(...)" and "inf".
  std::size_t i = 0, mantissa_digits = 0;
  while (i < rest.size() && is_ascii_digit(rest[i])) ++i, ++mantissa_digits;
  if (i < rest.size() && rest[i] == '.')
    for (++i; i < rest.size() && is_ascii_digit(rest[i]); ++i) ++mantissa_digits;
  if (mantissa_digits == 0) return std::nullopt;
  if (i < rest.size() && (rest[i] == 'e' || rest[i] == 'E')) {
    ++i;
    if (i < rest.size() && (rest[i] == '+' || rest[i] == '-')) ++i;
    std::size_t exponent_start = i;
    while (i < rest.size() && is_ascii_digit(rest[i])) ++i;
    if (i == exponent_start) return std::nullopt;
  }
  if (i != rest.size()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    if (!decimal_underflows(rest)) return std::nullopt;
    value = 0;
  } else if (ec != std::errc() || ptr != rest.data() + rest.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, ptr);
}

std::string series_name(std::string_view name, const std::vector<Label>& labels) {
  std::string out(name);
  if (labels.empty()) return out;
  out += '{';
  for (std::size_t k = 0; k < labels.size(); ++k) {
    if (k) out += ',';
    out += labels[k].name;
    out += "=\"";
    out += escape_label_value(labels[k].value);
    out += '"';
  }
  out += '}';
  return out;
}

std::string series_name(const Sample& sample) { return series_name(sample.name, sample.labels); }

const MetricFamily* Exposition::family(std::string_view name) const {
  for (const MetricFamily& f : families)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<const Sample*> Exposition::samples(std::string_view sample_name) const {
  std::vector<const Sample*> out;
  for (const MetricFamily& f : families) {
    if (!sample_name.starts_with(f.name)) continue;  // a sample's name always extends its family's
    for (const Sample& s : f.samples)
      if (s.name == sample_name) out.push_back(&s);
  }
  return out;
}

std::vector<std::string> Exposition::sample_names() const {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  for (const MetricFamily& f : families)
    for (const Sample& s : f.samples)
      if (seen.insert(s.name).second) out.push_back(s.name);
  return out;
}

}  // namespace greenlight
