// A port of the state machine of Prometheus 2.x's PromQL lexer. It keeps the
// quirks that decide whether an expression is accepted (any letter inside
// brackets lexes as the subquery colon; `[5]` is "missing unit character";
// keywords inside braces are plain identifiers) because rule files must be
// rejected here exactly when Prometheus rejects them.
#include "suites/alerts/promql/lexer.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>

namespace greenlight::promql {

namespace {

using Rune = std::int32_t;
constexpr Rune kEof = -1;
constexpr Rune kRuneError = 0xFFFD;

// Go's utf8.DecodeRuneInString: an invalid byte decodes as U+FFFD, width 1.
std::pair<Rune, std::size_t> decode_rune(std::string_view s) {
  if (s.empty()) return {kEof, 0};
  auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {b0, 1};
  auto cont = [&](std::size_t i) {
    return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  };
  auto byte = [&](std::size_t i) { return static_cast<Rune>(static_cast<unsigned char>(s[i]) & 0x3F); };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) return {((b0 & 0x1F) << 6) | byte(1), 2};
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    Rune r = ((b0 & 0x0F) << 12) | (byte(1) << 6) | byte(2);
    if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    Rune r = ((b0 & 0x07) << 18) | (byte(1) << 12) | (byte(2) << 6) | byte(3);
    if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4};
  }
  return {kRuneError, 1};
}

void append_utf8(std::string& out, char32_t r) {
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

bool is_space(Rune r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool is_digit(Rune r) { return r >= '0' && r <= '9'; }
bool is_alpha(Rune r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool is_alnum(Rune r) { return is_alpha(r) || is_digit(r); }

int digit_val(Rune r) {
  if (r >= '0' && r <= '9') return r - '0';
  if (r >= 'a' && r <= 'f') return r - 'a' + 10;
  if (r >= 'A' && r <= 'F') return r - 'A' + 10;
  return 16;
}

// strconv.IsPrint, approximately: ASCII graphic and space, and every non-ASCII
// code point except controls, format characters and private use.
bool is_print(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r <= 0xA0 || r == 0xAD) return false;
  if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) || (r >= 0x205F && r <= 0x206F)) return false;
  if (r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0xE000 && r <= 0xF8FF)) return false;
  return r <= 0x10FFFF;
}

void append_escaped(std::string& out, char32_t r, char quote) {
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if (is_print(r)) {
    append_utf8(out, r);
    return;
  }
  char buf[16];
  switch (r) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
    default: break;
  }
  if (r < ' ' || r == 0x7F) std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r));
  else if (r < 0x10000) std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
  else std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
  out += buf;
}

// Go's %#U: "U+0027 '''".
std::string format_code_point(Rune r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r < 0 ? kRuneError : r));
  std::string out = buf;
  if (r >= 0 && is_print(static_cast<char32_t>(r))) {
    out += " '";
    append_utf8(out, static_cast<char32_t>(r));
    out += "'";
  }
  return out;
}

