// A Go text/template interpreter for Prometheus alert templates: Go 1.19's
// exec.go step by step (which node an error is reported at, how constants are
// typed, how arguments are converted, missingkey=zero), Go's fmt for printing
// and printf, and Prometheus 2.42's template functions (template.go). Values
// carry their Go type, because Go's behaviour (and its messages) depend on it.
#include "suites/alerts/template_expand.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <regex>
#include <set>

#include "suites/alerts/go_template.h"
#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/lexer.h"
#include "suites/alerts/promql/printer.h"
#include "suites/alerts/promql/regex_check.h"

namespace greenlight {

namespace {

using gotmpl::Command;
using gotmpl::Node;
using gotmpl::Operand;
using gotmpl::Pipeline;
using StrMap = std::map<std::string, std::string>;

// ------------------------------------------------------------------ values

struct Sample {
  StrMap labels;
  double value = 0;
};
using SamplePtr = std::shared_ptr<const Sample>;

// The Go types a value in an alert template can have.
enum class K {
  Invalid,  // no value (reflect.Value{}), printed "<no value>"
  Bool,
  Int,
  Uint8,  // a byte, from index on a string
  Float,
  String,
  Html,     // html/template.HTML from safeHtml: a string, but not assignable to string
  StrMap,   // map[string]string
  AnyMap,   // map[string]interface {} from args
  Samples,  // template.queryResult
  Sample,   // *template.sample (may be nil)
  Data,     // the alert's template data struct
  Time,     // *time.Time from toTime
};

struct Value;
using AnyMap = std::map<std::string, Value>;

struct Value {
  K k = K::Invalid;
  bool b = false;
  std::int64_t i = 0;
  double f = 0;
  std::string s;
  std::shared_ptr<const StrMap> smap;
  std::shared_ptr<const AnyMap> amap;
  std::shared_ptr<const std::vector<SamplePtr>> samples;
  SamplePtr sample;
  std::shared_ptr<const AlertTemplateData> data;
  std::int64_t time_ms = 0;

  static Value boolean(bool v) { Value x; x.k = K::Bool; x.b = v; return x; }
  static Value integer(std::int64_t v) { Value x; x.k = K::Int; x.i = v; return x; }
  static Value byte(unsigned char v) { Value x; x.k = K::Uint8; x.i = v; return x; }
  static Value number(double v) { Value x; x.k = K::Float; x.f = v; return x; }
  static Value string(std::string v, K kind = K::String) { Value x; x.k = kind; x.s = std::move(v); return x; }
  static Value str_map(const StrMap& m) { Value x; x.k = K::StrMap; x.smap = std::make_shared<StrMap>(m); return x; }
  static Value of_samples(std::vector<SamplePtr> v) {
    Value x;
    x.k = K::Samples;
    x.samples = std::make_shared<std::vector<SamplePtr>>(std::move(v));
    return x;
  }
  static Value of_sample(SamplePtr p) { Value x; x.k = K::Sample; x.sample = std::move(p); return x; }
};

const char* kDataType =
    "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }";

std::string type_name(const Value& v) {
  switch (v.k) {
    case K::Invalid: return "<nil>";
    case K::Bool: return "bool";
    case K::Int: return "int";
    case K::Uint8: return "uint8";
    case K::Float: return "float64";
    case K::String: return "string";
    case K::Html: return "template.HTML";
    case K::StrMap: return "map[string]string";
    case K::AnyMap: return "map[string]interface {}";
    case K::Samples: return "template.queryResult";
    case K::Sample: return "*template.sample";
    case K::Data: return kDataType;
    case K::Time: return "*time.Time";
  }
  return "?";
}

bool is_stringish(const Value& v) { return v.k == K::String || v.k == K::Html; }

// A function's failure: text/template reports it as "error calling NAME: MSG".
struct FuncError {
  std::string message;
};

// ------------------------------------------------------------------ Go fmt

std::string go_quote(std::string_view s) { return promql::quote_string(s); }

// time.Time.String() of a UTC instant given in milliseconds.
std::string format_time_ms(std::int64_t ms) {
  std::int64_t secs = ms / 1000, frac = ms % 1000;
  if (frac < 0) frac += 1000, secs -= 1;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (frac) {
    char f[8];
    std::snprintf(f, sizeof f, ".%03d", static_cast<int>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + " +0000 UTC";
}

struct Spec {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  int width = -1, prec = -1;
};

std::size_t rune_count(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(std::string s, const Spec& sp, bool zero_ok = false) {
  if (sp.width < 0) return s;
  std::size_t n = rune_count(s);
  if (n >= static_cast<std::size_t>(sp.width)) return s;
  std::size_t fill = sp.width - n;
  if (sp.minus) return s + std::string(fill, ' ');
  if (sp.zero && zero_ok) {
    std::size_t at = (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) ? 1 : 0;
    return s.substr(0, at) + std::string(fill, '0') + s.substr(at);
  }
  return std::string(fill, ' ') + s;
}

std::string c_format(const char* fmt, int prec, double v) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, prec, v);
  return buf;
}

// Go's fmtFloat for verbs v, g, G, e, E, f, F; prec -1 means the verb's default.
std::string fmt_float(double v, char verb, const Spec& sp) {
  std::string num;
  if (std::isnan(v)) {
    num = sp.plus ? "+NaN" : sp.space ? " NaN" : "NaN";
    return pad(num, sp);
  }
  if (std::isinf(v)) {
    num = v > 0 ? (sp.space && !sp.plus ? " Inf" : "+Inf") : "-Inf";
    return pad(num, sp);
  }
  int prec = sp.prec;
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      if (prec < 0) {
        num = promql::format_number(v);
        if (verb == 'G')
          for (char& c : num) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      } else {
        num = c_format(verb == 'G' ? "%.*G" : "%.*g", prec, v);
      }
      break;
    case 'e': num = c_format("%.*e", prec < 0 ? 6 : prec, v); break;
    case 'E': num = c_format("%.*E", prec < 0 ? 6 : prec, v); break;
    default: num = c_format("%.*f", prec < 0 ? 6 : prec, v); break;
  }
  if (num[0] != '-') {
    if (sp.plus) num = "+" + num;
    else if (sp.space) num = " " + num;
  }
  return pad(num, sp, true);
}

std::string fmt_int(std::int64_t v, char verb, const Spec& sp, bool unsigned_type) {
  std::string digits;
  bool neg = v < 0 && !unsigned_type;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
  auto base_digits = [&](int base, bool upper) {
    if (u == 0) return std::string("0");
    std::string out;
    const char* d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (std::uint64_t x = u; x; x /= base) out.insert(out.begin(), d[x % base]);
    return out;
  };
  switch (verb) {
    case 'x': digits = base_digits(16, false); if (sp.sharp) digits = "0x" + digits; break;
    case 'X': digits = base_digits(16, true); if (sp.sharp) digits = "0X" + digits; break;
    case 'o': digits = base_digits(8, false); if (sp.sharp) digits = "0" + digits; break;
    case 'O': digits = "0o" + base_digits(8, false); break;
    case 'b': digits = base_digits(2, false); break;
    default: digits = base_digits(10, false); break;
  }
  if (sp.prec >= 0 && digits.size() < static_cast<std::size_t>(sp.prec))
    digits.insert(0, std::string(sp.prec - digits.size(), '0'));
  if (neg) digits = "-" + digits;
  else if (sp.plus) digits = "+" + digits;
  else if (sp.space) digits = " " + digits;
  return pad(digits, sp, sp.prec < 0);
}

void append_utf8(std::string& out, std::uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

std::string format_value(const Value& v, char verb, const Spec& sp, int depth);

// fmt's "%!v(type=value)" for a verb the operand's type does not take.
std::string bad_verb(const Value& v, char verb) {
  if (v.k == K::Invalid) return std::string("%!") + verb + "(<nil>)";
  return std::string("%!") + verb + "(" + type_name(v) + "=" + format_value(v, 'v', Spec{}, 0) + ")";
}


std::string sample_struct(const Sample& s, char verb, int depth) {
  Spec none;
  Value labels = Value::str_map(s.labels);
  Value value = Value::number(s.value);
  return "{" + format_value(labels, verb, none, depth + 1) + " " + format_value(value, verb, none, depth + 1) + "}";
}

std::string format_value(const Value& v, char verb, const Spec& sp, int depth) {
  switch (v.k) {
    case K::Invalid:
      return verb == 'v' ? pad("<nil>", sp) : bad_verb(v, verb);
    case K::Bool:
      if (verb == 'v' || verb == 't') return pad(v.b ? "true" : "false", sp);
      return bad_verb(v, verb);
    case K::Int:
    case K::Uint8:
      switch (verb) {
        case 'v': case 'd': case 'x': case 'X': case 'o': case 'O': case 'b':
          return fmt_int(v.i, verb, sp, v.k == K::Uint8);
        case 'c': {
          std::string out;
          append_utf8(out, static_cast<std::uint32_t>(v.i));
          return pad(out, sp);
        }
        case 'q': {
          std::string out;
          append_utf8(out, static_cast<std::uint32_t>(v.i));
          std::string q = go_quote(out);
          return pad("'" + q.substr(1, q.size() - 2) + "'", sp);
        }
        case 'U': {
          char buf[32];
          std::snprintf(buf, sizeof buf, "U+%04llX", static_cast<unsigned long long>(v.i));
          return pad(buf, sp);
        }
        default: return bad_verb(v, verb);
      }
    case K::Float:
      switch (verb) {
        case 'v': case 'g': case 'G': case 'e': case 'E': case 'f': case 'F': return fmt_float(v.f, verb, sp);
        default: return bad_verb(v, verb);
      }
    case K::String:
    case K::Html: {
      std::string s = v.s;
      switch (verb) {
        case 'v':
        case 's':
          if (sp.prec >= 0) {
            std::size_t n = 0, i = 0;
            for (; i < s.size(); ++i) {
              if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
                if (n == static_cast<std::size_t>(sp.prec)) break;
                ++n;
              }
            }
            s = s.substr(0, i);
          }
          return pad(s, sp);
        case 'q': return pad(go_quote(s), sp);
        case 'x':
        case 'X': {
          std::string out;
          const char* d = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
          for (unsigned char c : s) out += d[c >> 4], out += d[c & 15];
          return pad(out, sp);
        }
        default: return bad_verb(v, verb);
      }
    }
    case K::StrMap: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [key, val] : *v.smap) {
        if (!first) out += " ";
        first = false;
        out += format_value(Value::string(key), verb, sp, depth + 1) + ":" +
               format_value(Value::string(val), verb, sp, depth + 1);
      }
      return out + "]";
    }
    case K::AnyMap: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [key, val] : *v.amap) {
        if (!first) out += " ";
        first = false;
        out += format_value(Value::string(key), verb, sp, depth + 1) + ":" + format_value(val, verb, sp, depth + 1);
      }
      return out + "]";
    }
    case K::Samples: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.samples->size(); ++i) {
        if (i) out += " ";
        out += format_value(Value::of_sample((*v.samples)[i]), verb, sp, depth + 1);
      }
      return out + "]";
    }
    case K::Sample:
      if (!v.sample) return verb == 'v' ? "<nil>" : bad_verb(v, verb);
      // fmt prints &{...} for a pointer to a struct at the top level only;
      // deeper it prints the address, which no template can rely on.
      if (depth == 0) return "&" + sample_struct(*v.sample, verb, depth);
      if (verb == 'v' || verb == 'p') return "0xc000010000";
      return std::string("%!") + verb + "(*template.sample=&" + sample_struct(*v.sample, 'v', 0) + ")";
    case K::Data: {
      Spec none;
      Value labels = Value::str_map(v.data->labels);
      Value ext = Value::str_map(v.data->external_labels);
      return "{" + format_value(labels, verb, none, depth + 1) + " " + format_value(ext, verb, none, depth + 1) + " " +
             format_value(Value::string(v.data->external_url), verb, none, depth + 1) + " " +
             format_value(Value::number(v.data->value), verb, none, depth + 1) + "}";
    }
    case K::Time:
      // *time.Time is a Stringer.
      if (verb == 'v' || verb == 's') return pad(format_time_ms(v.time_ms), sp);
      if (verb == 'q') return pad(go_quote(format_time_ms(v.time_ms)), sp);
      return bad_verb(v, verb);
  }
  return "";
}

