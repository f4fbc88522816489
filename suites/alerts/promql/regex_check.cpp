// A parser of Go's regexp/syntax grammar (Perl flags, as regexp.Compile uses)
// that builds a small tree, enough to report Go's errors with Go's wording and
// to tell whether the pattern can match the empty string. The structure
// follows regexp/syntax/parse.go so that accepting and rejecting agree.
#include "suites/alerts/promql/regex_check.h"

#include <array>
#include <cstdint>
#include <set>
#include <vector>

namespace greenlight::promql {

namespace {

constexpr std::int32_t kMaxRune = 0x10FFFF;
constexpr int kMaxRepeat = 1000;
constexpr std::size_t kMaxNesting = 1000;

struct RegexError {
  std::string code, expr;
};

// Go's utf8.DecodeRuneInString; {-1, 1} for an invalid byte, {-1, 0} at the end.
std::pair<std::int32_t, std::size_t> decode(std::string_view s) {
  if (s.empty()) return {-1, 0};
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  if (b(0) < 0x80) return {b(0), 1};
  if (b(0) >= 0xC2 && b(0) <= 0xDF && cont(1)) return {((b(0) & 0x1F) << 6) | (b(1) & 0x3F), 2};
  if (b(0) >= 0xE0 && b(0) <= 0xEF && cont(1) && cont(2)) {
    std::int32_t r = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3};
  }
  if (b(0) >= 0xF0 && b(0) <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    std::int32_t r = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (r >= 0x10000 && r <= kMaxRune) return {r, 4};
  }
  return {-1, 1};
}

bool is_alnum(std::int32_t c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

int unhex(std::int32_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const std::set<std::string_view>& posix_classes() {
  static const std::set<std::string_view> names = [] {
    std::set<std::string_view> s;
    static const std::array<std::string_view, 28> all = {
        "[:alnum:]", "[:^alnum:]", "[:alpha:]", "[:^alpha:]", "[:ascii:]", "[:^ascii:]", "[:blank:]",
        "[:^blank:]", "[:cntrl:]", "[:^cntrl:]", "[:digit:]", "[:^digit:]", "[:graph:]", "[:^graph:]",
        "[:lower:]", "[:^lower:]", "[:print:]", "[:^print:]", "[:punct:]", "[:^punct:]", "[:space:]",
        "[:^space:]", "[:upper:]", "[:^upper:]", "[:word:]", "[:^word:]", "[:xdigit:]", "[:^xdigit:]"};
    s.insert(all.begin(), all.end());
    return s;
  }();
  return names;
}

// "Any", the Unicode general categories and the scripts of Unicode 13 (Go 1.16-1.20).
const std::set<std::string_view>& unicode_tables() {
  static const std::set<std::string_view> names = {
      "Any", "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl",
      "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
      "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah",
      "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal",
      "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform",
      "Cypriot", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs",
      "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati",
      "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana",
      "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi",
      "Kannada", "Katakana", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Lao",
      "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar",
      "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek",
      "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani",
      "Myanmar", "Nabataean", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong",
      "Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian",
      "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene",
      "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra",
      "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese",
      "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangut",
      "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Ugaritic", "Vai", "Wancho", "Warang_Citi",
      "Yezidi", "Yi", "Zanabazar_Square"};
  return names;
}

// The parts of the pattern that matter for "can it match the empty string".
struct RNode {
  enum class Kind { Empty, Char, Assert, Capture, Star, Plus, Quest, Repeat, Concat, Alternate };
  Kind kind = Kind::Empty;
  bool assert_matches_empty = false;  // ^ $ \A \z \B do; \b does not
  int min = 0, max = 0;               // Repeat
  std::vector<int> subs;
};

class RegexParser {
 public:
  explicit RegexParser(std::string_view whole) : whole_(whole) {}

  // Throws RegexError. Returns the root node index.
  int parse() {
    frames_.push_back(Frame{});
    std::string_view t = whole_;
    std::string_view last_repeat;
    while (!t.empty()) {
      std::string_view repeat;
      switch (t[0]) {
        case '(':
          if (t.size() >= 2 && t[1] == '?') {
            t = perl_flags(t);
          } else {
            open_group();
            t.remove_prefix(1);
          }
          break;
        case '|':
          end_alternative();
          t.remove_prefix(1);
          break;
        case ')':
          close_group();
          t.remove_prefix(1);
          break;
        case '^':
        case '$':
          push_assert(true);
          t.remove_prefix(1);
          break;
        case '.':
          push(RNode{RNode::Kind::Char});
          t.remove_prefix(1);
          break;
        case '[':
          t = char_class(t);
          push(RNode{RNode::Kind::Char});
          break;
        case '*':
        case '+':
        case '?': {
          RNode::Kind k = t[0] == '*' ? RNode::Kind::Star : t[0] == '+' ? RNode::Kind::Plus : RNode::Kind::Quest;
          std::string_view before = t;
          t = apply_repeat(k, 0, 0, before, t.substr(1), last_repeat);
          repeat = before;
          break;
        }
        case '{': {
          std::string_view before = t;
          int min = 0, max = 0;
          std::string_view after;
          if (!parse_repeat(t, min, max, after)) {
            // Not a valid {n,m}: the brace is a literal.
            push(RNode{RNode::Kind::Char});
            t.remove_prefix(1);
            break;
          }
          if (min < 0 || min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && min > max))
            fail("invalid repeat count", span(before, after));
          t = apply_repeat(RNode::Kind::Repeat, min, max, before, after, last_repeat);
          repeat = before;
          break;
        }
        case '\\':
          t = backslash(t);
          break;
        default: {
          auto [r, w] = next_rune(t);
          (void)r;
          push(RNode{RNode::Kind::Char});
          t.remove_prefix(w);
          break;
        }
      }
      last_repeat = repeat;
    }
    if (frames_.size() != 1) fail("missing closing )", whole_);
    return close_frame(frames_.back());
  }

  bool matches_empty(int n) const {
    const RNode& node = nodes_[static_cast<std::size_t>(n)];
    switch (node.kind) {
      case RNode::Kind::Empty: return true;
      case RNode::Kind::Char: return false;
      case RNode::Kind::Assert: return node.assert_matches_empty;
      case RNode::Kind::Star:
      case RNode::Kind::Quest: return true;
      case RNode::Kind::Repeat:
        if (node.min == 0) return true;
        [[fallthrough]];
      case RNode::Kind::Capture:
      case RNode::Kind::Plus: return matches_empty(node.subs[0]);
      case RNode::Kind::Concat:
        for (int s : node.subs)
          if (!matches_empty(s)) return false;
        return true;
      case RNode::Kind::Alternate:
        for (int s : node.subs)
          if (matches_empty(s)) return true;
        return false;
    }
    return false;
  }

 private:
  struct Frame {
    std::vector<int> alternatives;
    std::vector<int> concat;
    bool capture = false;
  };

  std::string_view whole_;
  std::vector<RNode> nodes_;
  std::vector<Frame> frames_;

  [[noreturn]] static void fail(std::string code, std::string_view expr) {
    throw RegexError{std::move(code), std::string(expr)};
  }
  // The part of `before` that was consumed to reach `after` (a suffix of it).
  static std::string_view span(std::string_view before, std::string_view after) {
    return before.substr(0, before.size() - after.size());
  }
  static std::pair<std::int32_t, std::size_t> next_rune(std::string_view s) {
    auto [r, w] = decode(s);
    if (r < 0 && w == 1) fail("invalid UTF-8", s);
    return {r, w};
  }
  static void check_utf8(std::string_view s) {
    while (!s.empty()) s.remove_prefix(next_rune(s).second);
  }

  int add(RNode n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size() - 1);
  }
  void push(RNode n) { frames_.back().concat.push_back(add(std::move(n))); }
  void push_assert(bool matches_empty) {
    RNode n{RNode::Kind::Assert};
    n.assert_matches_empty = matches_empty;
    push(std::move(n));
  }

  void open_group(bool capture = true) {
    if (frames_.size() >= kMaxNesting) fail("expression nests too deeply", whole_);
    Frame f;
    f.capture = capture;
    frames_.push_back(std::move(f));
  }
  void end_alternative() {
    Frame& f = frames_.back();
    f.alternatives.push_back(concat_of(f.concat));
    f.concat.clear();
  }
  int concat_of(const std::vector<int>& items) {
    if (items.empty()) return add(RNode{RNode::Kind::Empty});
    if (items.size() == 1) return items[0];
    RNode n{RNode::Kind::Concat};
    n.subs = items;
    return add(std::move(n));
  }
  int close_frame(Frame& f) {
    int body = concat_of(f.concat);
    if (f.alternatives.empty()) return body;
    RNode n{RNode::Kind::Alternate};
    n.subs = f.alternatives;
    n.subs.push_back(body);
    return add(std::move(n));
  }
  void close_group() {
    if (frames_.size() < 2) fail("unexpected )", whole_);
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    int body = close_frame(f);
    if (f.capture) {
      RNode n{RNode::Kind::Capture};
      n.subs = {body};
      body = add(std::move(n));
    }
    frames_.back().concat.push_back(body);
  }

  std::string_view apply_repeat(RNode::Kind kind, int min, int max, std::string_view before, std::string_view after,
                                std::string_view last_repeat) {
    if (!after.empty() && after[0] == '?') after.remove_prefix(1);  // non-greedy
    // Perl forbids stacking repetitions: a** is an error, not a doubled star.
    if (!last_repeat.empty()) fail("invalid nested repetition operator", span(last_repeat, after));
    auto& concat = frames_.back().concat;
    if (concat.empty()) fail("missing argument to repetition operator", span(before, after));
    RNode n{kind};
    n.min = min;
    n.max = max;
    n.subs = {concat.back()};
    concat.back() = add(std::move(n));
    if (kind == RNode::Kind::Repeat && (min >= 2 || max >= 2) && !repeat_is_valid(concat.back(), kMaxRepeat))
      fail("invalid repeat count", span(before, after));
    return after;
  }

  // Go's repeatIsValid: nested counted repetitions may not multiply past 1000.
  bool repeat_is_valid(int idx, int n) const {
    const RNode& node = nodes_[static_cast<std::size_t>(idx)];
    if (node.kind == RNode::Kind::Repeat) {
      int m = node.max;
      if (m == 0) return true;
      if (m < 0) m = node.min;
      if (m > n) return false;
      if (m > 0) n /= m;
    }
    for (int s : node.subs)
      if (!repeat_is_valid(s, n)) return false;
    return true;
  }

  // {n}, {n,}, {n,m}; false when the text is not of that form.
  static bool parse_repeat(std::string_view s, int& min, int& max, std::string_view& rest) {
    if (s.empty() || s[0] != '{') return false;
    s.remove_prefix(1);
    if (!parse_int(s, min)) return false;
    if (s.empty()) return false;
    if (s[0] != ',') {
      max = min;
    } else {
      s.remove_prefix(1);
      if (s.empty()) return false;
      if (s[0] == '}') max = -1;
      else if (!parse_int(s, max)) return false;
      else if (max < 0) min = -1;  // too big
    }
    if (s.empty() || s[0] != '}') return false;
    rest = s.substr(1);
    return true;
  }
  // Decimal without leading zeros; -1 when it does not fit.
  static bool parse_int(std::string_view& s, int& n) {
    if (s.empty() || s[0] < '0' || s[0] > '9') return false;
    if (s.size() >= 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '9') return false;
    n = 0;
    std::size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (n >= 100000000) n = -1;
      if (n >= 0) n = n * 10 + (s[i] - '0');
    }
    s.remove_prefix(i);
    return true;
  }