const std::unordered_map<std::string, TokenKind>& keywords() {
  static const std::unordered_map<std::string, TokenKind> k = {
      {"and", TokenKind::And},
      {"or", TokenKind::Or},
      {"unless", TokenKind::Unless},
      {"atan2", TokenKind::Atan2},
      {"sum", TokenKind::Sum},
      {"avg", TokenKind::Avg},
      {"count", TokenKind::Count},
      {"min", TokenKind::Min},
      {"max", TokenKind::Max},
      {"group", TokenKind::Group},
      {"stddev", TokenKind::Stddev},
      {"stdvar", TokenKind::Stdvar},
      {"topk", TokenKind::Topk},
      {"bottomk", TokenKind::Bottomk},
      {"count_values", TokenKind::CountValues},
      {"quantile", TokenKind::Quantile},
      {"limitk", TokenKind::Limitk},
      {"limit_ratio", TokenKind::LimitRatio},
      {"offset", TokenKind::Offset},
      {"by", TokenKind::By},
      {"without", TokenKind::Without},
      {"on", TokenKind::On},
      {"ignoring", TokenKind::Ignoring},
      {"group_left", TokenKind::GroupLeft},
      {"group_right", TokenKind::GroupRight},
      {"bool", TokenKind::Bool},
      {"start", TokenKind::Start},
      {"end", TokenKind::End},
      {"inf", TokenKind::Number},
      {"nan", TokenKind::Number},
  };
  return k;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<Token> run() {
    while (!done_) {
      if (brace_open_) inside_braces();
      else statement();
    }
    return std::move(out_);
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0, start_ = 0, width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false, bracket_open_ = false, got_colon_ = false;
  bool done_ = false;
  std::vector<Token> out_;

  Rune next() {
    if (pos_ >= in_.size()) {
      width_ = 0;
      return kEof;
    }
    auto [r, w] = decode_rune(in_.substr(pos_));
    width_ = w;
    pos_ += w;
    return r;
  }
  Rune peek() {
    Rune r = next();
    backup();
    return r;
  }
  void backup() { pos_ -= width_; }
  bool accept(std::string_view valid) {
    Rune r = next();
    if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
    backup();
    return false;
  }
  void accept_run(std::string_view valid) {
    while (accept(valid)) {
    }
  }
  std::string_view current() const { return in_.substr(start_, pos_ - start_); }
  void emit(TokenKind k) {
    out_.push_back(Token{k, start_, std::string(current())});
    start_ = pos_;
  }
  void ignore() { start_ = pos_; }
  void error(std::string message) {
    out_.push_back(Token{TokenKind::Error, start_, std::move(message)});
    done_ = true;
  }
  void skip_spaces() {
    while (is_space(peek())) next();
    ignore();
  }

  void statement() {
    if (in_.substr(pos_).substr(0, 1) == "#") return comment();
    Rune r = next();
    switch (r) {
      case kEof:
        if (paren_depth_ != 0) return error("unclosed left parenthesis");
        if (bracket_open_) return error("unclosed left bracket");
        emit(TokenKind::Eof);
        done_ = true;
        return;
      case ',': return emit(TokenKind::Comma);
      case '*': return emit(TokenKind::Mul);
      case '/': return emit(TokenKind::Div);
      case '%': return emit(TokenKind::Mod);
      case '+': return emit(TokenKind::Add);
      case '-': return emit(TokenKind::Sub);
      case '^': return emit(TokenKind::Pow);
      case '@': return emit(TokenKind::At);
      case '=': {
        Rune t = peek();
        if (t == '=') {
          next();
          return emit(TokenKind::Eqlc);
        }
        if (t == '~') return error("unexpected character after '=': " + quote_rune(static_cast<char32_t>(t)));
        return emit(TokenKind::Assign);
      }
      case '!': {
        Rune t = next();
        if (t != '=') return error("unexpected character after '!': " + quote_rune(t < 0 ? kRuneError : t));
        return emit(TokenKind::Neq);
      }
      case '<':
        if (peek() == '=') {
          next();
          return emit(TokenKind::Lte);
        }
        return emit(TokenKind::Lss);
      case '>':
        if (peek() == '=') {
          next();
          return emit(TokenKind::Gte);
        }
        return emit(TokenKind::Gtr);
      case '"':
      case '\'': return quoted_string(static_cast<char>(r));
      case '`': return raw_string();
      case '(':
        emit(TokenKind::LeftParen);
        ++paren_depth_;
        return;
      case ')':
        emit(TokenKind::RightParen);
        if (--paren_depth_ < 0) {
          // Prometheus' error replaces the parenthesis and points just after it.
          out_.pop_back();
          return error("unexpected right parenthesis " + quote_rune(r));
        }
        return;
      case '{':
        emit(TokenKind::LeftBrace);
        brace_open_ = true;
        return;
      case '[':
        if (bracket_open_) return error("unexpected left bracket " + quote_rune(r));
        got_colon_ = false;
        emit(TokenKind::LeftBracket);
        if (is_space(peek())) skip_spaces();
        bracket_open_ = true;
        return bracket_duration();
      case ']':
        if (!bracket_open_) return error("unexpected right bracket " + quote_rune(r));
        emit(TokenKind::RightBracket);
        bracket_open_ = false;
        return;
      default: break;
    }
    if (is_space(r)) return skip_spaces();
    if (is_digit(r) || (r == '.' && is_digit(peek()))) {
      backup();
      return number_or_duration();
    }
    if (is_alpha(r) || r == ':') {
      if (!bracket_open_) {
        backup();
        return keyword_or_identifier();
      }
      // Prometheus 2.x lexes any letter inside brackets as the subquery colon.
      if (got_colon_) return error("unexpected colon " + quote_rune(r));
      emit(TokenKind::Colon);
      got_colon_ = true;
      return;
    }
    error("unexpected character: " + quote_rune(r));
  }

  void inside_braces() {
    if (in_.substr(pos_).substr(0, 1) == "#") return comment();
    Rune r = next();
    switch (r) {
      case kEof: return error("unexpected end of input inside braces");
      case ',': return emit(TokenKind::Comma);
      case '"':
      case '\'': return quoted_string(static_cast<char>(r));
      case '`': return raw_string();
      case '=':
        if (next() == '~') return emit(TokenKind::EqlRegex);
        backup();
        return emit(TokenKind::Assign);
      case '!': {
        Rune nr = next();
        if (nr == '~') return emit(TokenKind::NeqRegex);
        if (nr == '=') return emit(TokenKind::Neq);
        return error("unexpected character after '!' inside braces: " + quote_rune(nr < 0 ? kRuneError : nr));
      }
      case '{': return error("unexpected left brace " + quote_rune(r));
      case '}':
        emit(TokenKind::RightBrace);
        brace_open_ = false;
        return;
      default: break;
    }
    if (is_space(r)) return skip_spaces();
    if (is_alpha(r)) {
      // Keywords are not recognised here: {by="x"} matches a label named "by".
      while (is_alnum(next())) {
      }
      backup();
      return emit(TokenKind::Identifier);
    }
    error("unexpected character inside braces: " + quote_rune(r));
  }

  void comment() {
    pos_ += 1;
    for (Rune r = next(); r != '\n' && r != '\r' && r != kEof; r = next()) {
    }
    backup();
    emit(TokenKind::Comment);
  }

  void keyword_or_identifier() {
    for (Rune r = next(); is_alnum(r) || r == ':'; r = next()) {
    }
    backup();
    std::string lower(current());
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (auto it = keywords().find(lower); it != keywords().end()) return emit(it->second);
    emit(lower.find(':') != std::string::npos ? TokenKind::MetricIdentifier : TokenKind::Identifier);
  }

  // Right after "[": only a duration may follow.
  void bracket_duration() {
    if (scan_number()) return error("missing unit character in duration");
    if (!accept_remaining_duration()) return error("bad duration syntax: " + quote_string(current()));
    backup();
    emit(TokenKind::Duration);
  }

  void number_or_duration() {
    if (scan_number()) return emit(TokenKind::Number);
    if (accept_remaining_duration()) {
      backup();
      return emit(TokenKind::Duration);
    }
    error("bad number or duration syntax: " + quote_string(current()));
  }

  // Consumes what may be a number; true when what follows cannot continue it.
  // The text is validated later, when the parser converts it.
  bool scan_number() {
    std::string_view digits = "0123456789";
    if (accept("0") && accept("xX")) digits = "0123456789abcdefABCDEF";
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    if (accept("eE")) {
      accept("+-");
      accept_run("0123456789");
    }
    return !is_alnum(peek());
  }

  // After the digits of a duration: its units and further number-unit pairs.
  // Leaves one rune consumed past the end (the caller backs up).
  bool accept_remaining_duration() {
    if (!accept("smhdwy")) return false;
    accept("s");  // "ms"; nonsense such as "hs" is rejected by parse_duration
    while (accept("0123456789")) {
      accept_run("0123456789");
      if (!accept("smhdw")) return false;  // "y" may only come first
      accept("s");
    }
    return !is_alnum(next());
  }

  void quoted_string(char quote) {
    for (;;) {
      Rune r = next();
      if (r == '\\') {
        if (!escape(quote)) return;
        continue;
      }
      if (r == kRuneError) return error("invalid UTF-8 rune");
      if (r == kEof || r == '\n') return error("unterminated quoted string");
      if (r == quote) break;
    }
    emit(TokenKind::String);
  }

  void raw_string() {
    for (;;) {
      Rune r = next();
      if (r == kRuneError) return error("invalid UTF-8 rune");
      if (r == kEof) return error("unterminated raw string");
      if (r == '`') break;
    }
    emit(TokenKind::String);
  }

  // The backslash has been consumed. Same checks as Go's scanner.
  bool escape(char quote) {
    Rune ch = next();
    int n = 0;
    std::uint32_t base = 0, max = 0;
    switch (ch) {
      case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\': return true;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        n = 3, base = 8, max = 255;
        break;
      case 'x':
        ch = next();
        n = 2, base = 16, max = 255;
        break;
      case 'u':
        ch = next();
        n = 4, base = 16, max = 0x10FFFF;
        break;
      case 'U':
        ch = next();
        n = 8, base = 16, max = 0x10FFFF;
        break;
      case kEof:
        error("escape sequence not terminated");
        return false;
      default:
        if (ch == quote) return true;
        error("unknown escape sequence " + format_code_point(ch));
        return false;
    }
    std::uint32_t x = 0;
    while (n > 0) {
      auto d = static_cast<std::uint32_t>(digit_val(ch < 0 ? 0x7FFFFFFF : ch));
      if (d >= base) {
        if (ch == kEof) error("escape sequence not terminated");
        else error("illegal character " + format_code_point(ch) + " in escape sequence");
        return false;
      }
      x = x * base + d;
      if (--n > 0) ch = next();
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
      error("escape sequence is an invalid Unicode code point");
      return false;
    }
    return true;
  }
};

}  // namespace