// fmt.Sprint: operands separated by a space when neither is a string.
std::string go_sprint(const std::vector<Value>& args) {
  std::string out;
  bool prev_string = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool is_string = is_stringish(args[i]);
    if (i > 0 && !is_string && !prev_string) out += ' ';
    out += format_value(args[i], 'v', Spec{}, 0);
    prev_string = is_string;
  }
  return out;
}

std::string go_sprintln(const std::vector<Value>& args) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    out += format_value(args[i], 'v', Spec{}, 0);
  }
  return out + "\n";
}

// fmt.Sprintf, with Go's in-band error forms (%!d(float64=1.5), %!d(MISSING),
// %!(EXTRA int=2), %!(NOVERB), %!(BADWIDTH), %!(BADPREC)).
std::string go_sprintf(const std::string& format, const std::vector<Value>& args) {
  std::string out;
  std::size_t arg = 0, i = 0, n = format.size();
  while (i < n) {
    std::size_t pct = format.find('%', i);
    if (pct == std::string::npos) {
      out += format.substr(i);
      break;
    }
    out += format.substr(i, pct - i);
    i = pct + 1;
    Spec sp;
    for (; i < n; ++i) {
      char c = format[i];
      if (c == '#') sp.sharp = true;
      else if (c == '0') sp.zero = !sp.minus;
      else if (c == '+') sp.plus = true;
      else if (c == '-') sp.minus = true, sp.zero = false;
      else if (c == ' ') sp.space = true;
      else break;
    }
    auto int_arg = [&](int& target, const char* bad) {
      if (arg < args.size() && (args[arg].k == K::Int || args[arg].k == K::Uint8)) {
        target = static_cast<int>(args[arg].i);
        ++arg;
        return true;
      }
      if (arg < args.size()) ++arg;
      out += bad;
      return false;
    };
    if (i < n && format[i] == '*') {
      ++i;
      if (int_arg(sp.width, "%!(BADWIDTH)") && sp.width < 0) sp.minus = true, sp.zero = false, sp.width = -sp.width;
    } else {
      int w = -1;
      while (i < n && std::isdigit(static_cast<unsigned char>(format[i]))) w = (w < 0 ? 0 : w) * 10 + (format[i++] - '0');
      sp.width = w;
    }
    if (i < n && format[i] == '.') {
      ++i;
      if (i < n && format[i] == '*') {
        ++i;
        if (int_arg(sp.prec, "%!(BADPREC)") && sp.prec < 0) sp.prec = -1;
      } else {
        int p = 0;
        while (i < n && std::isdigit(static_cast<unsigned char>(format[i]))) p = p * 10 + (format[i++] - '0');
        sp.prec = p;
      }
    }
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = format[i++];
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (arg >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    out += format_value(args[arg++], verb, sp, 0);
  }
  if (arg < args.size()) {
    out += "%!(EXTRA ";
    for (std::size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out += ", ";
      if (args[k].k == K::Invalid) out += "<nil>";
      else out += type_name(args[k]) + "=" + format_value(args[k], 'v', Spec{}, 0);
    }
    out += ")";
  }
  return out;
}

std::string go_percent4g(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return c_format("%.*g", 4, v);
}

// ------------------------------------------------------------------ Go regexp

// A Go (RE2) pattern run by std::regex (ECMAScript), which shares RE2's
// leftmost-first semantics. (?P<name>...) and a leading (?i)/(?s) are
// translated; what ECMAScript cannot express is reported, not guessed.
struct GoRegex {
  std::regex re;
  std::vector<std::string> group_names;  // index = group number; "" when unnamed
};

GoRegex compile_go_regex(const std::string& pattern) {
  if (auto e = promql::regex_error(pattern)) throw FuncError{*e};
  std::string p = pattern, out;
  auto flags = std::regex::ECMAScript;
  bool dotall = false;
  std::size_t i = 0;
  if (p.rfind("(?", 0) == 0) {
    std::size_t close = p.find(')');
    std::string f = close == std::string::npos ? "" : p.substr(2, close - 2);
    if (!f.empty() && f.find_first_not_of("ims") == std::string::npos) {
      if (f.find('i') != std::string::npos) flags |= std::regex::icase;
      if (f.find('s') != std::string::npos) dotall = true;
      if (f.find('m') != std::string::npos) flags |= std::regex::multiline;
      i = close + 1;
    }
  }
  std::vector<std::string> names = {""};
  bool in_class = false;
  for (; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char e = p[i + 1];
      if (e == 'A' && !in_class) out += '^';
      else if (e == 'z' && !in_class) out += '$';
      else if (e == 'Q') {
        std::size_t end = p.find("\\E", i + 2);
        std::string lit = p.substr(i + 2, end == std::string::npos ? std::string::npos : end - i - 2);
        for (char l : lit) {
          if (std::string_view("\\^$.|?*+()[]{}/-").find(l) != std::string_view::npos) out += '\\';
          out += l;
        }
        i = end == std::string::npos ? p.size() : end + 1;
        continue;
      } else out += p.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += "\\]", ++i;
      continue;
    }
    if (c == '(') {
      if (p.compare(i, 4, "(?P<") == 0) {
        std::size_t close = p.find('>', i);
        names.push_back(p.substr(i + 4, close - i - 4));
        out += '(';
        i = close;
        continue;
      }
      if (i + 1 < p.size() && p[i + 1] == '?') {
        if (p.compare(i, 3, "(?:") != 0) throw FuncError{"error parsing regexp: flag group " + p.substr(i, 6) +
                                                       "... not supported by greenlight: `" + pattern + "`"};
      } else {
        names.push_back("");
      }
      out += c;
      continue;
    }
    if (c == '.' && dotall) {
      out += "[\\s\\S]";
      continue;
    }
    out += c;
  }
  try {
    return GoRegex{std::regex(out, flags), names};
  } catch (const std::regex_error& e) {
    throw FuncError{"error parsing regexp: not supported by greenlight's regex engine: `" + pattern + "`"};
  }
}