  // After "(?": flags, a non-capturing group or a named capture.
  std::string_view perl_flags(std::string_view s) {
    if (s.size() > 4 && s[2] == 'P' && s[3] == '<') {
      std::size_t end = s.find('>');
      if (end == std::string_view::npos) {
        check_utf8(s);
        fail("invalid named capture", s);
      }
      std::string_view capture = s.substr(0, end + 1), name = s.substr(4, end - 4);
      check_utf8(name);
      bool valid = !name.empty();
      for (char c : name)
        if (c != '_' && !is_alnum(static_cast<unsigned char>(c))) valid = false;
      if (!valid) fail("invalid named capture", capture);
      open_group(true);
      return s.substr(end + 1);
    }
    std::string_view t = s.substr(2);
    int sign = +1;
    bool saw_flag = false;
    while (!t.empty()) {
      auto [c, w] = next_rune(t);
      t.remove_prefix(w);
      if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
        saw_flag = true;
        continue;
      }
      if (c == '-') {
        if (sign < 0) break;
        sign = -1;
        saw_flag = false;
        continue;
      }
      if (c == ':' || c == ')') {
        if (sign < 0 && !saw_flag) break;
        if (c == ':') open_group(false);
        return t;
      }
      break;
    }
    fail("invalid or unsupported Perl syntax", span(s, t));
  }

  std::string_view backslash(std::string_view t) {
    if (t.size() >= 2) {
      switch (t[1]) {
        case 'A':
        case 'z':
        case 'B':
          push_assert(true);
          return t.substr(2);
        case 'b':
          push_assert(false);  // no word boundary in an empty string
          return t.substr(2);
        case 'C': fail("invalid escape sequence", t.substr(0, 2));
        case 'Q': {
          // \Q...\E: literal text.
          std::string_view lit = t.substr(2);
          std::size_t e = lit.find("\\E");
          std::string_view rest = e == std::string_view::npos ? std::string_view() : lit.substr(e + 2);
          if (e != std::string_view::npos) lit = lit.substr(0, e);
          while (!lit.empty()) {
            lit.remove_prefix(next_rune(lit).second);
            push(RNode{RNode::Kind::Char});
          }
          return rest;
        }
        default: break;
      }
    }
    std::string_view rest;
    if (unicode_class(t, rest) || perl_class(t, rest)) {
      push(RNode{RNode::Kind::Char});
      return rest;
    }
    rest = escape(t);
    push(RNode{RNode::Kind::Char});
    return rest;
  }

  // \pL, \p{Greek}, \P{^Greek}; false when `s` does not start with \p or \P.
  static bool unicode_class(std::string_view s, std::string_view& rest) {
    if (s.size() < 2 || s[0] != '\\' || (s[1] != 'p' && s[1] != 'P')) return false;
    std::string_view t = s.substr(2);
    auto [c, w] = next_rune(t);
    t.remove_prefix(w);
    std::string_view seq, name;
    if (c != '{') {
      seq = span(s, t);
      name = seq.substr(2);
    } else {
      std::size_t end = s.find('}');
      if (end == std::string_view::npos) {
        check_utf8(s);
        fail("invalid character class range", s);
      }
      seq = s.substr(0, end + 1);
      t = s.substr(end + 1);
      name = s.substr(3, end - 3);
      check_utf8(name);
    }
    if (!name.empty() && name[0] == '^') name.remove_prefix(1);
    if (!unicode_tables().count(name)) fail("invalid character class range", seq);
    rest = t;
    return true;
  }

  static bool perl_class(std::string_view s, std::string_view& rest) {
    if (s.size() < 2 || s[0] != '\\') return false;
    switch (s[1]) {
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
        rest = s.substr(2);
        return true;
      default: return false;
    }
  }

  // A single-character escape; returns the text after it.
  static std::string_view escape(std::string_view s) {
    std::string_view t = s.substr(1);
    if (t.empty()) fail("trailing backslash at end of expression", "");
    auto [c, w] = next_rune(t);
    t.remove_prefix(w);
    switch (c) {
      case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        // A single non-zero digit would be a backreference, which RE2 lacks.
        if (t.empty() || t[0] < '0' || t[0] > '7') break;
        [[fallthrough]];
      case '0':
        for (int i = 1; i < 3 && !t.empty() && t[0] >= '0' && t[0] <= '7'; ++i) t.remove_prefix(1);
        return t;
      case 'x': {
        if (t.empty()) break;
        auto [h, hw] = next_rune(t);
        t.remove_prefix(hw);
        if (h == '{') {
          int nhex = 0;
          std::int64_t r = 0;
          for (;;) {
            if (t.empty()) return fail_escape(s, t);
            auto [d, dw] = next_rune(t);
            t.remove_prefix(dw);
            if (d == '}') break;
            int v = unhex(d);
            if (v < 0) return fail_escape(s, t);
            r = r * 16 + v;
            if (r > kMaxRune) return fail_escape(s, t);
            ++nhex;
          }
          if (nhex == 0) return fail_escape(s, t);
          return t;
        }
        auto [l, lw] = next_rune(t);
        t.remove_prefix(lw);
        if (unhex(h) < 0 || unhex(l) < 0) break;
        return t;
      }
      case 'a': case 'f': case 'n': case 'r': case 't': case 'v': return t;
      default:
        // Escaped punctuation stands for itself; \q and friends are errors.
        if (c >= 0 && c < 0x80 && !is_alnum(c)) return t;
        break;
    }
    return fail_escape(s, t);
  }
  [[noreturn]] static std::string_view fail_escape(std::string_view s, std::string_view t) {
    fail("invalid escape sequence", span(s, t));
  }

  // "[...]"; returns the text after the closing bracket.
  static std::string_view char_class(std::string_view s) {
    std::string_view t = s.substr(1);
    if (!t.empty() && t[0] == '^') t.remove_prefix(1);
    bool first = true;  // "]" is a literal right after "[" or "[^"
    while (t.empty() || t[0] != ']' || first) {
      first = false;
      if (t.size() > 2 && t[0] == '[' && t[1] == ':') {
        std::size_t i = t.find(":]", 2);
        if (i != std::string_view::npos) {
          std::string_view name = t.substr(0, i + 2);
          if (!posix_classes().count(name)) fail("invalid character class range", name);
          t.remove_prefix(i + 2);
          continue;
        }
      }
      std::string_view rest;
      if (unicode_class(t, rest) || perl_class(t, rest)) {
        t = rest;
        continue;
      }
      std::string_view range = t;
      std::int32_t lo = class_char(t, s);
      std::int32_t hi = lo;
      if (t.size() >= 2 && t[0] == '-' && t[1] != ']') {
        t.remove_prefix(1);
        hi = class_char(t, s);
        if (hi < lo) fail("invalid character class range", span(range, t));
      }
    }
    return t.substr(1);
  }

  // One character inside a class (consumed from `t`); its code point.
  static std::int32_t class_char(std::string_view& t, std::string_view whole_class) {
    if (t.empty()) fail("missing closing ]", whole_class);
    if (t[0] == '\\') {
      std::string_view rest = escape(t);
      std::int32_t value = escaped_value(t.substr(0, t.size() - rest.size()));
      t = rest;
      return value;
    }
    auto [r, w] = next_rune(t);
    t.remove_prefix(w);
    return r;
  }

  // The code point of a valid escape such as \x41, \101, \n or \-.
  static std::int32_t escaped_value(std::string_view esc) {
    std::string_view body = esc.substr(1);
    switch (body[0]) {
      case 'a': return '\a';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'v': return '\v';
      case 'x': {
        std::int32_t v = 0;
        for (char c : body.substr(1))
          if (unhex(c) >= 0) v = v * 16 + unhex(c);
        return v;
      }
      default: break;
    }
    if (body[0] >= '0' && body[0] <= '7') {
      std::int32_t v = 0;
      for (char c : body) v = v * 8 + (c - '0');
      return v;
    }
    return decode(body).first;
  }
};

std::string format(const RegexError& e) { return "error parsing regexp: " + e.code + ": `" + e.expr + "`"; }

}  // namespace

std::optional<std::string> regex_error(std::string_view pattern) {
  try {
    RegexParser(pattern).parse();
  } catch (const RegexError& e) {
    return format(e);
  }
  return std::nullopt;
}

bool regex_matches_empty(std::string_view pattern) {
  std::string anchored = "^(?:" + std::string(pattern) + ")$";
  try {
    RegexParser p(anchored);
    return p.matches_empty(p.parse());
  } catch (const RegexError&) {
    return false;
  }
}

std::optional<std::string> matcher_regex_error(std::string_view value) {
  if (auto err = regex_error("^(?:" + std::string(value) + ")$")) return err;
  return regex_error(value);
}

bool matcher_matches_empty(const LabelMatcher& m) {
  switch (m.op) {
    case MatchOp::Equal: return m.value.empty();
    case MatchOp::NotEqual: return !m.value.empty();
    case MatchOp::Regex: return regex_matches_empty(m.value);
    case MatchOp::NotRegex: return !regex_matches_empty(m.value);
  }
  return false;
}

}  // namespace greenlight::promql
