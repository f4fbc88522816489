// A port of Go 1.19's text/template/parse: the lexer's state machine and the
// recursive-descent parser, step by step, so that what Go rejects (and the
// message it gives) is what this rejects. Go lexes lazily in a goroutine; the
// token stream does not depend on the parser, so lexing everything first and
// then parsing gives the same first error.
#include "suites/alerts/go_template.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace greenlight::gotmpl {

namespace {

// ---------------------------------------------------------------- runes

constexpr int kEof = -1;

// Decodes one UTF-8 rune at `pos`; invalid bytes decode as U+FFFD, width 1 (as Go does).
int decode_rune(std::string_view s, std::size_t pos, std::size_t* width) {
  if (pos >= s.size()) {
    *width = 0;
    return kEof;
  }
  auto b = static_cast<unsigned char>(s[pos]);
  if (b < 0x80) {
    *width = 1;
    return b;
  }
  int len = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || pos + len > s.size()) {
    *width = 1;
    return 0xFFFD;
  }
  int r = b & (0x7F >> len);
  for (int i = 1; i < len; ++i) {
    auto c = static_cast<unsigned char>(s[pos + i]);
    if ((c & 0xC0) != 0x80) {
      *width = 1;
      return 0xFFFD;
    }
    r = (r << 6) | (c & 0x3F);
  }
  *width = len;
  return r;
}

bool is_space(int r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

// unicode.IsLetter / IsDigit: exact for ASCII; above it, the ranges of
// punctuation and symbols common in text are excluded and the rest counted as
// letters (an action almost never holds a non-ASCII identifier).
bool is_alphanumeric(int r) {
  if (r == '_') return true;
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  if (r < 0xC0) return r == 0xAA || r == 0xB5 || r == 0xBA;
  if (r == 0xD7 || r == 0xF7) return false;
  if (r >= 0x2000 && r <= 0x2BFF) return false;  // punctuation, symbols, arrows, box drawing
  if (r >= 0x3000 && r <= 0x303F) return false;  // CJK punctuation
  if (r >= 0xFE30 && r <= 0xFE4F) return false;
  if (r >= 0xFF00 && r <= 0xFF0F) return false;
  if (r == 0xFFFD) return false;
  return true;
}

bool is_print(int r) { return (r >= 0x20 && r < 0x7F) || (r >= 0xA0 && r != 0xFFFD && r != 0xAD); }

void append_utf8(std::string& out, int r) {
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

// fmt's %#U.
std::string rune_u(int r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
  std::string out = buf;
  if (is_print(r)) {
    out += " '";
    append_utf8(out, r);
    out += "'";
  }
  return out;
}

// strconv.Quote, for messages.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    std::size_t w = 0;
    int r = decode_rune(s, i, &w);
    switch (r) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (r == 0xFFFD && w == 1) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
          out += buf;
        } else if (is_print(r)) {
          out.append(s.substr(i, w));
        } else {
          char buf[16];
          std::snprintf(buf, sizeof buf, r < 0x80 ? "\\x%02x" : r < 0x10000 ? "\\u%04x" : "\\U%08x", r);
          out += buf;
        }
    }
    i += w;
  }
  return out + "\"";
}

// fmt's %.10q: at most 10 runes, quoted.
std::string go_quote_prefix(std::string_view s, int runes) {
  std::size_t i = 0;
  for (int n = 0; n < runes && i < s.size(); ++n) {
    std::size_t w = 0;
    decode_rune(s, i, &w);
    i += w;
  }
  return go_quote(s.substr(0, i));
}

// ---------------------------------------------------------------- tokens

enum class Item {
  Error, Bool, Char, CharConstant, Complex, Assign, Declare, Eof, Field, Identifier, LeftDelim, LeftParen,
  Number, Pipe, RawString, RightDelim, RightParen, Space, String, Text, Variable,
  Keyword,  // keywords follow
  Block, Break, Continue, Dot, Define, Else, End, If, Nil, Range, Template, With
};

struct Token {
  Item type = Item::Eof;
  std::size_t pos = 0;
  std::string val;
  int line = 1;
};

// Go's item.String(), as error messages show tokens.
std::string describe(const Token& t) {
  if (t.type == Item::Eof) return "EOF";
  if (t.type == Item::Error) return t.val;
  if (t.type > Item::Keyword) return "<" + t.val + ">";
  if (t.val.size() > 10) return go_quote_prefix(t.val, 10) + "...";
  return go_quote(t.val);
}

Item keyword(std::string_view word) {
  static const std::map<std::string_view, Item> kKeys = {
      {".", Item::Dot},         {"block", Item::Block}, {"break", Item::Break}, {"continue", Item::Continue},
      {"define", Item::Define}, {"else", Item::Else},   {"end", Item::End},     {"if", Item::If},
      {"range", Item::Range},   {"nil", Item::Nil},     {"template", Item::Template}, {"with", Item::With}};
  auto it = kKeys.find(word);
  return it == kKeys.end() ? Item::Error : it->second;
}