std::vector<Token> lex_promql(std::string_view expr) { return Lexer(expr).run(); }

bool is_aggregator(TokenKind k) { return k >= TokenKind::Sum && k <= TokenKind::LimitRatio; }
bool is_operator(TokenKind k) { return k >= TokenKind::Add && k <= TokenKind::Atan2; }
bool is_keyword(TokenKind k) { return k >= TokenKind::Offset && k <= TokenKind::Bool; }

std::string quote_string(std::string_view s) {
  std::string out = "\"";
  while (!s.empty()) {
    auto [r, w] = decode_rune(s);
    if (r == kRuneError && w == 1) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[0]));
      out += buf;
    } else {
      append_escaped(out, static_cast<char32_t>(r), '"');
    }
    s.remove_prefix(w);
  }
  out += '"';
  return out;
}

std::string quote_rune(char32_t r) {
  std::string out = "'";
  append_escaped(out, r > 0x10FFFF ? kRuneError : r, '\'');
  out += "'";
  return out;
}

std::string describe_token(const Token& t) {
  switch (t.kind) {
    case TokenKind::Eof: return "end of input";
    case TokenKind::Error: return t.text;
    case TokenKind::Identifier: return "identifier " + quote_string(t.text);
    case TokenKind::MetricIdentifier: return "metric identifier " + quote_string(t.text);
    case TokenKind::Comment: return "comment";
    default: break;
  }
  if (is_keyword(t.kind)) return "<" + t.text + ">";
  if (is_operator(t.kind)) return "<op:" + t.text + ">";
  if (is_aggregator(t.kind)) return "<aggr:" + t.text + ">";
  auto value = [&] {
    // Go's "%.10q...": the first ten code points, quoted.
    std::size_t n = 0, runes = 0;
    while (n < t.text.size() && runes < 10) {
      n += decode_rune(std::string_view(t.text).substr(n)).second;
      ++runes;
    }
    if (n < t.text.size()) return quote_string(std::string_view(t.text).substr(0, n)) + "...";
    return quote_string(t.text);
  };
  switch (t.kind) {
    case TokenKind::Number: return "number " + value();
    case TokenKind::Duration: return "duration " + value();
    case TokenKind::String: return "string " + value();
    default: return value();
  }
}

std::string unquote_string(std::string_view quoted) {
  if (quoted.size() < 2) return std::string(quoted);
  char quote = quoted.front();
  std::string_view s = quoted.substr(1, quoted.size() - 2);
  if (quote == '`') return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i++];
      continue;
    }
    char c = s[i + 1];
    i += 2;
    auto hex = [&](int digits) {
      std::uint32_t v = 0;
      for (int k = 0; k < digits && i < s.size(); ++k, ++i) v = v * 16 + static_cast<std::uint32_t>(digit_val(s[i]));
      return v;
    };
    switch (c) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': out += static_cast<char>(hex(2)); break;  // a byte, not a code point
      case 'u': append_utf8(out, hex(4)); break;
      case 'U': append_utf8(out, hex(8)); break;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        std::uint32_t v = static_cast<std::uint32_t>(c - '0');
        for (int k = 0; k < 2 && i < s.size(); ++k, ++i) v = v * 8 + static_cast<std::uint32_t>(s[i] - '0');
        out += static_cast<char>(v);
        break;
      }
      default: out += c; break;  // \\, \" or \'
    }
  }
  return out;
}

}  // namespace greenlight::promql