// regexp.Regexp.Expand's template language: $1, ${1}, $name, ${name}, $$.
void expand_replacement(std::string& dst, const std::string& tmpl, const std::string& src, const std::smatch& m,
                        std::size_t base, const GoRegex& re) {
  std::size_t i = 0;
  while (i < tmpl.size()) {
    std::size_t d = tmpl.find('$', i);
    if (d == std::string::npos) {
      dst += tmpl.substr(i);
      return;
    }
    dst += tmpl.substr(i, d - i);
    i = d + 1;
    if (i < tmpl.size() && tmpl[i] == '$') {
      dst += '$';
      ++i;
      continue;
    }
    // extract(): a name of letters, digits and underscores, maybe in braces.
    std::size_t j = i;
    bool brace = j < tmpl.size() && tmpl[j] == '{';
    if (brace) ++j;
    std::size_t start = j;
    while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_' ||
                               static_cast<unsigned char>(tmpl[j]) >= 0x80))
      ++j;
    std::string name = tmpl.substr(start, j - start);
    if (name.empty() || (brace && (j >= tmpl.size() || tmpl[j] != '}'))) {
      dst += '$';  // malformed: the $ is literal
      continue;
    }
    if (brace) ++j;
    i = j;
    long num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    auto group = [&](std::size_t g) {
      if (g < m.size() && m[g].matched) dst += src.substr(base + m.position(g), m.length(g));
    };
    if (num >= 0) {
      group(static_cast<std::size_t>(num));
    } else {
      for (std::size_t g = 0; g < re.group_names.size(); ++g)
        if (re.group_names[g] == name) {
          group(g);
          break;
        }
    }
  }
}

std::size_t utf8_width(const std::string& s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  auto b = static_cast<unsigned char>(s[pos]);
  std::size_t w = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
  return std::min(w, s.size() - pos);
}

// regexp.ReplaceAllString, with Go's handling of empty matches.
std::string replace_all(const GoRegex& re, const std::string& src, const std::string& repl) {
  std::string buf;
  std::size_t last_end = 0, search = 0;
  while (search <= src.size()) {
    std::smatch m;
    auto flags = search > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
    if (!std::regex_search(src.begin() + search, src.end(), m, re.re, flags)) break;
    std::size_t a0 = search + m.position(0), a1 = a0 + m.length(0);
    buf += src.substr(last_end, a0 - last_end);
    if (a1 > last_end || a0 == 0) expand_replacement(buf, repl, src, m, search, re);
    last_end = a1;
    std::size_t width = utf8_width(src, search);
    if (search + width > a1) search += width;
    else if (search + 1 > a1) ++search;
    else search = a1;
  }
  return buf + src.substr(std::min(last_end, src.size()));
}

// ------------------------------------------------------------------ Prometheus' functions

// Go's strconv.ParseFloat syntax (decimal, hex with p exponent, inf, infinity, nan).
bool parse_go_float(const std::string& s, double& out, std::string& error) {
  static const std::regex syntax(
      R"(^[+-]?(([0-9](_?[0-9])*(\.([0-9](_?[0-9])*)?)?|\.[0-9](_?[0-9])*)([eE][+-]?[0-9]+)?|0[xX]([0-9a-fA-F]*\.?[0-9a-fA-F]*)[pP][+-]?[0-9]+|[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])$)");
  if (!std::regex_match(s, syntax) || s.find('_') != std::string::npos) {
    error = "strconv.ParseFloat: parsing " + go_quote(s) + ": invalid syntax";
    return false;
  }
  errno = 0;
  out = std::strtod(s.c_str(), nullptr);
  if (errno == ERANGE && std::isinf(out)) {
    error = "strconv.ParseFloat: parsing " + go_quote(s) + ": value out of range";
    return false;
  }
  return true;
}

double convert_to_float(const Value& v) {
  switch (v.k) {
    case K::Float: return v.f;
    case K::Int: return static_cast<double>(v.i);
    case K::String: {
      double out = 0;
      std::string err;
      if (!parse_go_float(v.s, out, err)) throw FuncError{err};
      return out;
    }
    default: throw FuncError{"can't convert " + type_name(v) + " to float"};
  }
}

std::string humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return go_percent4g(v);
  if (std::fabs(v) >= 1) {
    std::string prefix;
    for (const char* p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return go_percent4g(v) + prefix;
  }
  std::string prefix;
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return go_percent4g(v) + prefix;
}

std::string humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return go_percent4g(v);
  std::string prefix;
  for (const char* p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return go_percent4g(v) + prefix;
}

std::string humanize_duration(double v) {
  if (std::isnan(v) || std::isinf(v)) return go_percent4g(v);
  if (v == 0) return go_percent4g(v) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) sign = "-", v = -v;
    auto duration = static_cast<std::int64_t>(v);
    std::int64_t seconds = duration % 60, minutes = (duration / 60) % 60, hours = (duration / 60 / 60) % 24,
                 days = duration / 60 / 60 / 24;
    auto n = [](std::int64_t x) { return std::to_string(x); };
    if (days != 0) return sign + n(days) + "d " + n(hours) + "h " + n(minutes) + "m " + n(seconds) + "s";
    if (hours != 0) return sign + n(hours) + "h " + n(minutes) + "m " + n(seconds) + "s";
    if (minutes != 0) return sign + n(minutes) + "m " + n(seconds) + "s";
    return sign + go_percent4g(v) + "s";
  }
  std::string prefix;
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return go_percent4g(v) + prefix + "s";
}

// model.TimeFromUnixNano(int64(v * 1e9)): milliseconds, truncated.
std::int64_t float_to_time_ms(double v) {
  double ns = v * 1e9;
  if (ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18)
    throw FuncError{promql::format_number(v) + " cannot be represented as a nanoseconds timestamp since it overflows int64"};
  return static_cast<std::int64_t>(ns) / 1'000'000;
}

// net.SplitHostPort; false where Go returns an error.
bool split_host_port(const std::string& hp, std::string& host, std::string& port) {
  std::size_t colon = hp.rfind(':');
  if (colon == std::string::npos) return false;
  if (!hp.empty() && hp[0] == '[') {
    std::size_t end = hp.find(']');
    if (end == std::string::npos || end + 1 != colon) return false;
    host = hp.substr(1, end - 1);
  } else {
    host = hp.substr(0, colon);
    if (host.find(':') != std::string::npos) return false;  // too many colons
  }
  if (host.find('[') != std::string::npos || host.find(']') != std::string::npos) return false;
  port = hp.substr(colon + 1);
  return true;
}