const std::string_view kLeftDelim = "{{", kRightDelim = "}}", kLeftComment = "/*", kRightComment = "*/";

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<Token> run() {
    for (State state{&Lexer::lex_text}; state.fn;) state = (this->*state.fn)();
    return std::move(items_);
  }

 private:
  // A state function returns the next state, as in Go's lexer.
  struct State;
  using StateFn = State (Lexer::*)();
  struct State {
    StateFn fn = nullptr;
    State(StateFn f) : fn(f) {}  // NOLINT(google-explicit-constructor): states return each other
    State(std::nullptr_t) {}     // NOLINT(google-explicit-constructor)
  };

  std::string_view in_;
  std::size_t pos_ = 0, start_ = 0, width_ = 0;
  int paren_depth_ = 0;
  std::vector<Token> items_;

  // Items start at increasing offsets, so lines are counted incrementally.
  std::size_t counted_to_ = 0;
  int counted_line_ = 1;
  int line_at(std::size_t p) {
    if (p < counted_to_) counted_to_ = 0, counted_line_ = 1;
    for (; counted_to_ < p && counted_to_ < in_.size(); ++counted_to_)
      if (in_[counted_to_] == '\n') ++counted_line_;
    return counted_line_;
  }
  int next() {
    int r = decode_rune(in_, pos_, &width_);
    pos_ += width_;
    return r;
  }
  int peek() {
    int r = next();
    backup();
    return r;
  }
  void backup() { pos_ -= width_; }
  std::string_view rest(std::size_t from) const { return from <= in_.size() ? in_.substr(from) : std::string_view(); }
  bool starts(std::size_t at, std::string_view prefix) const { return rest(at).substr(0, prefix.size()) == prefix; }
  void emit(Item t) {
    items_.push_back(Token{t, start_, std::string(in_.substr(start_, pos_ - start_)), line_at(start_)});
    start_ = pos_;
  }
  void ignore() { start_ = pos_; }
  State errorf(std::string message) {
    items_.push_back(Token{Item::Error, start_, std::move(message), line_at(start_)});
    return nullptr;
  }
  bool accept(std::string_view valid) {
    int r = next();
    if (r != kEof && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
    backup();
    return false;
  }
  void accept_run(std::string_view valid) {
    while (accept(valid)) {
    }
  }

  static bool has_left_trim_marker(std::string_view s) { return s.size() >= 2 && s[0] == '-' && is_space(s[1]); }
  static bool has_right_trim_marker(std::string_view s) { return s.size() >= 2 && is_space(s[0]) && s[1] == '-'; }
  static std::size_t right_trim_length(std::string_view s) {
    std::size_t n = 0;
    while (n < s.size() && is_space(s[s.size() - 1 - n])) ++n;
    return n;
  }
  static std::size_t left_trim_length(std::string_view s) {
    std::size_t n = 0;
    while (n < s.size() && is_space(s[n])) ++n;
    return n;
  }
  // At "}}" or " -}}"; the second: with a trim marker.
  std::pair<bool, bool> at_right_delim() const {
    if (has_right_trim_marker(rest(pos_)) && starts(pos_ + 2, kRightDelim)) return {true, true};
    if (starts(pos_, kRightDelim)) return {true, false};
    return {false, false};
  }
  bool at_terminator() {
    int r = peek();
    if (is_space(r)) return true;
    switch (r) {
      case kEof: case '.': case ',': case '|': case ':': case ')': case '(': return true;
      default: return r == kRightDelim[0];
    }
  }

  State lex_text() {
    std::size_t x = rest(pos_).find(kLeftDelim);
    if (x != std::string_view::npos) {
      if (x > 0) {
        pos_ += x;
        std::size_t trim = 0;
        if (has_left_trim_marker(rest(pos_ + kLeftDelim.size())))
          trim = right_trim_length(in_.substr(start_, pos_ - start_));
        pos_ -= trim;
        if (pos_ > start_) emit(Item::Text);
        pos_ += trim;
        ignore();
      }
      return &Lexer::lex_left_delim;
    }
    pos_ = in_.size();
    if (pos_ > start_) emit(Item::Text);
    emit(Item::Eof);
    return nullptr;
  }

  State lex_left_delim() {
    pos_ += kLeftDelim.size();
    bool trim = has_left_trim_marker(rest(pos_));
    std::size_t after_marker = trim ? 2 : 0;
    if (starts(pos_ + after_marker, kLeftComment)) {
      pos_ += after_marker;
      ignore();
      return &Lexer::lex_comment;
    }
    emit(Item::LeftDelim);
    pos_ += after_marker;
    ignore();
    paren_depth_ = 0;
    return &Lexer::lex_inside_action;
  }

  State lex_comment() {
    pos_ += kLeftComment.size();
    std::size_t x = rest(pos_).find(kRightComment);
    if (x == std::string_view::npos) return errorf("unclosed comment");
    pos_ += x + kRightComment.size();
    auto [delim, trim] = at_right_delim();
    if (!delim) return errorf("comment ends before closing delimiter");
    if (trim) pos_ += 2;
    pos_ += kRightDelim.size();
    if (trim) pos_ += left_trim_length(rest(pos_));
    ignore();
    return &Lexer::lex_text;
  }

  State lex_right_delim() {
    auto [delim, trim] = at_right_delim();
    (void)delim;
    if (trim) {
      pos_ += 2;
      ignore();
    }
    pos_ += kRightDelim.size();
    emit(Item::RightDelim);
    if (trim) {
      pos_ += left_trim_length(rest(pos_));
      ignore();
    }
    return &Lexer::lex_text;
  }

  State lex_inside_action() {
    if (at_right_delim().first) {
      if (paren_depth_ == 0) return &Lexer::lex_right_delim;
      return errorf("unclosed left paren");
    }
    int r = next();
    if (r == kEof) return errorf("unclosed action");
    if (is_space(r)) {
      backup();  // in case of " -}}"
      return &Lexer::lex_space;
    }
    switch (r) {
      case '=': emit(Item::Assign); return &Lexer::lex_inside_action;
      case ':':
        if (next() != '=') return errorf("expected :=");
        emit(Item::Declare);
        return &Lexer::lex_inside_action;
      case '|': emit(Item::Pipe); return &Lexer::lex_inside_action;
      case '"': return &Lexer::lex_quote;
      case '`': return &Lexer::lex_raw_quote;
      case '$': return &Lexer::lex_variable;
      case '\'': return &Lexer::lex_char;
      case '(':
        emit(Item::LeftParen);
        ++paren_depth_;
        return &Lexer::lex_inside_action;
      case ')':
        emit(Item::RightParen);
        if (--paren_depth_ < 0) return errorf("unexpected right paren " + rune_u(r));
        return &Lexer::lex_inside_action;
      default: break;
    }
    if (r == '.') {
      // ".field", unless a digit follows: then a number such as .5
      if (pos_ < in_.size() && (in_[pos_] < '0' || in_[pos_] > '9')) return lex_field_or_variable(Item::Field);
    }
    if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      backup();
      return &Lexer::lex_number;
    }
    if (is_alphanumeric(r)) {
      backup();
      return &Lexer::lex_identifier;
    }
    if (r < 0x80 && is_print(r)) {
      emit(Item::Char);
      return &Lexer::lex_inside_action;
    }
    return errorf("unrecognized character in action: " + rune_u(r));
  }

  State lex_space() {
    int spaces = 0;
    while (is_space(peek())) {
      next();
      ++spaces;
    }
    // A trim-marked closing delimiter has a minus after a space.
    if (has_right_trim_marker(rest(pos_ - 1)) && starts(pos_ - 1 + 2, kRightDelim)) {
      backup();
      if (spaces == 1) return &Lexer::lex_right_delim;
    }
    emit(Item::Space);
    return &Lexer::lex_inside_action;
  }

  State lex_identifier() {
    for (;;) {
      int r = next();
      if (is_alphanumeric(r)) continue;
      backup();
      std::string_view word = in_.substr(start_, pos_ - start_);
      if (!at_terminator()) return errorf("bad character " + rune_u(r));
      Item k = keyword(word);
      if (k > Item::Keyword) emit(k);
      else if (word[0] == '.') emit(Item::Field);
      else if (word == "true" || word == "false") emit(Item::Bool);
      else emit(Item::Identifier);
      return &Lexer::lex_inside_action;
    }
  }

  State lex_variable() {
    if (at_terminator()) {
      emit(Item::Variable);
      return &Lexer::lex_inside_action;
    }
    return lex_field_or_variable(Item::Variable);
  }

  State lex_field_or_variable(Item type) {
    if (at_terminator()) {
      emit(type == Item::Variable ? Item::Variable : Item::Dot);
      return &Lexer::lex_inside_action;
    }
    int r = 0;
    for (;;) {
      r = next();
      if (!is_alphanumeric(r)) {
        backup();
        break;
      }
    }
    if (!at_terminator()) return errorf("bad character " + rune_u(r));
    emit(type);
    return &Lexer::lex_inside_action;
  }

  State lex_char() {
    for (;;) {
      int r = next();
      if (r == '\\') {
        int e = next();
        if (e != kEof && e != '\n') continue;
        return errorf("unterminated character constant");
      }
      if (r == kEof || r == '\n') return errorf("unterminated character constant");
      if (r == '\'') break;
    }
    emit(Item::CharConstant);
    return &Lexer::lex_inside_action;
  }

  State lex_number() {
    if (!scan_number()) return errorf("bad number syntax: " + go_quote(in_.substr(start_, pos_ - start_)));
    int sign = peek();
    if (sign == '+' || sign == '-') {
      // Complex: 1+2i. No spaces, must end in 'i'.
      if (!scan_number() || in_[pos_ - 1] != 'i')
        return errorf("bad number syntax: " + go_quote(in_.substr(start_, pos_ - start_)));
      emit(Item::Complex);
    } else {
      emit(Item::Number);
    }
    return &Lexer::lex_inside_action;
  }

  bool scan_number() {
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      accept_run("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      accept_run("0123456789_");
    }
    accept("i");
    if (is_alphanumeric(peek())) {
      next();
      return false;
    }
    return true;
  }

  State lex_quote() {
    for (;;) {
      int r = next();
      if (r == '\\') {
        int e = next();
        if (e != kEof && e != '\n') continue;
        return errorf("unterminated quoted string");
      }
      if (r == kEof || r == '\n') return errorf("unterminated quoted string");
      if (r == '"') break;
    }
    emit(Item::String);
    return &Lexer::lex_inside_action;
  }

  State lex_raw_quote() {
    for (;;) {
      int r = next();
      if (r == kEof) return errorf("unterminated raw quoted string");
      if (r == '`') break;
    }
    emit(Item::RawString);
    return &Lexer::lex_inside_action;
  }
};

// ---------------------------------------------------------------- Go literals

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// strconv's underscoreOK: underscores only between digits (or after a base prefix).
bool underscore_ok(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

enum class IntParse { Ok, Range, Syntax };

// strconv.ParseUint / ParseInt with base 0 and 64 bits.
IntParse parse_go_int(std::string_view s, bool is_signed, std::int64_t* out_i, std::uint64_t* out_u) {
  std::string_view orig = s;
  bool neg = false;
  if (is_signed && !s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return IntParse::Syntax;
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && lower(s[1]) == 'b') base = 2, s.remove_prefix(2);
    else if (s.size() >= 3 && lower(s[1]) == 'o') base = 8, s.remove_prefix(2);
    else if (s.size() >= 3 && lower(s[1]) == 'x') base = 16, s.remove_prefix(2);
    else base = 8, s.remove_prefix(1);
  }
  bool underscores = false;
  unsigned __int128 v = 0;
  bool overflow = false;
  for (char c : s) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    int d = hex_value(c);
    if (d < 0 || d >= base) return IntParse::Syntax;
    v = v * base + d;
    if (v > static_cast<unsigned __int128>(UINT64_MAX)) overflow = true, v = static_cast<unsigned __int128>(UINT64_MAX) + 1;
  }
  if (underscores && !underscore_ok(orig)) return IntParse::Syntax;
  if (overflow) return IntParse::Range;
  if (!is_signed) {
    *out_u = static_cast<std::uint64_t>(v);
    return IntParse::Ok;
  }
  if (neg) {
    if (v > static_cast<unsigned __int128>(INT64_MAX) + 1) return IntParse::Range;
    *out_i = v == static_cast<unsigned __int128>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(v);
  } else {
    if (v > static_cast<unsigned __int128>(INT64_MAX)) return IntParse::Range;
    *out_i = static_cast<std::int64_t>(v);
  }
  return IntParse::Ok;
}