bool looks_like_ip(const std::string& host) {
  static const std::regex v4(R"(^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$)");
  if (std::regex_match(host, v4)) return true;
  return host.find(':') != std::string::npos &&
         host.find_first_not_of("0123456789abcdefABCDEF:.") == std::string::npos;
}

std::string title(const std::string& s) {
  std::string out = s;
  bool prev_sep = true;
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    bool sep = u < 0x80 && !std::isalnum(u) && c != '_';
    if (prev_sep && u < 0x80) c = static_cast<char>(std::toupper(u));
    prev_sep = sep;
  }
  return out;
}

std::string query_escape(const std::string& s) {
  std::string out;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else if (c == ' ') out += '+';
    else out += '%', out += hex[c >> 4], out += hex[c & 15];
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\0': out += "\xEF\xBF\xBD"; break;
      default: out += c;
    }
  }
  return out;
}

std::string js_escape(const std::string& s) {
  std::string out;
  char buf[8];
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '<': out += "\\u003C"; break;
      case '>': out += "\\u003E"; break;
      case '&': out += "\\u0026"; break;
      case '=': out += "\\u003D"; break;
      default:
        if (c < ' ') {
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// text/template's evalArgs: a lone string as is, anything else through fmt.Sprint.
std::string eval_args(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].k == K::String) return args[0].s;
  return go_sprint(args);
}

// ------------------------------------------------------------------ comparisons (text/template funcs.go)

enum class BasicKind { Invalid, Bool, Int, Uint, Float, String };

BasicKind basic_kind(const Value& v) {
  switch (v.k) {
    case K::Bool: return BasicKind::Bool;
    case K::Int: return BasicKind::Int;
    case K::Uint8: return BasicKind::Uint;
    case K::Float: return BasicKind::Float;
    case K::String:
    case K::Html: return BasicKind::String;
    default: return BasicKind::Invalid;
  }
}

const char* kBadComparisonType = "invalid type for comparison";
const char* kBadComparison = "incompatible types for comparison";

bool truth(const Value& v) {
  switch (v.k) {
    case K::Invalid: return false;
    case K::Bool: return v.b;
    case K::Int:
    case K::Uint8: return v.i != 0;
    case K::Float: return v.f != 0;
    case K::String:
    case K::Html: return !v.s.empty();
    case K::StrMap: return !v.smap->empty();
    case K::AnyMap: return !v.amap->empty();
    case K::Samples: return !v.samples->empty();
    case K::Sample: return v.sample != nullptr;
    case K::Data:
    case K::Time: return true;
  }
  return false;
}

bool comparable(const Value& v) { return v.k != K::StrMap && v.k != K::AnyMap && v.k != K::Samples && v.k != K::Data; }

bool go_eq(const Value& a, const std::vector<Value>& others) {
  if (a.k != K::Invalid && !comparable(a)) throw FuncError{kBadComparisonType};
  if (others.empty()) throw FuncError{"missing argument for comparison"};
  BasicKind k1 = basic_kind(a);
  for (const Value& b : others) {
    BasicKind k2 = basic_kind(b);
    bool t = false;
    if (k1 != k2) {
      if (k1 == BasicKind::Int && k2 == BasicKind::Uint) t = a.i >= 0 && a.i == b.i;
      else if (k1 == BasicKind::Uint && k2 == BasicKind::Int) t = b.i >= 0 && a.i == b.i;
      else if (a.k != K::Invalid && b.k != K::Invalid) throw FuncError{kBadComparison};
    } else {
      switch (k1) {
        case BasicKind::Bool: t = a.b == b.b; break;
        case BasicKind::Int:
        case BasicKind::Uint: t = a.i == b.i; break;
        case BasicKind::Float: t = a.f == b.f; break;
        case BasicKind::String: t = a.s == b.s; break;
        default:
          if (!comparable(b)) throw FuncError{"non-comparable type " + format_value(b, 'v', Spec{}, 0) + ": " + type_name(b)};
          if (a.k != b.k) throw FuncError{"non-comparable types " + format_value(a, 'v', Spec{}, 0) + ": " + type_name(a) +
                                          ", " + type_name(b) + ": " + format_value(b, 'v', Spec{}, 0)};
          t = a.k == K::Sample ? a.sample == b.sample : a.k == K::Invalid;
      }
    }
    if (t) return true;
  }
  return false;
}

bool go_lt(const Value& a, const Value& b) {
  BasicKind k1 = basic_kind(a), k2 = basic_kind(b);
  if (k1 == BasicKind::Invalid || k2 == BasicKind::Invalid) throw FuncError{kBadComparisonType};
  if (k1 != k2) {
    if (k1 == BasicKind::Int && k2 == BasicKind::Uint) return a.i < 0 || a.i < b.i;
    if (k1 == BasicKind::Uint && k2 == BasicKind::Int) return b.i >= 0 && a.i < b.i;
    throw FuncError{kBadComparison};
  }
  switch (k1) {
    case BasicKind::Bool: throw FuncError{kBadComparisonType};
    case BasicKind::Float: return a.f < b.f;
    case BasicKind::String: return a.s < b.s;
    default: return a.i < b.i;
  }
}

// ------------------------------------------------------------------ the function table

// How a Go function's parameter takes a value (exec.go's validateType).
enum class Param { Any, Reflect, String, Samples, SamplePtr };

const char* param_name(Param p) {
  switch (p) {
    case Param::Any: return "interface {}";
    case Param::Reflect: return "reflect.Value";
    case Param::String: return "string";
    case Param::Samples: return "template.queryResult";
    case Param::SamplePtr: return "*template.sample";
  }
  return "?";
}

bool can_be_nil(Param p) { return p == Param::Any || p == Param::Samples || p == Param::SamplePtr; }

Value zero_of(Param p) {
  if (p == Param::Samples) return Value::of_samples({});
  if (p == Param::SamplePtr) return Value::of_sample(nullptr);
  return Value{};
}

using Impl = std::function<Value(std::vector<Value>&, const TemplateEnv&)>;

struct Func {
  std::vector<Param> params;
  bool variadic = false;
  Impl call;
  bool builtin = false;
};

std::vector<SamplePtr> sorted_by_label(const std::string& label, std::vector<SamplePtr> v) {
  std::stable_sort(v.begin(), v.end(), [&](const SamplePtr& a, const SamplePtr& b) {
    auto get = [&](const SamplePtr& s) {
      if (!s) return std::string();
      auto it = s->labels.find(label);
      return it == s->labels.end() ? std::string() : it->second;
    };
    return get(a) < get(b);
  });
  return v;
}

Value index_value(Value item, const std::vector<Value>& indexes) {
  if (item.k == K::Invalid) throw FuncError{"index of untyped nil"};
  for (const Value& idx : indexes) {
    if (item.k == K::Sample && !item.sample) throw FuncError{"index of nil pointer"};
    auto int_index = [&](std::size_t cap) -> std::size_t {
      if (idx.k == K::Int || idx.k == K::Uint8) {
        if (idx.i < 0 || static_cast<std::size_t>(idx.i) > cap) throw FuncError{"index out of range: " + std::to_string(idx.i)};
        return static_cast<std::size_t>(idx.i);
      }
      if (idx.k == K::Invalid) throw FuncError{"cannot index slice/array with nil"};
      throw FuncError{"cannot index slice/array with type " + type_name(idx)};
    };
    auto map_key = [&]() -> std::string {
      if (idx.k == K::String) return idx.s;
      if (idx.k == K::Invalid) throw FuncError{"value is nil; should be of type string"};
      throw FuncError{"value has type " + type_name(idx) + "; should be string"};
    };
    switch (item.k) {
      case K::String:
      case K::Html: {
        std::size_t x = int_index(item.s.size());
        if (x == item.s.size()) throw FuncError{"reflect: string index out of range"};
        item = Value::byte(static_cast<unsigned char>(item.s[x]));
        break;
      }
      case K::Samples: {
        std::size_t x = int_index(item.samples->size());
        if (x == item.samples->size()) throw FuncError{"reflect: slice index out of range"};
        item = Value::of_sample((*item.samples)[x]);
        break;
      }
      case K::StrMap: {
        auto it = item.smap->find(map_key());
        item = Value::string(it == item.smap->end() ? "" : it->second);
        break;
      }
      case K::AnyMap: {
        auto it = item.amap->find(map_key());
        item = it == item.amap->end() ? Value{} : it->second;
        break;
      }
      default: throw FuncError{"can't index item of type " + type_name(item)};
    }
  }
  return item;
}

Value length_of(const Value& v) {
  switch (v.k) {
    case K::String:
    case K::Html: return Value::integer(static_cast<std::int64_t>(v.s.size()));
    case K::StrMap: return Value::integer(static_cast<std::int64_t>(v.smap->size()));
    case K::AnyMap: return Value::integer(static_cast<std::int64_t>(v.amap->size()));
    case K::Samples: return Value::integer(static_cast<std::int64_t>(v.samples->size()));
    case K::Sample:
      if (!v.sample) throw FuncError{"len of nil pointer"};
      throw FuncError{"len of type template.sample"};
    case K::Time: throw FuncError{"len of type time.Time"};
    default: throw FuncError{"len of type " + type_name(v)};
  }
}

const std::map<std::string, Func>& functions() {
  static const std::map<std::string, Func> table = [] {
    std::map<std::string, Func> t;
    auto str_fn = [&](const std::string& name, std::function<std::string(const std::string&)> f) {
      t[name] = Func{{Param::String}, false, [f](std::vector<Value>& a, const TemplateEnv&) {
                       return Value::string(f(a[0].s));
                     }};
    };
    auto float_fn = [&](const std::string& name, std::function<std::string(double)> f) {
      t[name] = Func{{Param::Any}, false, [f](std::vector<Value>& a, const TemplateEnv&) {
                       return Value::string(f(convert_to_float(a[0])));
                     }};
    };
    // Go's builtins (text/template/funcs.go). and/or are handled by the
    // interpreter because they short-circuit.
    t["and"] = Func{{Param::Reflect, Param::Reflect}, true, nullptr, true};
    t["or"] = Func{{Param::Reflect, Param::Reflect}, true, nullptr, true};
    t["not"] = Func{{Param::Reflect}, false, [](auto& a, auto&) { return Value::boolean(!truth(a[0])); }, true};
    t["len"] = Func{{Param::Reflect}, false, [](auto& a, auto&) { return length_of(a[0]); }, true};
    t["index"] = Func{{Param::Reflect, Param::Reflect}, true, [](auto& a, auto&) {
                        return index_value(a[0], std::vector<Value>(a.begin() + 1, a.end()));
                      }, true};
    t["slice"] = Func{{Param::Reflect, Param::Reflect}, true, [](auto& a, auto&) -> Value {
                        const Value& item = a[0];
                        if (item.k != K::String && item.k != K::Samples)
                          throw FuncError{"can't slice item of type " + type_name(item)};
                        std::size_t len = item.k == K::String ? item.s.size() : item.samples->size();
                        std::vector<std::size_t> idx;
                        for (std::size_t i = 1; i < a.size(); ++i) {
                          if (a[i].k != K::Int) throw FuncError{"cannot index slice/array with type " + type_name(a[i])};
                          if (a[i].i < 0 || static_cast<std::size_t>(a[i].i) > len)
                            throw FuncError{"index out of range: " + std::to_string(a[i].i)};
                          idx.push_back(static_cast<std::size_t>(a[i].i));
                        }
                        if (idx.size() > 2) throw FuncError{"too many slice indexes: " + std::to_string(idx.size())};
                        std::size_t from = idx.size() > 0 ? idx[0] : 0, to = idx.size() > 1 ? idx[1] : len;
                        if (from > to) throw FuncError{"invalid slice index: " + std::to_string(from) + " > " + std::to_string(to)};
                        if (item.k == K::String) return Value::string(item.s.substr(from, to - from));
                        return Value::of_samples(std::vector<SamplePtr>(item.samples->begin() + from, item.samples->begin() + to));
                      }, true};
    t["print"] = Func{{Param::Any}, true, [](auto& a, auto&) { return Value::string(go_sprint(a)); }, true};
    t["println"] = Func{{Param::Any}, true, [](auto& a, auto&) { return Value::string(go_sprintln(a)); }, true};
    t["printf"] = Func{{Param::String, Param::Any}, true, [](auto& a, auto&) {
                         return Value::string(go_sprintf(a[0].s, std::vector<Value>(a.begin() + 1, a.end())));
                       }, true};
    t["html"] = Func{{Param::Any}, true, [](auto& a, auto&) { return Value::string(html_escape(eval_args(a))); }, true};
    t["js"] = Func{{Param::Any}, true, [](auto& a, auto&) { return Value::string(js_escape(eval_args(a))); }, true};
    t["urlquery"] = Func{{Param::Any}, true, [](auto& a, auto&) { return Value::string(query_escape(eval_args(a))); }, true};
    t["call"] = Func{{Param::Reflect, Param::Reflect}, true, [](auto& a, auto&) -> Value {
                       if (a[0].k == K::Invalid) throw FuncError{"call of nil"};
                       throw FuncError{"non-function of type " + type_name(a[0])};
                     }, true};
    t["eq"] = Func{{Param::Reflect, Param::Reflect}, true, [](auto& a, auto&) {
                     return Value::boolean(go_eq(a[0], std::vector<Value>(a.begin() + 1, a.end())));
                   }, true};
    t["ne"] = Func{{Param::Reflect, Param::Reflect}, false, [](auto& a, auto&) {
                     return Value::boolean(!go_eq(a[0], {a[1]}));
                   }, true};
    t["lt"] = Func{{Param::Reflect, Param::Reflect}, false, [](auto& a, auto&) { return Value::boolean(go_lt(a[0], a[1])); }, true};
    t["le"] = Func{{Param::Reflect, Param::Reflect}, false, [](auto& a, auto&) {
                     return Value::boolean(go_lt(a[0], a[1]) || go_eq(a[0], {a[1]}));
                   }, true};
    t["gt"] = Func{{Param::Reflect, Param::Reflect}, false, [](auto& a, auto&) {
                     return Value::boolean(!(go_lt(a[0], a[1]) || go_eq(a[0], {a[1]})));
                   }, true};
    t["ge"] = Func{{Param::Reflect, Param::Reflect}, false, [](auto& a, auto&) { return Value::boolean(!go_lt(a[0], a[1])); }, true};

    // Prometheus' (template/template.go, 2.42).
    t["query"] = Func{{Param::String}, false, [](auto& a, const TemplateEnv& env) {
                        if (!env.query) throw FuncError{"the query function is not available here"};
                        std::vector<TemplateSample> got;
                        try {
                          got = env.query(a[0].s);
                        } catch (const std::exception& e) {
                          throw FuncError{e.what()};
                        }
                        std::vector<SamplePtr> out;
                        for (auto& s : got) out.push_back(std::make_shared<Sample>(Sample{std::move(s.labels), s.value}));
                        return Value::of_samples(std::move(out));
                      }};
    t["first"] = Func{{Param::Samples}, false, [](auto& a, auto&) {
                        if (a[0].samples->empty()) throw FuncError{"first() called on vector with no elements"};
                        return Value::of_sample(a[0].samples->front());
                      }};
    t["label"] = Func{{Param::String, Param::SamplePtr}, false, [](auto& a, auto&) {
                        if (!a[1].sample) return Value::string("");
                        auto it = a[1].sample->labels.find(a[0].s);
                        return Value::string(it == a[1].sample->labels.end() ? "" : it->second);
                      }};
    t["value"] = Func{{Param::SamplePtr}, false, [](auto& a, auto&) {
                        return Value::number(a[0].sample ? a[0].sample->value : 0);
                      }};
    t["strvalue"] = Func{{Param::SamplePtr}, false, [](auto& a, auto&) {
                           if (!a[0].sample) return Value::string("");
                           auto it = a[0].sample->labels.find("__value__");
                           return Value::string(it == a[0].sample->labels.end() ? "" : it->second);
                         }};
    t["args"] = Func{{Param::Any}, true, [](auto& a, auto&) {
                       auto m = std::make_shared<AnyMap>();
                       for (std::size_t i = 0; i < a.size(); ++i) (*m)["arg" + std::to_string(i)] = a[i];
                       Value v;
                       v.k = K::AnyMap;
                       v.amap = m;
                       return v;
                     }};
    t["reReplaceAll"] = Func{{Param::String, Param::String, Param::String}, false, [](auto& a, auto&) {
                               GoRegex re;
                               try {
                                 re = compile_go_regex(a[0].s);
                               } catch (const FuncError& e) {
                                 // regexp.MustCompile panics; text/template reports the panic.
                                 std::string q = a[0].s.find('`') == std::string::npos ? "`" + a[0].s + "`" : go_quote(a[0].s);
                                 throw FuncError{"regexp: Compile(" + q + "): " + e.message};
                               }
                               return Value::string(replace_all(re, a[2].s, a[1].s));
                             }};
    t["safeHtml"] = Func{{Param::String}, false, [](auto& a, auto&) { return Value::string(a[0].s, K::Html); }};
    t["match"] = Func{{Param::String, Param::String}, false, [](auto& a, auto&) {
                        GoRegex re = compile_go_regex(a[0].s);
                        return Value::boolean(std::regex_search(a[1].s, re.re));
                      }};
    str_fn("title", title);
    str_fn("toUpper", [](const std::string& s) {
      std::string o = s;
      for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return o;
    });
    str_fn("toLower", [](const std::string& s) {
      std::string o = s;
      for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return o;
    });
    str_fn("graphLink", [](const std::string& s) { return "/graph?g0.expr=" + query_escape(s) + "&g0.tab=0"; });
    str_fn("tableLink", [](const std::string& s) { return "/graph?g0.expr=" + query_escape(s) + "&g0.tab=1"; });
    t["sortByLabel"] = Func{{Param::String, Param::Samples}, false, [](auto& a, auto&) {
                              return Value::of_samples(sorted_by_label(a[0].s, *a[1].samples));
                            }};
    float_fn("humanize", humanize);
    float_fn("humanize1024", humanize1024);
    float_fn("humanizeDuration", humanize_duration);
    float_fn("humanizePercentage", [](double v) { return go_percent4g(v * 100) + "%"; });
    float_fn("humanizeTimestamp", [](double v) {
      if (std::isnan(v) || std::isinf(v)) return go_percent4g(v);
      return format_time_ms(float_to_time_ms(v));
    });
    t["toTime"] = Func{{Param::Any}, false, [](auto& a, auto&) {
                         Value v;
                         v.k = K::Time;
                         v.time_ms = float_to_time_ms(convert_to_float(a[0]));
                         return v;
                       }};
    const char* nil_url = "runtime error: invalid memory address or nil pointer dereference";
    t["pathPrefix"] = Func{{}, false, [nil_url](auto&, const TemplateEnv& env) {
                             if (!env.external_url) throw FuncError{nil_url};
                             std::string u = *env.external_url;
                             std::size_t scheme = u.find("://");
                             std::size_t path = u.find('/', scheme == std::string::npos ? 0 : scheme + 3);
                             if (path == std::string::npos) return Value::string("");
                             std::string p = u.substr(path);
                             return Value::string(p.substr(0, p.find_first_of("?#")));
                           }};
    t["externalURL"] = Func{{}, false, [nil_url](auto&, const TemplateEnv& env) {
                              if (!env.external_url) throw FuncError{nil_url};
                              return Value::string(*env.external_url);
                            }};
    t["parseDuration"] = Func{{Param::String}, false, [](auto& a, auto&) {
                                std::string err;
                                auto ms = promql::parse_duration(a[0].s, &err);
                                if (!ms) throw FuncError{err};
                                return Value::number(static_cast<double>(*ms) / 1000.0);
                              }};
    str_fn("stripPort", [](const std::string& hp) {
      std::string host, port;
      return split_host_port(hp, host, port) ? host : hp;
    });
    str_fn("stripDomain", [](const std::string& hp) {
      std::string host, port;
      if (!split_host_port(hp, host, port)) host = hp, port.clear();
      if (looks_like_ip(host)) return hp;
      host = host.substr(0, host.find('.'));
      if (!port.empty()) return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
      return host;
    });
    return t;
  }();
  return table;
}