// strconv.ParseFloat(s, 64): Go's decimal and hexadecimal float syntax, inf
// and nan; false on a syntax or range error.
bool parse_go_float(std::string_view s, double* out) {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  std::string lowered;
  for (char c : body) lowered += lower(c);
  if (lowered == "inf" || lowered == "infinity") {
    *out = neg ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (lowered == "nan") {
    *out = NAN;
    return true;
  }
  bool hex = body.size() >= 2 && body[0] == '0' && lower(body[1]) == 'x';
  std::size_t i = hex ? 2 : 0;
  bool digits = false, underscores = false, dot = false;
  std::string clean = hex ? "0x" : "";
  for (; i < body.size(); ++i) {
    char c = body[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (dot) return false;
      dot = true;
      clean += c;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && hex_value(c) >= 0)) {
      digits = true;
      clean += c;
      continue;
    }
    break;
  }
  if (!digits) return false;
  char exp = hex ? 'p' : 'e';
  if (i < body.size() && lower(body[i]) == exp) {
    clean += exp;
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) clean += body[i++];
    if (i >= body.size() || body[i] < '0' || body[i] > '9') return false;
    for (; i < body.size(); ++i) {
      if (body[i] == '_') {
        underscores = true;
        continue;
      }
      if (body[i] < '0' || body[i] > '9') break;
      clean += body[i];
    }
  } else if (hex) {
    return false;  // a hexadecimal mantissa needs a 'p' exponent
  }
  if (i != body.size()) return false;
  if (underscores && !underscore_ok(s)) return false;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(clean.c_str(), &end);
  if (errno == ERANGE && std::isinf(v)) return false;
  *out = neg ? -v : v;
  return true;
}