// ------------------------------------------------------------------ node text (Go's String() methods)

std::string pipe_string(const Pipeline& p);

std::string operand_string(const Operand& o) {
  auto fields = [&] {
    std::string s;
    for (const auto& f : o.fields) s += "." + f;
    return s;
  };
  switch (o.kind) {
    case Operand::Kind::Function: return o.name;
    case Operand::Kind::Variable: return o.name + fields();
    case Operand::Kind::Field: return fields();
    case Operand::Kind::Chain: return (o.chain_base ? operand_string(*o.chain_base) : "") + fields();
    case Operand::Kind::Dot: return ".";
    case Operand::Kind::Nil: return "nil";
    case Operand::Kind::Bool: return o.bool_value ? "true" : "false";
    case Operand::Kind::Pipeline: return "(" + (o.pipe ? pipe_string(*o.pipe) : "") + ")";
    default: return o.text;
  }
}

std::string command_string(const Command& c) {
  std::string s;
  for (std::size_t i = 0; i < c.args.size(); ++i) s += (i ? " " : "") + operand_string(c.args[i]);
  return s;
}

std::string pipe_string(const Pipeline& p) {
  std::string s;
  for (std::size_t i = 0; i < p.decl.size(); ++i) s += (i ? ", " : "") + p.decl[i];
  if (!p.decl.empty()) s += " := ";
  for (std::size_t i = 0; i < p.cmds.size(); ++i) s += (i ? " | " : "") + command_string(p.cmds[i]);
  return s;
}

// ------------------------------------------------------------------ the interpreter (text/template/exec.go)

struct ExecError {
  std::string message;
};
struct BreakSignal {};
struct ContinueSignal {};

class Exec {
 public:
  Exec(const gotmpl::Template& tmpl, std::string_view text, std::string name, const TemplateEnv& env)
      : tmpl_(tmpl), text_(text), name_(std::move(name)), env_(env) {}

  std::string run(const Value& data) {
    vars_.push_back({"$", data});
    walk_list(data, tmpl_.root);
    return std::move(out_);
  }

 private:
  const gotmpl::Template& tmpl_;
  std::string_view text_;
  std::string name_;
  const TemplateEnv& env_;
  std::vector<std::pair<std::string, Value>> vars_;
  std::size_t at_pos_ = 0;
  std::string at_text_;
  bool at_set_ = false;
  std::string out_;
  int depth_ = 0;

  void at(std::size_t pos, std::string text) {
    at_pos_ = pos;
    at_text_ = std::move(text);
    at_set_ = true;
  }

  [[noreturn]] void errorf(const std::string& message) {
    std::string q = go_quote(name_);
    if (!at_set_) throw ExecError{"template: " + name_ + ": " + message};
    std::size_t pos = std::min(at_pos_, text_.size());
    std::string_view before = text_.substr(0, pos);
    std::size_t nl = before.rfind('\n');
    std::size_t col = nl == std::string_view::npos ? pos : pos - (nl + 1);
    std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    throw ExecError{"template: " + name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": executing " +
                    q + " at <" + at_text_ + ">: " + message};
  }

  std::size_t mark() const { return vars_.size(); }
  void pop(std::size_t m) { vars_.resize(m); }

  Value var_value(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    errorf("undefined variable: " + name);
  }

  void set_var(const std::string& name, const Value& v) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) {
        it->second = v;
        return;
      }
    errorf("undefined variable: " + name);
  }

  void walk_list(const Value& dot, const std::vector<Node>& list) {
    for (const Node& n : list) walk(dot, n);
  }

  std::string node_text(const Node& n) {
    switch (n.kind) {
      case Node::Kind::Action: return "{{" + (n.pipe ? pipe_string(*n.pipe) : "") + "}}";
      case Node::Kind::If: return "{{if " + (n.pipe ? pipe_string(*n.pipe) : "") + "}}";
      case Node::Kind::Range: return "{{range " + (n.pipe ? pipe_string(*n.pipe) : "") + "}}";
      case Node::Kind::With: return "{{with " + (n.pipe ? pipe_string(*n.pipe) : "") + "}}";
      case Node::Kind::Template: return "{{template " + go_quote(n.text) + (n.pipe ? " " + pipe_string(*n.pipe) : "") + "}}";
      case Node::Kind::Break: return "{{break}}";
      case Node::Kind::Continue: return "{{continue}}";
      default: return n.text;
    }
  }

  void walk(const Value& dot, const Node& n) {
    at(n.pos, node_text(n));
    switch (n.kind) {
      case Node::Kind::Text: out_ += n.text; return;
      case Node::Kind::Action: {
        Value v = eval_pipeline(dot, *n.pipe);
        if (n.pipe->decl.empty()) print_value(n, v);
        return;
      }
      case Node::Kind::If:
      case Node::Kind::With: {
        std::size_t m = mark();
        Value v = eval_pipeline(dot, *n.pipe);
        if (truth(v)) walk_list(n.kind == Node::Kind::With ? v : dot, n.list);
        else walk_list(dot, n.else_list);
        pop(m);
        return;
      }
      case Node::Kind::Range: walk_range(dot, n); return;
      case Node::Kind::Template: walk_template(dot, n); return;
      case Node::Kind::Break: throw BreakSignal{};
      case Node::Kind::Continue: throw ContinueSignal{};
    }
  }

  void walk_range(const Value& dot, const Node& n) {
    std::size_t outer = mark();
    Value val = eval_pipeline(dot, *n.pipe);
    std::size_t body_mark = mark();
    const auto& decl = n.pipe->decl;
    auto one = [&](const Value& index, const Value& elem) {
      if (!decl.empty()) {
        if (n.pipe->is_assign) set_var(decl[0], decl.size() > 1 ? index : elem);
        else vars_[vars_.size() - 1].second = elem;
      }
      if (decl.size() > 1) {
        if (n.pipe->is_assign) set_var(decl[1], elem);
        else vars_[vars_.size() - 2].second = index;
      }
      try {
        walk_list(elem, n.list);
      } catch (const ContinueSignal&) {
      }
      pop(body_mark);
    };
    bool iterated = false;
    try {
      switch (val.k) {
        case K::Samples:
          for (std::size_t i = 0; i < val.samples->size(); ++i)
            one(Value::integer(static_cast<std::int64_t>(i)), Value::of_sample((*val.samples)[i])), iterated = true;
          break;
        case K::StrMap:
          for (const auto& [k, v] : *val.smap) one(Value::string(k), Value::string(v)), iterated = true;
          break;
        case K::AnyMap:
          for (const auto& [k, v] : *val.amap) one(Value::string(k), v), iterated = true;
          break;
        case K::Invalid: break;
        case K::Sample:
          if (!val.sample) break;
          [[fallthrough]];
        default:
          at(n.pos, node_text(n));
          errorf("range can't iterate over " + format_value(val, 'v', Spec{}, 0));
      }
    } catch (const BreakSignal&) {
      pop(outer);
      return;
    }
    if (!iterated) walk_list(dot, n.else_list);
    pop(outer);
  }

  void walk_template(const Value& dot, const Node& n) {
    auto it = tmpl_.defined.find(n.text);
    if (it == tmpl_.defined.end()) errorf("no such template " + go_quote(n.text));
    if (depth_ >= 100000) errorf("exceeded maximum template depth (100000)");
    Value new_dot = n.pipe ? eval_pipeline(dot, *n.pipe) : Value{};
    auto saved = std::move(vars_);
    vars_ = {{"$", new_dot}};
    ++depth_;
    walk_list(new_dot, it->second);
    --depth_;
    vars_ = std::move(saved);
  }

  void print_value(const Node& n, const Value& v) {
    at(n.pos, node_text(n));
    switch (v.k) {
      case K::Invalid: out_ += "<no value>"; return;
      case K::Sample:
        // printableValue dereferences a pointer before fmt sees it.
        out_ += v.sample ? sample_struct(*v.sample, 'v', 0) : "<nil>";
        return;
      default: out_ += format_value(v, 'v', Spec{}, 0);
    }
  }

  Value eval_pipeline(const Value& dot, const Pipeline& p) {
    at(p.pos, pipe_string(p));
    std::optional<Value> value;
    for (const Command& c : p.cmds) value = eval_command(dot, c, value);
    Value v = value ? *value : Value{};
    for (const auto& name : p.decl) {
      if (p.is_assign) set_var(name, v);
      else vars_.push_back({name, v});
    }
    return v;
  }

  void not_a_function(const std::vector<Operand>& args, const std::optional<Value>& final) {
    if (args.size() > 1 || final) errorf("can't give argument to non-function " + operand_string(args[0]));
  }

  Value eval_command(const Value& dot, const Command& cmd, const std::optional<Value>& final) {
    const Operand& first = cmd.args.front();
    switch (first.kind) {
      case Operand::Kind::Field: return eval_field_node(dot, first, cmd.args, final);
      case Operand::Kind::Chain: return eval_chain_node(dot, first, cmd.args, final);
      case Operand::Kind::Function: return eval_function(dot, first, cmd.pos, command_string(cmd), cmd.args, final);
      case Operand::Kind::Pipeline:
        not_a_function(cmd.args, final);
        return eval_pipeline(dot, *first.pipe);
      case Operand::Kind::Variable: return eval_variable_node(dot, first, cmd.args, final);
      default: break;
    }
    at(first.pos, operand_string(first));
    not_a_function(cmd.args, final);
    switch (first.kind) {
      case Operand::Kind::Bool: return Value::boolean(first.bool_value);
      case Operand::Kind::Dot: return dot;
      case Operand::Kind::Nil: errorf("nil is not a command");
      case Operand::Kind::Number: return ideal_constant(first);
      case Operand::Kind::String: return Value::string(first.string_value);
      default: errorf("can't evaluate command " + go_quote(operand_string(first)));
    }
  }

  Value ideal_constant(const Operand& c) {
    at(c.pos, operand_string(c));
    const std::string& t = c.text;
    bool hex_int = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && t.find_first_of("pP") == std::string::npos;
    bool rune_int = !t.empty() && t[0] == '\'';
    if (c.is_complex) errorf("complex numbers are not supported by greenlight's template expander");
    if (c.is_float && !hex_int && !rune_int && t.find_first_of(".eEpP") != std::string::npos)
      return Value::number(c.float_value);
    if (c.is_int) return Value::integer(c.int_value);
    if (c.is_uint) errorf(t + " overflows int");
    return Value{};
  }

  Value eval_variable_node(const Value& dot, const Operand& v, const std::vector<Operand>& args,
                           const std::optional<Value>& final) {
    at(v.pos, operand_string(v));
    Value value = var_value(v.name);
    if (v.fields.empty()) {
      not_a_function(args, final);
      return value;
    }
    return eval_field_chain(dot, value, v.fields, args, final);
  }

  Value eval_field_node(const Value& dot, const Operand& f, const std::vector<Operand>& args,
                        const std::optional<Value>& final) {
    at(f.pos, operand_string(f));
    return eval_field_chain(dot, dot, f.fields, args, final);
  }

  Value eval_chain_node(const Value& dot, const Operand& c, const std::vector<Operand>& args,
                        const std::optional<Value>& final) {
    at(c.pos, operand_string(c));
    if (c.chain_base->kind == Operand::Kind::Nil) errorf("indirection through explicit nil in " + operand_string(c));
    Value base = eval_arg(dot, std::nullopt, *c.chain_base);
    return eval_field_chain(dot, base, c.fields, args, final);
  }

  Value eval_field_chain(const Value& dot, Value receiver, const std::vector<std::string>& idents,
                         const std::vector<Operand>& args, const std::optional<Value>& final) {
    for (std::size_t i = 0; i + 1 < idents.size(); ++i) receiver = eval_field(idents[i], {}, std::nullopt, receiver);
    return eval_field(idents.back(), args, final, receiver);
  }

  Value eval_field(const std::string& name, const std::vector<Operand>& args, const std::optional<Value>& final,
                   const Value& receiver) {
    if (receiver.k == K::Invalid) return Value{};
    bool has_args = args.size() > 1 || final;
    auto field = [&](Value v) {
      if (has_args) errorf(name + " has arguments but cannot be invoked as function");
      return v;
    };
    switch (receiver.k) {
      case K::Data:
        if (name == "Labels") return field(Value::str_map(receiver.data->labels));
        if (name == "ExternalLabels") return field(Value::str_map(receiver.data->external_labels));
        if (name == "ExternalURL") return field(Value::string(receiver.data->external_url));
        if (name == "Value") return field(Value::number(receiver.data->value));
        break;
      case K::Sample:
        if (name != "Labels" && name != "Value") break;
        if (!receiver.sample) errorf("nil pointer evaluating *template.sample." + name);
        return field(name == "Labels" ? Value::str_map(receiver.sample->labels) : Value::number(receiver.sample->value));
      case K::StrMap: {
        if (has_args) errorf(name + " is not a method but has arguments");
        auto it = receiver.smap->find(name);
        return Value::string(it == receiver.smap->end() ? "" : it->second);  // missingkey=zero
      }
      case K::AnyMap: {
        if (has_args) errorf(name + " is not a method but has arguments");
        auto it = receiver.amap->find(name);
        return it == receiver.amap->end() ? Value{} : it->second;
      }
      default: break;
    }
    errorf("can't evaluate field " + name + " in type " + type_name(receiver));
  }

  Value eval_function(const Value& dot, const Operand& ident, std::size_t cmd_pos, const std::string& cmd_text,
                      const std::vector<Operand>& args, const std::optional<Value>& final) {
    at(ident.pos, ident.name);
    const auto& table = functions();
    auto it = table.find(ident.name);
    if (it == table.end()) errorf(go_quote(ident.name) + " is not a defined function");
    return eval_call(dot, it->second, cmd_pos, cmd_text, ident.name, args, final);
  }

  Value eval_call(const Value& dot, const Func& fn, std::size_t node_pos, const std::string& node_text,
                  const std::string& name, const std::vector<Operand>& all_args, const std::optional<Value>& final) {
    std::vector<const Operand*> args;
    for (std::size_t i = 1; i < all_args.size(); ++i) args.push_back(&all_args[i]);
    std::size_t num_in = args.size() + (final ? 1 : 0);
    std::size_t num_fixed = args.size();
    if (fn.variadic) {
      num_fixed = fn.params.size() - 1;
      if (num_in < num_fixed)
        errorf("wrong number of args for " + name + ": want at least " + std::to_string(fn.params.size() - 1) +
               " got " + std::to_string(args.size()));
    } else if (num_in != fn.params.size()) {
      errorf("wrong number of args for " + name + ": want " + std::to_string(fn.params.size()) + " got " +
             std::to_string(num_in));
    }
    if (fn.builtin && (name == "and" || name == "or")) {
      Value v;
      for (const Operand* a : args) {
        v = eval_arg(dot, Param::Reflect, *a);
        if (truth(v) == (name == "or")) return v;
      }
      if (final) v = validate_type(*final, Param::Reflect);
      return v;
    }
    std::vector<Value> argv;
    std::size_t i = 0;
    for (; i < num_fixed && i < args.size(); ++i) argv.push_back(eval_arg(dot, fn.params[i], *args[i]));
    if (fn.variadic)
      for (; i < args.size(); ++i) argv.push_back(eval_arg(dot, fn.params.back(), *args[i]));
    if (final) {
      Param t = fn.params.empty() ? Param::Any : fn.params.back();
      if (!fn.variadic || num_in - 1 < num_fixed) t = fn.params[num_in - 1];
      argv.push_back(validate_type(*final, t));
    }
    try {
      return fn.call(argv, env_);
    } catch (const FuncError& e) {
      at(node_pos, node_text);
      errorf("error calling " + name + ": " + e.message);
    }
  }

  Value validate_type(const Value& v, std::optional<Param> type) {
    if (!type) return v;
    if (v.k == K::Invalid) {
      if (can_be_nil(*type)) return zero_of(*type);
      errorf(std::string("invalid value; expected ") + param_name(*type));
    }
    bool ok = true;
    switch (*type) {
      case Param::Any:
      case Param::Reflect: break;
      case Param::String: ok = v.k == K::String; break;
      case Param::Samples: ok = v.k == K::Samples; break;
      case Param::SamplePtr: ok = v.k == K::Sample; break;
    }
    if (!ok) errorf(std::string("wrong type for value; expected ") + param_name(*type) + "; got " + type_name(v));
    return v;
  }

  Value eval_arg(const Value& dot, std::optional<Param> type, const Operand& n) {
    at(n.pos, operand_string(n));
    switch (n.kind) {
      case Operand::Kind::Dot: return validate_type(dot, type);
      case Operand::Kind::Nil:
        if (type && can_be_nil(*type)) return zero_of(*type);
        errorf(std::string("cannot assign nil to ") + (type ? param_name(*type) : "<nil>"));
      case Operand::Kind::Field: return validate_type(eval_field_node(dot, n, {n}, std::nullopt), type);
      case Operand::Kind::Variable: return validate_type(eval_variable_node(dot, n, {}, std::nullopt), type);
      case Operand::Kind::Pipeline: return validate_type(eval_pipeline(dot, *n.pipe), type);
      case Operand::Kind::Function:
        return validate_type(eval_function(dot, n, n.pos, n.name, {}, std::nullopt), type);
      case Operand::Kind::Chain: return validate_type(eval_chain_node(dot, n, {}, std::nullopt), type);
      default: break;
    }
    if (!type) errorf("can't handle " + operand_string(n) + " for arg of type <nil>");
    switch (*type) {
      case Param::String:
        if (n.kind == Operand::Kind::String) return Value::string(n.string_value);
        errorf("expected string; found " + operand_string(n));
      case Param::Any:
      case Param::Reflect:
        if (n.kind == Operand::Kind::Bool) return Value::boolean(n.bool_value);
        if (n.kind == Operand::Kind::Number) return ideal_constant(n);
        if (n.kind == Operand::Kind::String) return Value::string(n.string_value);
        break;
      default: break;
    }
    errorf("can't handle " + operand_string(n) + " for arg of type " + param_name(*type));
  }
};