// strconv.UnquoteChar: one (possibly escaped) character of a quoted literal.
// Returns false on a syntax error; `s` advances past it.
bool unquote_char(std::string_view& s, char quote, std::string& out) {
  if (s.empty()) return false;
  auto c = static_cast<unsigned char>(s[0]);
  if (c == static_cast<unsigned char>(quote) && (quote == '\'' || quote == '"')) return false;
  if (c >= 0x80) {
    std::size_t w = 0;
    decode_rune(s, 0, &w);
    out.append(s.substr(0, w));
    s.remove_prefix(w);
    return true;
  }
  if (c != '\\') {
    out += static_cast<char>(c);
    s.remove_prefix(1);
    return true;
  }
  if (s.size() <= 1) return false;
  char e = s[1];
  s.remove_prefix(2);
  switch (e) {
    case 'a': out += '\a'; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case 't': out += '\t'; return true;
    case 'v': out += '\v'; return true;
    case '\\': out += '\\'; return true;
    case '\'':
    case '"':
      if (e != quote) return false;
      out += e;
      return true;
    case 'x':
    case 'u':
    case 'U': {
      std::size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (s.size() < n) return false;
      long v = 0;
      for (std::size_t k = 0; k < n; ++k) {
        int d = hex_value(s[k]);
        if (d < 0) return false;
        v = v * 16 + d;
      }
      s.remove_prefix(n);
      if (e == 'x') {
        out += static_cast<char>(v);
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      append_utf8(out, static_cast<int>(v));
      return true;
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      int v = e - '0';
      if (s.size() < 2) return false;
      for (int k = 0; k < 2; ++k) {
        if (s[k] < '0' || s[k] > '7') return false;
        v = v * 8 + (s[k] - '0');
      }
      if (v > 255) return false;
      s.remove_prefix(2);
      out += static_cast<char>(v);
      return true;
    }
    default: return false;
  }
}

// strconv.Unquote for "..." and `...`.
bool unquote(std::string_view quoted, std::string& out) {
  if (quoted.size() < 2) return false;
  char q = quoted.front();
  if (q != quoted.back()) return false;
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  if (q == '`') {
    if (body.find('`') != std::string_view::npos) return false;
    for (char c : body)
      if (c != '\r') out += c;
    return true;
  }
  if (q != '"') return false;
  if (body.find('\n') != std::string_view::npos) return false;
  while (!body.empty())
    if (!unquote_char(body, '"', out)) return false;
  return true;
}

// ---------------------------------------------------------------- parser

struct Failure {
  std::string message;
  std::size_t pos;
  int line;
};

bool is_empty_tree(const std::vector<Node>& list) {
  for (const auto& n : list) {
    if (n.kind != Node::Kind::Text) return false;
    for (char c : n.text)
      if (!is_space(c) && c != '\f' && c != '\v') return false;
  }
  return true;
}

// The special nodes {{end}} and {{else}} end item lists.
struct ListEnd {
  enum class Kind { None, End, Else } kind = Kind::None;
  std::size_t pos = 0;
  int line = 1;
  std::string describe() const { return kind == Kind::End ? "{{end}}" : "{{else}}"; }
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const ParseOptions& options) : tokens_(std::move(tokens)), options_(options) {}

  Template parse() {
    Template& tmpl = tmpl_;
    tmpl.name = options_.name;
    vars_ = {"$"};
    for (const auto& v : options_.variables) vars_.push_back(v);
    while (peek().type != Item::Eof) {
      if (peek().type == Item::LeftDelim) {
        std::size_t delim = idx_;
        next();
        if (next_non_space().type == Item::Define) {
          parse_definition();
          continue;
        }
        idx_ = delim;
      }
      ListEnd end;
      std::optional<Node> n = text_or_action(&end);
      if (end.kind != ListEnd::Kind::None) errorf("unexpected " + end.describe());
      tmpl.root.push_back(std::move(*n));
    }
    auto same = tmpl.defined.find(tmpl.name);
    if (same != tmpl.defined.end() && !is_empty_tree(same->second) && !is_empty_tree(tmpl.root))
      errorf("template: multiple definition of template " + go_quote(tmpl.name));
    return std::move(tmpl);
  }

 private:
  std::vector<Token> tokens_;
  const ParseOptions& options_;
  std::size_t idx_ = 0;      // next token to read
  std::size_t furthest_ = 0;  // the most recently lexed token (Go's token[0]) for error lines
  std::vector<std::string> vars_;
  int range_depth_ = 0;
  int action_line_ = 0;
  Template tmpl_;

  const Token& at(std::size_t i) {
    if (i >= tokens_.size()) i = tokens_.size() - 1;  // past the end: the final EOF or error again
    furthest_ = std::max(furthest_, i);
    return tokens_[i];
  }
  const Token& next() { return at(idx_++); }
  void backup() { --idx_; }
  const Token& peek() { return at(idx_); }
  const Token& next_non_space() {
    while (at(idx_).type == Item::Space) ++idx_;
    return next();
  }
  const Token& peek_non_space() {
    while (at(idx_).type == Item::Space) ++idx_;
    return peek();
  }

  [[noreturn]] void errorf(const std::string& message) {
    const Token& t = tokens_[std::min(furthest_, tokens_.size() - 1)];
    throw Failure{message, t.pos, t.line};
  }
  [[noreturn]] void unexpected(const Token& token, const std::string& context) {
    if (token.type == Item::Error) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != token.line) {
        extra = " in action started at " + options_.name + ":" + std::to_string(action_line_);
        if (token.val.size() >= 7 && token.val.compare(token.val.size() - 7, 7, " action") == 0)
          extra = extra.substr(10);  // avoid "action in action"
      }
      errorf(token.val + extra);
    }
    errorf("unexpected " + describe(token) + " in " + context);
  }
  const Token& expect(Item type, const std::string& context) {
    const Token& t = next_non_space();
    if (t.type != type) unexpected(t, context);
    return t;
  }

  // A {{define}} or {{block}} body; an empty one never replaces another.
  void add(const std::string& name, std::vector<Node>& body) {
    auto it = tmpl_.defined.find(name);
    if (it == tmpl_.defined.end() || is_empty_tree(it->second)) {
      tmpl_.defined[name] = std::move(body);
      return;
    }
    if (!is_empty_tree(body)) errorf("template: multiple definition of template " + go_quote(name));
  }

  // A definition or block body: a template of its own, with only "$" defined.
  struct Scope {
    Parser& p;
    std::vector<std::string> vars;
    int range_depth;
    explicit Scope(Parser& parser) : p(parser), vars(std::move(parser.vars_)), range_depth(parser.range_depth_) {
      p.vars_ = {"$"};
      p.range_depth_ = 0;
    }
    ~Scope() {
      p.vars_ = std::move(vars);
      p.range_depth_ = range_depth;
    }
  };

  void parse_definition() {
    const std::string context = "define clause";
    const Token& name_token = next_non_space();
    if (name_token.type != Item::String && name_token.type != Item::RawString) unexpected(name_token, context);
    std::string name;
    if (!unquote(name_token.val, name)) errorf("invalid syntax");
    expect(Item::RightDelim, context);
    std::vector<Node> body;
    {
      Scope scope(*this);
      ListEnd end;
      body = item_list(&end);
      if (end.kind != ListEnd::Kind::End) errorf("unexpected " + end.describe() + " in " + context);
    }
    add(name, body);
  }

  std::vector<Node> item_list(ListEnd* end) {
    std::vector<Node> list;
    while (peek_non_space().type != Item::Eof) {
      std::optional<Node> n = text_or_action(end);
      if (end->kind != ListEnd::Kind::None) return list;
      list.push_back(std::move(*n));
    }
    errorf("unexpected EOF");
  }

  // A node, or nothing with *end set for {{end}} and {{else}}.
  std::optional<Node> text_or_action(ListEnd* end) {
    const Token& token = next_non_space();
    if (token.type == Item::Text) {
      Node n;
      n.kind = Node::Kind::Text;
      n.text = token.val;
      n.pos = token.pos;
      n.line = token.line;
      return n;
    }
    if (token.type == Item::LeftDelim) {
      int saved = action_line_;
      action_line_ = token.line;
      std::optional<Node> n = action(end);
      action_line_ = saved;
      return n;
    }
    unexpected(token, "input");
  }

  std::optional<Node> action(ListEnd* end) {
    const Token& token = next_non_space();
    switch (token.type) {
      case Item::Block: return block_control();
      case Item::Break: return loop_control(token, "break");
      case Item::Continue: return loop_control(token, "continue");
      case Item::Else: {
        const Token& p = peek_non_space();
        end->kind = ListEnd::Kind::Else;
        end->pos = p.pos;
        end->line = p.line;
        if (p.type != Item::If) expect(Item::RightDelim, "else");
        return std::nullopt;
      }
      case Item::End: {
        const Token& t = expect(Item::RightDelim, "end");
        end->kind = ListEnd::Kind::End;
        end->pos = t.pos;
        end->line = t.line;
        return std::nullopt;
      }
      case Item::If: return control(Node::Kind::If, true, "if");
      case Item::Range: return control(Node::Kind::Range, false, "range");
      case Item::With: return control(Node::Kind::With, false, "with");
      case Item::Template: return template_control();
      default: break;
    }
    backup();
    const Token& start = peek();
    Node n;
    n.kind = Node::Kind::Action;
    n.pos = start.pos;
    n.line = start.line;
    n.pipe = pipeline("command", Item::RightDelim);
    return n;
  }

  Node loop_control(const Token& keyword_token, const std::string& word) {
    Node n;
    n.kind = word == "break" ? Node::Kind::Break : Node::Kind::Continue;
    n.pos = keyword_token.pos;
    n.line = keyword_token.line;
    const Token& t = next_non_space();
    if (t.type != Item::RightDelim) unexpected(t, "{{" + word + "}}");
    if (range_depth_ == 0) errorf("{{" + word + "}} outside {{range}}");
    return n;
  }

  Node control(Node::Kind kind, bool allow_else_if, const std::string& context) {
    std::size_t saved_vars = vars_.size();
    Node n;
    n.kind = kind;
    n.pipe = pipeline(context, Item::RightDelim);
    n.pos = n.pipe->pos;
    n.line = n.pipe->line;
    if (kind == Node::Kind::Range) ++range_depth_;
    ListEnd end;
    n.list = item_list(&end);
    if (kind == Node::Kind::Range) --range_depth_;
    if (end.kind == ListEnd::Kind::Else) {
      if (allow_else_if && peek().type == Item::If) {
        // {{else if b}} is {{else}}{{if b}}...{{end}}{{end}} with one {{end}}.
        next();
        n.else_list.push_back(control(Node::Kind::If, true, "if"));
      } else {
        ListEnd end2;
        n.else_list = item_list(&end2);
        if (end2.kind != ListEnd::Kind::End) errorf("expected end; found " + end2.describe());
      }
    }
    vars_.resize(saved_vars);
    return n;
  }

  std::string template_name(const Token& token, const std::string& context) {
    if (token.type != Item::String && token.type != Item::RawString) unexpected(token, context);
    std::string name;
    if (!unquote(token.val, name)) errorf("invalid syntax");
    return name;
  }

  Node block_control() {
    const std::string context = "block clause";
    const Token& token = next_non_space();
    Node n;
    n.kind = Node::Kind::Template;
    n.pos = token.pos;
    n.line = token.line;
    n.text = template_name(token, context);
    n.pipe = pipeline(context, Item::RightDelim);
    std::vector<Node> body;
    {
      Scope scope(*this);
      ListEnd end;
      body = item_list(&end);
      if (end.kind != ListEnd::Kind::End) errorf("unexpected " + end.describe() + " in " + context);
    }
    add(n.text, body);
    return n;
  }

  Node template_control() {
    const std::string context = "template clause";
    const Token& token = next_non_space();
    Node n;
    n.kind = Node::Kind::Template;
    n.pos = token.pos;
    n.line = token.line;
    n.text = template_name(token, context);
    if (next_non_space().type != Item::RightDelim) {
      backup();
      n.pipe = pipeline(context, Item::RightDelim);
    }
    return n;
  }

  std::shared_ptr<const Pipeline> pipeline(const std::string& context, Item end) {
    auto pipe = std::make_shared<Pipeline>();
    const Token& first = peek_non_space();
    pipe->pos = first.pos;
    pipe->line = first.line;
  decls:
    if (peek_non_space().type == Item::Variable) {
      std::size_t var_index = idx_;
      Token v = next();
      const Token& nxt = peek_non_space();
      if (nxt.type == Item::Assign || nxt.type == Item::Declare) {
        pipe->is_assign = nxt.type == Item::Assign;
        next_non_space();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
      } else if (nxt.type == Item::Char && nxt.val == ",") {
        next_non_space();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          Item t = peek_non_space().type;
          if (t == Item::Variable || t == Item::RightDelim || t == Item::RightParen) goto decls;
          errorf("range can only initialize variables");
        }
        errorf("too many declarations in " + context);
      } else {
        idx_ = var_index;  // a use, not a declaration
      }
    }
    for (;;) {
      const Token& token = next_non_space();
      if (token.type == end) {
        check_pipeline(*pipe, context);
        return pipe;
      }
      switch (token.type) {
        case Item::Bool: case Item::CharConstant: case Item::Complex: case Item::Dot: case Item::Field:
        case Item::Identifier: case Item::Number: case Item::Nil: case Item::RawString: case Item::String:
        case Item::Variable: case Item::LeftParen:
          backup();
          pipe->cmds.push_back(command());
          break;
        default: unexpected(token, context);
      }
    }
  }

  void check_pipeline(const Pipeline& pipe, const std::string& context) {
    if (pipe.cmds.empty()) errorf("missing value for " + context);
    for (std::size_t i = 1; i < pipe.cmds.size(); ++i) {
      switch (pipe.cmds[i].args.front().kind) {
        case Operand::Kind::Bool: case Operand::Kind::Dot: case Operand::Kind::Nil: case Operand::Kind::Number:
        case Operand::Kind::String:
          errorf("non executable command in pipeline stage " + std::to_string(i + 1));
        default: break;
      }
    }
  }

  Command command() {
    Command cmd;
    cmd.pos = peek_non_space().pos;
    for (;;) {
      peek_non_space();
      if (std::optional<Operand> op = operand()) cmd.args.push_back(std::move(*op));
      const Token& token = next();
      if (token.type == Item::Space) continue;
      if (token.type == Item::RightDelim || token.type == Item::RightParen) backup();
      else if (token.type != Item::Pipe) unexpected(token, "operand");
      break;
    }
    if (cmd.args.empty()) errorf("empty command");
    return cmd;
  }

  static std::string operand_string(const Operand& o) {
    switch (o.kind) {
      case Operand::Kind::Bool: return o.bool_value ? "true" : "false";
      case Operand::Kind::Nil: return "nil";
      case Operand::Kind::Dot: return ".";
      default: return o.text;
    }
  }

  std::optional<Operand> operand() {
    std::optional<Operand> node = term();
    if (!node) return node;
    if (peek().type == Item::Field) {
      std::vector<std::string> fields;
      std::size_t pos = peek().pos;
      while (peek().type == Item::Field) fields.push_back(next().val.substr(1));
      switch (node->kind) {
        case Operand::Kind::Field:
        case Operand::Kind::Variable:
          node->fields.insert(node->fields.end(), fields.begin(), fields.end());
          break;
        case Operand::Kind::Bool: case Operand::Kind::String: case Operand::Kind::Number: case Operand::Kind::Nil:
        case Operand::Kind::Dot:
          errorf("unexpected . after term " + go_quote(operand_string(*node)));
        default: {
          Operand chain;
          chain.kind = Operand::Kind::Chain;
          chain.pos = pos;
          chain.fields = std::move(fields);
          chain.chain_base = std::make_shared<Operand>(std::move(*node));
          node = std::move(chain);
        }
      }
    }
    return node;
  }

  std::optional<Operand> term() {
    const Token& token = next_non_space();
    Operand o;
    o.pos = token.pos;
    o.text = token.val;
    switch (token.type) {
      case Item::Identifier:
        if (!options_.functions.count(token.val)) errorf("function " + go_quote(token.val) + " not defined");
        o.kind = Operand::Kind::Function;
        o.name = token.val;
        return o;
      case Item::Dot: o.kind = Operand::Kind::Dot; return o;
      case Item::Nil: o.kind = Operand::Kind::Nil; return o;
      case Item::Variable: {
        o.kind = Operand::Kind::Variable;
        o.name = token.val;
        bool known = false;
        for (const auto& v : vars_) known = known || v == token.val;
        if (!known) errorf("undefined variable " + go_quote(token.val));
        return o;
      }
      case Item::Field: o.kind = Operand::Kind::Field; o.fields = {token.val.substr(1)}; return o;
      case Item::Bool: o.kind = Operand::Kind::Bool; o.bool_value = token.val == "true"; return o;
      case Item::CharConstant: case Item::Complex: case Item::Number:
        number(token, o);
        return o;
      case Item::LeftParen:
        o.kind = Operand::Kind::Pipeline;
        o.pipe = pipeline("parenthesized pipeline", Item::RightParen);
        return o;
      case Item::String: case Item::RawString:
        o.kind = Operand::Kind::String;
        if (!unquote(token.val, o.string_value)) errorf("invalid syntax");
        return o;
      default: break;
    }
    backup();
    return std::nullopt;
  }

  // parse.newNumber: which of int, uint, float and complex the constant is.
  void number(const Token& token, Operand& o) {
    o.kind = Operand::Kind::Number;
    const std::string& text = token.val;
    if (token.type == Item::CharConstant) {
      std::string_view body = std::string_view(text).substr(1);
      std::string decoded;
      if (!unquote_char(body, '\'', decoded)) errorf("invalid syntax");
      if (body != "'") errorf("malformed character constant: " + text);
      std::size_t w = 0;
      int r = decoded.size() == 1 ? static_cast<unsigned char>(decoded[0]) : decode_rune(decoded, 0, &w);
      o.is_int = o.is_uint = o.is_float = true;
      o.int_value = r;
      o.uint_value = static_cast<std::uint64_t>(r);
      o.float_value = r;
      return;
    }
    if (token.type == Item::Complex) {
      // real+imag i: both parts must be numbers.
      std::size_t split = text.find_first_of("+-", 1);
      while (split != std::string::npos && lower(text[split - 1]) == 'e') split = text.find_first_of("+-", split + 1);
      double re = 0, im = 0;
      if (split == std::string::npos || !parse_go_float(text.substr(0, split), &re) ||
          !parse_go_float(text.substr(split, text.size() - split - 1), &im))
        errorf("expected integer");
      o.is_complex = true;
      if (im == 0) {
        o.is_float = true;
        o.float_value = re;
      }
      return;
    }
    if (!text.empty() && text.back() == 'i') {
      double im = 0;
      if (parse_go_float(text.substr(0, text.size() - 1), &im)) {
        o.is_complex = true;
        if (im == 0) o.is_float = o.is_int = o.is_uint = true;
        return;
      }
    }
    std::uint64_t u = 0;
    std::int64_t i = 0;
    if (parse_go_int(text, false, &i, &u) == IntParse::Ok) {
      o.is_uint = true;
      o.uint_value = u;
    }
    if (parse_go_int(text, true, &i, &u) == IntParse::Ok) {
      o.is_int = true;
      o.int_value = i;
      if (i == 0) {
        o.is_uint = true;
        o.uint_value = 0;
      }
    }
    if (o.is_int) {
      o.is_float = true;
      o.float_value = static_cast<double>(o.int_value);
    } else if (o.is_uint) {
      o.is_float = true;
      o.float_value = static_cast<double>(o.uint_value);
    } else {
      double f = 0;
      if (parse_go_float(text, &f)) {
        if (text.find_first_of(".eEpP") == std::string::npos) errorf("integer overflow: " + go_quote(text));
        o.is_float = true;
        o.float_value = f;
        if (std::isfinite(f) && std::trunc(f) == f && std::fabs(f) < 9.2e18) {
          o.is_int = true;
          o.int_value = static_cast<std::int64_t>(f);
          if (f >= 0) {
            o.is_uint = true;
            o.uint_value = static_cast<std::uint64_t>(f);
          }
        }
      }
    }
    if (!o.is_int && !o.is_uint && !o.is_float) errorf("illegal number syntax: " + go_quote(text));
  }
};