const char* kDefs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

}  // namespace

std::string go_format_value(double v) { return promql::format_number(v); }

struct AlertTemplate::Impl {
  std::string name;
  std::string raw;
  std::string full;  // kDefs + raw: the text Prometheus parses
  bool plain = false;
  std::optional<gotmpl::Template> tmpl;
  std::string parse_error;
};

AlertTemplate::AlertTemplate(const std::string& alert_name, const std::string& text) : impl_(std::make_unique<Impl>()) {
  impl_->name = "__alert_" + alert_name;
  impl_->raw = text;
  // No action at all: the definitions print nothing, so the text is the result.
  impl_->plain = text.find("{{") == std::string::npos;
  if (impl_->plain) return;
  impl_->full = std::string(kDefs) + text;
  gotmpl::ParseOptions options = gotmpl::prometheus_alert_options(alert_name, /*with_v3=*/false);
  options.variables.clear();  // the definitions in front declare them, as in Prometheus
  auto parsed = gotmpl::parse_template(impl_->full, options);
  if (parsed.ok()) impl_->tmpl = std::move(parsed.tmpl);
  else impl_->parse_error = "error parsing template " + impl_->name + ": " + parsed.error->text();
}

AlertTemplate::~AlertTemplate() = default;
AlertTemplate::AlertTemplate(AlertTemplate&&) noexcept = default;
AlertTemplate& AlertTemplate::operator=(AlertTemplate&&) noexcept = default;

std::string AlertTemplate::expand_or_throw(const AlertTemplateData& data, const TemplateEnv& env) const {
  if (impl_->plain) return impl_->raw;
  if (!impl_->tmpl) throw TemplateError(impl_->parse_error);
  Value root;
  root.k = K::Data;
  root.data = std::make_shared<AlertTemplateData>(data);
  Exec exec(*impl_->tmpl, impl_->full, impl_->name, env);
  try {
    return exec.run(root);
  } catch (const ExecError& e) {
    throw TemplateError("error executing template " + impl_->name + ": " + e.message);
  } catch (const BreakSignal&) {
    throw TemplateError("error executing template " + impl_->name + ": {{break}} outside {{range}}");
  } catch (const ContinueSignal&) {
    throw TemplateError("error executing template " + impl_->name + ": {{continue}} outside {{range}}");
  }
}

std::string AlertTemplate::expand(const AlertTemplateData& data, const TemplateEnv& env) const {
  try {
    return expand_or_throw(data, env);
  } catch (const TemplateError& e) {
    return std::string("<error expanding template: ") + e.what() + ">";
  }
}

std::string expand_alert_template(const std::string& alert_name, const std::string& text,
                                  const AlertTemplateData& data, const TemplateEnv& env) {
  return AlertTemplate(alert_name, text).expand(data, env);
}

}  // namespace greenlight