void walk_pipeline(const Pipeline& pipe, bool dot_is_root,
                   const std::function<void(const Command&, bool)>& visit);

void walk_operand(const Operand& o, bool dot_is_root, const std::function<void(const Command&, bool)>& visit) {
  if (o.pipe) walk_pipeline(*o.pipe, dot_is_root, visit);
  if (o.chain_base) walk_operand(*o.chain_base, dot_is_root, visit);
}

void walk_pipeline(const Pipeline& pipe, bool dot_is_root,
                   const std::function<void(const Command&, bool)>& visit) {
  for (const auto& cmd : pipe.cmds) {
    visit(cmd, dot_is_root);
    for (const auto& arg : cmd.args) walk_operand(arg, dot_is_root, visit);
  }
}

void walk_list(const std::vector<Node>& list, bool dot_is_root,
               const std::function<void(const Command&, bool)>& visit) {
  for (const auto& n : list) {
    if (n.pipe) walk_pipeline(*n.pipe, dot_is_root, visit);
    bool inner = dot_is_root && n.kind != Node::Kind::Range && n.kind != Node::Kind::With;
    walk_list(n.list, inner, visit);
    walk_list(n.else_list, dot_is_root, visit);
  }
}

}  // namespace

std::string ParseError::text() const {
  return "template: " + template_name + ":" + std::to_string(line) + ": " + message;
}

ParseResult parse_template(std::string_view text, const ParseOptions& options) {
  ParseResult result;
  Parser parser(Lexer(text).run(), options);
  try {
    result.tmpl = parser.parse();
  } catch (const Failure& f) {
    result.error = ParseError{options.name, f.line, f.pos, f.message};
  }
  return result;
}

const std::set<std::string>& go_builtin_functions() {
  static const std::set<std::string> kFuncs = {"and", "call",  "html",   "index",  "slice",   "js", "len",
                                               "not", "or",    "print",  "printf", "println", "urlquery",
                                               "eq",  "ge",    "gt",     "le",     "lt",      "ne"};
  return kFuncs;
}

const std::set<std::string>& prometheus_functions() {
  static const std::set<std::string> kFuncs = {
      "query",        "first",           "label",          "value",          "strvalue",
      "args",         "reReplaceAll",    "safeHtml",       "match",          "title",
      "toUpper",      "toLower",         "graphLink",      "tableLink",      "sortByLabel",
      "humanize",     "humanize1024",    "humanizeDuration", "humanizePercentage", "humanizeTimestamp",
      "toTime",       "pathPrefix",      "externalURL",    "parseDuration",  "stripPort",
      "stripDomain"};
  return kFuncs;
}

const std::set<std::string>& prometheus3_functions() {
  static const std::set<std::string> kFuncs = {"toDuration", "now", "urlQueryEscape"};
  return kFuncs;
}

ParseOptions prometheus_alert_options(const std::string& alert_name, bool with_v3) {
  ParseOptions o;
  o.name = "__alert_" + alert_name;
  o.functions = go_builtin_functions();
  o.functions.insert(prometheus_functions().begin(), prometheus_functions().end());
  if (with_v3) o.functions.insert(prometheus3_functions().begin(), prometheus3_functions().end());
  o.variables = {"$labels", "$externalLabels", "$externalURL", "$value"};
  return o;
}

void walk_commands(const Template& tmpl, const std::function<void(const Command&, bool dot_is_root)>& visit) {
  walk_list(tmpl.root, true, visit);
  for (const auto& [name, body] : tmpl.defined) walk_list(body, false, visit);
}

}  // namespace greenlight::gotmpl
