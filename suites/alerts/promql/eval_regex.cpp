// Go-syntax regular expressions for the evaluator: a parser of RE2 syntax
// (validity is decided first by regex_check's exact copy of Go's parser, so
// this one may assume a well-formed pattern), a compiler to Pike VM
// instructions, and the VM itself. Leftmost-first priorities between the two
// branches of each split give Go's submatch choices.
#include "suites/alerts/promql/eval_regex.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "suites/alerts/promql/regex_check.h"

namespace greenlight::promql {

namespace {

constexpr std::int32_t kMaxRune = 0x10FFFF;
using Ranges = std::vector<std::pair<std::int32_t, std::int32_t>>;

// Go's utf8.DecodeRuneInString: an invalid byte decodes as U+FFFD, width 1.
std::pair<std::int32_t, int> decode_rune(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF && cont(i + 1)) return {((c & 0x1F) << 6) | (b(i + 1) & 0x3F), 2};
  if (c >= 0xE0 && c <= 0xEF && cont(i + 1) && cont(i + 2)) {
    std::int32_t r = ((c & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3};
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
    std::int32_t r = ((c & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) | (b(i + 3) & 0x3F);
    if (r >= 0x10000 && r <= kMaxRune) return {r, 4};
  }
  return {0xFFFD, 1};
}

void normalize(Ranges& r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& p : r) {
    if (!out.empty() && p.first <= out.back().second + 1) out.back().second = std::max(out.back().second, p.second);
    else out.push_back(p);
  }
  r = std::move(out);
}

Ranges complement(Ranges r) {
  normalize(r);
  Ranges out;
  std::int32_t next = 0;
  for (const auto& p : r) {
    if (p.first > next) out.push_back({next, p.first - 1});
    next = p.second + 1;
  }
  if (next <= kMaxRune) out.push_back({next, kMaxRune});
  return out;
}

// Simple case folding: ASCII, Latin-1, Greek and Cyrillic capitals, which is
// what label values in practice contain.
std::vector<std::int32_t> fold_variants(std::int32_t r) {
  std::vector<std::int32_t> v{r};
  auto add = [&](std::int32_t x) { v.push_back(x); };
  if (r >= 'a' && r <= 'z') add(r - 32);
  else if (r >= 'A' && r <= 'Z') add(r + 32);
  else if (r >= 0xC0 && r <= 0xDE && r != 0xD7) add(r + 32);
  else if (r >= 0xE0 && r <= 0xFE && r != 0xF7) add(r - 32);
  else if (r >= 0x391 && r <= 0x3A9) add(r + 32);
  else if (r >= 0x3B1 && r <= 0x3C9) add(r - 32);
  else if (r >= 0x410 && r <= 0x42F) add(r + 32);
  else if (r >= 0x430 && r <= 0x44F) add(r - 32);
  if (r == 'k' || r == 'K') add(0x212A);  // Kelvin sign, as Go folds it
  if (r == 's' || r == 'S') add(0x17F);   // long s
  return v;
}

void add_folded(Ranges& out, std::int32_t lo, std::int32_t hi) {
  out.push_back({lo, hi});
  // Folding whole ranges rune by rune is fine for the small ranges classes use.
  if (hi - lo > 0x3000) return;
  for (std::int32_t r = lo; r <= hi; ++r)
    for (std::int32_t f : fold_variants(r))
      if (f != r) out.push_back({f, f});
}

// ---- syntax tree ----

enum class NodeKind { Empty, Class, AnyChar, AnyNotNL, BeginLine, EndLine, BeginText, EndText, WordB, NoWordB,
                      Capture, Concat, Alternate, Repeat };

struct RNode {
  NodeKind kind = NodeKind::Empty;
  Ranges ranges;                 // Class (a literal is a one-rune class)
  std::vector<RNode> subs;       // Capture (1), Concat, Alternate, Repeat (1)
  int cap = 0;                   // Capture index
  int min = 0, max = 0;          // Repeat; max -1: unbounded
  bool greedy = true;
};

struct Flags {
  bool fold = false, multiline = false, dotnl = false, ungreedy = false;
};

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  RNode parse() {
    Flags f;
    RNode n = alternate(f);
    if (pos_ != p_.size()) fail("unexpected )");
    return n;
  }

  int groups = 0;
  std::vector<std::string> names{""};

 private:
  std::string_view p_;
  std::size_t pos_ = 0;

  [[noreturn]] void fail(const std::string& what) {
    throw std::invalid_argument("error parsing regexp: " + what + ": `" + std::string(p_) + "`");
  }
  bool at_end() const { return pos_ >= p_.size(); }
  char peek() const { return p_[pos_]; }
  std::int32_t next_rune() {
    auto [r, w] = decode_rune(p_, pos_);
    pos_ += static_cast<std::size_t>(w);
    return r;
  }

  RNode alternate(Flags& f) {
    std::vector<RNode> alts;
    alts.push_back(concat(f));
    while (!at_end() && peek() == '|') {
      ++pos_;
      alts.push_back(concat(f));
    }
    if (alts.size() == 1) return std::move(alts[0]);
    RNode n;
    n.kind = NodeKind::Alternate;
    n.subs = std::move(alts);
    return n;
  }

  RNode concat(Flags& f) {
    RNode n;
    n.kind = NodeKind::Concat;
    while (!at_end() && peek() != '|' && peek() != ')') {
      // A flag group like (?i) changes the flags of the rest of this group.
      if (p_.substr(pos_, 2) == "(?" && try_flags(f)) continue;
      RNode atom_node = atom(f);
      n.subs.push_back(repeat(std::move(atom_node), f));
    }
    return n;
  }

  // Reads (?flags) and applies it; false (and nothing consumed) when this is
  // a group like (?i:...), (?:...) or (?P<name>...).
  bool try_flags(Flags& f) {
    std::size_t save = pos_;
    pos_ += 2;
    Flags nf = f;
    bool negate = false;
    while (!at_end()) {
      char c = peek();
      ++pos_;
      switch (c) {
        case 'i': nf.fold = !negate; break;
        case 'm': nf.multiline = !negate; break;
        case 's': nf.dotnl = !negate; break;
        case 'U': nf.ungreedy = !negate; break;
        case '-': negate = true; break;
        case ')': f = nf; return true;
        default: pos_ = save; return false;
      }
    }
    pos_ = save;
    return false;
  }

  RNode repeat(RNode sub, const Flags& f) {
    while (!at_end()) {
      char c = peek();
      int min = 0, max = -1;
      std::size_t save = pos_;
      if (c == '*') {
        ++pos_;
      } else if (c == '+') {
        min = 1;
        ++pos_;
      } else if (c == '?') {
        max = 1;
        ++pos_;
      } else if (c == '{') {
        if (!braces(min, max)) {
          pos_ = save;
          return sub;
        }
      } else {
        return sub;
      }
      bool greedy = true;
      if (!at_end() && peek() == '?') {
        greedy = false;
        ++pos_;
      }
      if (f.ungreedy) greedy = !greedy;
      RNode r;
      r.kind = NodeKind::Repeat;
      r.min = min;
      r.max = max;
      r.greedy = greedy;
      r.subs.push_back(std::move(sub));
      sub = std::move(r);
    }
    return sub;
  }

  // {n}, {n,}, {n,m}; false when the brace is a literal.
  bool braces(int& min, int& max) {
    ++pos_;
    auto number = [&](int& out) {
      std::size_t start = pos_;
      long v = 0;
      while (!at_end() && peek() >= '0' && peek() <= '9') {
        v = std::min(v * 10 + (peek() - '0'), 100000L);
        ++pos_;
      }
      out = static_cast<int>(v);
      return pos_ > start;
    };
    if (!number(min)) return false;
    if (at_end()) return false;
    if (peek() == '}') {
      ++pos_;
      max = min;
      return true;
    }
    if (peek() != ',') return false;
    ++pos_;
    if (!at_end() && peek() == '}') {
      ++pos_;
      max = -1;
      return true;
    }
    if (!number(max) || at_end() || peek() != '}') return false;
    ++pos_;
    return true;
  }

  RNode literal(std::int32_t r, const Flags& f) {
    RNode n;
    n.kind = NodeKind::Class;
    if (f.fold)
      for (std::int32_t v : fold_variants(r)) n.ranges.push_back({v, v});
    else
      n.ranges.push_back({r, r});
    normalize(n.ranges);
    return n;
  }

  static RNode simple(NodeKind k) {
    RNode n;
    n.kind = k;
    return n;
  }

  RNode atom(Flags& f) {
    char c = peek();
    switch (c) {
      case '(': return group(f);
      case '[': return char_class(f);
      case '.': ++pos_; return simple(f.dotnl ? NodeKind::AnyChar : NodeKind::AnyNotNL);
      case '^': ++pos_; return simple(f.multiline ? NodeKind::BeginLine : NodeKind::BeginText);
      case '$': ++pos_; return simple(f.multiline ? NodeKind::EndLine : NodeKind::EndText);
      case '\\': return escape(f);
      case '*': case '+': case '?': fail("missing argument to repetition operator");
      default: return literal(next_rune(), f);
    }
  }

  RNode group(Flags& outer) {
    ++pos_;  // (
    Flags f = outer;
    int cap = -1;
    if (!at_end() && peek() == '?') {
      ++pos_;
      if (!at_end() && peek() == 'P') {
        ++pos_;
        if (at_end() || peek() != '<') fail("invalid or unsupported Perl syntax");
        ++pos_;
        std::size_t end = p_.find('>', pos_);
        if (end == std::string_view::npos) fail("invalid named capture");
        cap = ++groups;
        names.emplace_back(p_.substr(pos_, end - pos_));
        pos_ = end + 1;
      } else {
        bool negate = false;
        for (;;) {
          if (at_end()) fail("missing closing )");
          char c = peek();
          ++pos_;
          if (c == ':') break;
          switch (c) {
            case 'i': f.fold = !negate; break;
            case 'm': f.multiline = !negate; break;
            case 's': f.dotnl = !negate; break;
            case 'U': f.ungreedy = !negate; break;
            case '-': negate = true; break;
            default: fail("invalid or unsupported Perl syntax");
          }
        }
      }
    } else {
      cap = ++groups;
      names.emplace_back();
    }
    RNode inner = alternate(f);
    if (at_end() || peek() != ')') fail("missing closing )");
    ++pos_;
    if (cap < 0) return inner;
    RNode n;
    n.kind = NodeKind::Capture;
    n.cap = cap;
    n.subs.push_back(std::move(inner));
    return n;
  }

  static Ranges perl_class(char c) {
    Ranges r;
    switch (c) {
      case 'd': case 'D': r = {{'0', '9'}}; break;
      case 's': case 'S': r = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}}; break;
      case 'w': case 'W': r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; break;
    }
    if (c >= 'A' && c <= 'Z') r = complement(r);
    return r;
  }

  static bool posix_class(std::string_view name, Ranges& r) {
    static const std::unordered_map<std::string_view, Ranges> table = {
        {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
        {"alpha", {{'A', 'Z'}, {'a', 'z'}}},
        {"ascii", {{0, 0x7F}}},
        {"blank", {{'\t', '\t'}, {' ', ' '}}},
        {"cntrl", {{0, 0x1F}, {0x7F, 0x7F}}},
        {"digit", {{'0', '9'}}},
        {"graph", {{'!', '~'}}},
        {"lower", {{'a', 'z'}}},
        {"print", {{' ', '~'}}},
        {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
        {"space", {{'\t', '\r'}, {' ', ' '}}},
        {"upper", {{'A', 'Z'}}},
        {"word", {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}},
        {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
    };
    bool negate = !name.empty() && name[0] == '^';
    if (negate) name.remove_prefix(1);
    auto it = table.find(name);
    if (it == table.end()) return false;
    r = negate ? complement(it->second) : it->second;
    return true;
  }

  // \pL, \p{Greek}, \PN ...: the scripts and categories label values use,
  // approximated by their main blocks.
  Ranges unicode_class(char p) {
    std::string name;
    if (!at_end() && peek() == '{') {
      std::size_t end = p_.find('}', pos_);
      if (end == std::string_view::npos) fail("invalid character class range");
      name = std::string(p_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
    } else {
      name = std::string(1, static_cast<char>(next_rune()));
    }
    bool negate = p == 'P';
    if (!name.empty() && name[0] == '^') {
      negate = !negate;
      name.erase(0, 1);
    }
    static const std::unordered_map<std::string, Ranges> table = {
        {"L", {{'A', 'Z'}, {'a', 'z'}, {0xAA, 0xAA}, {0xB5, 0xB5}, {0xBA, 0xBA}, {0xC0, 0xD6}, {0xD8, 0xF6},
               {0xF8, 0x2C1}, {0x370, 0x3FF}, {0x400, 0x52F}, {0x4E00, 0x9FFF}}},
        {"Lu", {{'A', 'Z'}, {0xC0, 0xD6}, {0xD8, 0xDE}, {0x391, 0x3A9}, {0x410, 0x42F}}},
        {"Ll", {{'a', 'z'}, {0xB5, 0xB5}, {0xDF, 0xF6}, {0xF8, 0xFF}, {0x3B1, 0x3C9}, {0x430, 0x44F}}},
        {"N", {{'0', '9'}, {0xB2, 0xB3}, {0xB9, 0xB9}, {0xBC, 0xBE}, {0x660, 0x669}}},
        {"Nd", {{'0', '9'}, {0x660, 0x669}}},
        {"Zs", {{' ', ' '}, {0xA0, 0xA0}, {0x2000, 0x200A}, {0x3000, 0x3000}}},
        {"Z", {{' ', ' '}, {0xA0, 0xA0}, {0x2000, 0x200A}, {0x2028, 0x2029}, {0x3000, 0x3000}}},
        {"Greek", {{0x370, 0x3FF}, {0x1F00, 0x1FFF}}},
        {"Cyrillic", {{0x400, 0x52F}}},
        {"Latin", {{'A', 'Z'}, {'a', 'z'}, {0xAA, 0xAA}, {0xBA, 0xBA}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x24F}}},
        {"Han", {{0x2E80, 0x2FDF}, {0x3005, 0x3007}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}}},
        {"Any", {{0, kMaxRune}}},
    };
    auto it = table.find(name);
    if (it == table.end())
      throw std::invalid_argument("the Unicode class \\p{" + name + "} in `" + std::string(p_) +
                                  "` is not supported by greenlight's regex engine");
    Ranges r = it->second;
    return negate ? complement(r) : r;
  }

  // The rune of a single-character escape (\n, \x41, \052, \.), for use both
  // inside and outside classes.
  std::int32_t escaped_rune(char c) {
    switch (c) {
      case 'a': return 7;
      case 'f': return '\f';
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      case 'v': return '\v';
      case 'x': {
        if (!at_end() && peek() == '{') {
          std::size_t end = p_.find('}', pos_);
          std::int32_t v = static_cast<std::int32_t>(std::stol(std::string(p_.substr(pos_ + 1, end - pos_ - 1)), nullptr, 16));
          pos_ = end + 1;
          return v;
        }
        std::int32_t v = static_cast<std::int32_t>(std::stol(std::string(p_.substr(pos_, 2)), nullptr, 16));
        pos_ += 2;
        return v;
      }
      default: break;
    }
    if (c >= '0' && c <= '7') {
      std::int32_t v = c - '0';
      for (int i = 0; i < 2 && !at_end() && peek() >= '0' && peek() <= '7'; ++i) v = v * 8 + (p_[pos_++] - '0');
      return v;
    }
    return static_cast<unsigned char>(c);
  }

  RNode escape(const Flags& f) {
    ++pos_;  // backslash
    if (at_end()) fail("trailing backslash at end of expression");
    char c = peek();
    switch (c) {
      case 'A': ++pos_; return simple(NodeKind::BeginText);
      case 'z': ++pos_; return simple(NodeKind::EndText);
      case 'b': ++pos_; return simple(NodeKind::WordB);
      case 'B': ++pos_; return simple(NodeKind::NoWordB);
      case 'Q': {
        ++pos_;
        std::size_t end = p_.find("\\E", pos_);
        std::string_view lit = p_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
        pos_ = end == std::string_view::npos ? p_.size() : end + 2;
        RNode n;
        n.kind = NodeKind::Concat;
        for (std::size_t i = 0; i < lit.size();) {
          auto [r, w] = decode_rune(lit, i);
          n.subs.push_back(literal(r, f));
          i += static_cast<std::size_t>(w);
        }
        return n;
      }
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W': {
        ++pos_;
        RNode n;
        n.kind = NodeKind::Class;
        n.ranges = perl_class(c);
        if (f.fold) fold_class(n.ranges);
        return n;
      }
      case 'p': case 'P': {
        ++pos_;
        RNode n;
        n.kind = NodeKind::Class;
        n.ranges = unicode_class(c);
        return n;
      }
      default: break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) return literal(next_rune(), f);
    ++pos_;
    return literal(escaped_rune(c), f);
  }

  static void fold_class(Ranges& r) {
    Ranges out;
    for (const auto& p : r) add_folded(out, p.first, p.second);
    normalize(out);
    r = std::move(out);
  }

  RNode char_class(const Flags& f) {
    ++pos_;  // [
    bool negate = false;
    if (!at_end() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    Ranges r;
    bool first = true;
    while (!at_end() && (peek() != ']' || first)) {
      first = false;
      if (peek() == '[' && p_.substr(pos_, 2) == "[:") {
        std::size_t end = p_.find(":]", pos_ + 2);
        Ranges pc;
        if (end != std::string_view::npos && posix_class(p_.substr(pos_ + 2, end - pos_ - 2), pc)) {
          r.insert(r.end(), pc.begin(), pc.end());
          pos_ = end + 2;
          continue;
        }
      }
      std::int32_t lo = 0;
      if (peek() == '\\') {
        ++pos_;
        char c = peek();
        if (c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W') {
          ++pos_;
          Ranges pc = perl_class(c);
          r.insert(r.end(), pc.begin(), pc.end());
          continue;
        }
        if (c == 'p' || c == 'P') {
          ++pos_;
          Ranges pc = unicode_class(c);
          r.insert(r.end(), pc.begin(), pc.end());
          continue;
        }
        if (static_cast<unsigned char>(c) >= 0x80) {
          lo = next_rune();
        } else {
          ++pos_;
          lo = escaped_rune(c);
        }
      } else {
        lo = next_rune();
      }
      std::int32_t hi = lo;
      if (pos_ + 1 < p_.size() && peek() == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        if (peek() == '\\') {
          ++pos_;
          char c = peek();
          if (static_cast<unsigned char>(c) >= 0x80) {
            hi = next_rune();
          } else {
            ++pos_;
            hi = escaped_rune(c);
          }
        } else {
          hi = next_rune();
        }
      }
      r.push_back({lo, hi});
    }
    if (at_end()) fail("missing closing ]");
    ++pos_;  // ]
    if (f.fold) fold_class(r);
    normalize(r);
    RNode n;
    n.kind = NodeKind::Class;
    n.ranges = negate ? complement(r) : r;
    return n;
  }
};

// ---- program ----

enum class Op : std::uint8_t { Class, AnyChar, AnyNotNL, Split, Jmp, Save, Assert, Match };

struct Inst {
  Op op = Op::Match;
  NodeKind assert_kind = NodeKind::Empty;
  int x = 0, y = 0;  // Split: x preferred; Jmp: x; Save: slot x; Class: index into classes
};

struct Compiler {
  std::vector<Inst>& prog;
  std::vector<Ranges>& classes;

  int emit(Inst i) {
    prog.push_back(i);
    return static_cast<int>(prog.size()) - 1;
  }

  void compile(const RNode& n) {
    switch (n.kind) {
      case NodeKind::Empty: break;
      case NodeKind::Class: {
        classes.push_back(n.ranges);
        Inst i;
        i.op = Op::Class;
        i.x = static_cast<int>(classes.size()) - 1;
        emit(i);
        break;
      }
      case NodeKind::AnyChar: emit({Op::AnyChar}); break;
      case NodeKind::AnyNotNL: emit({Op::AnyNotNL}); break;
      case NodeKind::BeginLine: case NodeKind::EndLine: case NodeKind::BeginText: case NodeKind::EndText:
      case NodeKind::WordB: case NodeKind::NoWordB: {
        Inst i;
        i.op = Op::Assert;
        i.assert_kind = n.kind;
        emit(i);
        break;
      }
      case NodeKind::Capture: {
        Inst s;
        s.op = Op::Save;
        s.x = 2 * n.cap;
        emit(s);
        compile(n.subs[0]);
        s.x = 2 * n.cap + 1;
        emit(s);
        break;
      }
      case NodeKind::Concat:
        for (const auto& s : n.subs) compile(s);
        break;
      case NodeKind::Alternate: {
        std::vector<int> jumps;
        for (std::size_t k = 0; k < n.subs.size(); ++k) {
          if (k + 1 < n.subs.size()) {
            int split = emit({Op::Split});
            prog[split].x = split + 1;
            compile(n.subs[k]);
            jumps.push_back(emit({Op::Jmp}));
            prog[split].y = static_cast<int>(prog.size());
          } else {
            compile(n.subs[k]);
          }
        }
        for (int j : jumps) prog[j].x = static_cast<int>(prog.size());
        break;
      }
      case NodeKind::Repeat: compile_repeat(n); break;
    }
  }

  void split_to(int at, int body, int out, bool greedy) {
    prog[at].x = greedy ? body : out;
    prog[at].y = greedy ? out : body;
  }

  void compile_repeat(const RNode& n) {
    const RNode& sub = n.subs[0];
    for (int k = 0; k < n.min; ++k) compile(sub);
    if (n.max < 0) {
      // x*: L: split body, out; body; jmp L
      int loop = emit({Op::Split});
      compile(sub);
      Inst j;
      j.op = Op::Jmp;
      j.x = loop;
      emit(j);
      split_to(loop, loop + 1, static_cast<int>(prog.size()), n.greedy);
      return;
    }
    // Optional copies nested: (x(x(x)?)?)?
    std::vector<int> splits;
    for (int k = n.min; k < n.max; ++k) {
      int s = emit({Op::Split});
      splits.push_back(s);
      compile(sub);
    }
    int out = static_cast<int>(prog.size());
    for (int s : splits) split_to(s, s + 1, out, n.greedy);
  }
};

bool is_word(std::int32_t r) { return (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r == '_'; }

// Shapes common in label matchers that need no VM.
enum class Shape { General, Literal, Alternatives, Any, NonEmpty, Prefix, Suffix, Contains };

bool has_meta(std::string_view s) {
  return s.find_first_of("\\.+*?()|[]{}^$") != std::string_view::npos;
}

}  // namespace

struct GoRegex::Program {
  std::vector<Inst> insts;
  std::vector<Ranges> classes;
  int groups = 0;
  std::vector<std::string> names;
  Shape shape = Shape::General;
  std::vector<std::string> literals;  // Literal, Alternatives, Prefix, Suffix, Contains
};

namespace {

void classify(std::string_view p, GoRegex::Program& prog) {
  auto set = [&](Shape s, std::vector<std::string> lits) {
    prog.shape = s;
    prog.literals = std::move(lits);
  };
  if (p == ".*") return set(Shape::Any, {});
  if (p == ".+") return set(Shape::NonEmpty, {});
  if (!has_meta(p)) return set(Shape::Literal, {std::string(p)});
  if (p.size() > 2 && p.substr(p.size() - 2) == ".*" && !has_meta(p.substr(0, p.size() - 2)))
    return set(Shape::Prefix, {std::string(p.substr(0, p.size() - 2))});
  if (p.size() > 4 && p.substr(0, 2) == ".*" && p.substr(p.size() - 2) == ".*" && !has_meta(p.substr(2, p.size() - 4)))
    return set(Shape::Contains, {std::string(p.substr(2, p.size() - 4))});
  if (p.size() > 2 && p.substr(0, 2) == ".*" && !has_meta(p.substr(2)))
    return set(Shape::Suffix, {std::string(p.substr(2))});
  // a|b|c, possibly wrapped in one (?:...) or (...) group.
  std::string_view body = p;
  if (body.size() > 4 && body.substr(0, 3) == "(?:" && body.back() == ')') body = body.substr(3, body.size() - 4);
  std::vector<std::string> alts;
  std::size_t start = 0;
  for (;;) {
    std::size_t bar = body.find('|', start);
    std::string_view alt = body.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    if (has_meta(alt)) return;
    alts.emplace_back(alt);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  set(Shape::Alternatives, std::move(alts));
}

// The Pike VM: threads in priority order, one list per input position.
class Vm {
 public:
  Vm(const GoRegex::Program& p, std::string_view s, bool captures)
      : p_(p), s_(s), nslots_(captures ? 2 * (p.groups + 1) : 0), seen_(p.insts.size(), -1) {}

  bool run(std::vector<int>& out) {
    std::vector<Thread> clist, nlist;
    std::vector<int> caps(static_cast<std::size_t>(nslots_), -1);
    if (nslots_) caps[0] = 0;
    std::size_t pos = 0;
    add(clist, 0, pos, caps);
    bool matched = false;
    for (;;) {
      if (clist.empty()) break;
      std::int32_t r = -1;
      int width = 0;
      if (pos < s_.size()) {
        auto d = decode_rune(s_, pos);
        r = d.first;
        width = d.second;
      }
      nlist.clear();
      ++generation_;
      for (auto& t : clist) {
        const Inst& in = p_.insts[static_cast<std::size_t>(t.pc)];
        bool step = false;
        switch (in.op) {
          case Op::Match:
            if (pos == s_.size()) {
              matched = true;
              out = std::move(t.caps);
              if (nslots_) out[1] = static_cast<int>(pos);
              // Lower-priority threads lose to this one (leftmost-first).
              goto next_position;
            }
            break;
          case Op::Class: step = r >= 0 && in_class(p_.classes[static_cast<std::size_t>(in.x)], r); break;
          case Op::AnyChar: step = r >= 0; break;
          case Op::AnyNotNL: step = r >= 0 && r != '\n'; break;
          default: break;
        }
        if (step) add(nlist, t.pc + 1, pos + static_cast<std::size_t>(width), t.caps);
      }
    next_position:
      if (pos >= s_.size()) break;
      pos += static_cast<std::size_t>(width);
      std::swap(clist, nlist);
      if (matched && !nslots_) break;
    }
    return matched;
  }

 private:
  struct Thread {
    int pc;
    std::vector<int> caps;
  };
  const GoRegex::Program& p_;
  std::string_view s_;
  int nslots_;
  std::vector<long> seen_;
  long generation_ = 0;

  static bool in_class(const Ranges& r, std::int32_t c) {
    auto it = std::upper_bound(r.begin(), r.end(), c,
                               [](std::int32_t v, const std::pair<std::int32_t, std::int32_t>& p) { return v < p.first; });
    if (it == r.begin()) return false;
    --it;
    return c <= it->second;
  }

  bool assert_ok(NodeKind k, std::size_t pos) const {
    std::int32_t before = pos > 0 ? static_cast<unsigned char>(s_[pos - 1]) : -1;
    std::int32_t after = pos < s_.size() ? static_cast<unsigned char>(s_[pos]) : -1;
    switch (k) {
      case NodeKind::BeginText: return pos == 0;
      case NodeKind::EndText: return pos == s_.size();
      case NodeKind::BeginLine: return pos == 0 || before == '\n';
      case NodeKind::EndLine: return pos == s_.size() || after == '\n';
      case NodeKind::WordB: return is_word(before) != is_word(after);
      case NodeKind::NoWordB: return is_word(before) == is_word(after);
      default: return true;
    }
  }

  // Follows empty-width instructions; each pc joins a list once per position.
  void add(std::vector<Thread>& list, int pc, std::size_t pos, const std::vector<int>& caps) {
    // `seen_` is keyed by generation so that clearing costs nothing; the
    // generation of the list being built is generation_ + 1 during a step.
    long gen = generation_ + 1;
    if (seen_[static_cast<std::size_t>(pc)] == gen) return;
    seen_[static_cast<std::size_t>(pc)] = gen;
    const Inst& in = p_.insts[static_cast<std::size_t>(pc)];
    switch (in.op) {
      case Op::Jmp: add(list, in.x, pos, caps); return;
      case Op::Split:
        add(list, in.x, pos, caps);
        add(list, in.y, pos, caps);
        return;
      case Op::Save:
        if (in.x < nslots_) {
          std::vector<int> c = caps;
          c[static_cast<std::size_t>(in.x)] = static_cast<int>(pos);
          add(list, pc + 1, pos, c);
        } else {
          add(list, pc + 1, pos, caps);
        }
        return;
      case Op::Assert:
        if (assert_ok(in.assert_kind, pos)) add(list, pc + 1, pos, caps);
        return;
      default: list.push_back({pc, caps}); return;
    }
  }
};

}  // namespace

GoRegex::GoRegex(std::string_view pattern) : pattern_(pattern), prog_(std::make_unique<Program>()) {
  if (auto err = regex_error(pattern)) throw std::invalid_argument(*err);
  Parser parser(pattern);
  RNode root = parser.parse();
  prog_->groups = parser.groups;
  prog_->names = parser.names;
  Compiler c{prog_->insts, prog_->classes};
  c.compile(root);
  c.emit({Op::Match});
  classify(pattern, *prog_);
}

GoRegex::~GoRegex() = default;

int GoRegex::group_count() const { return prog_->groups; }

int GoRegex::group_index(std::string_view name) const {
  for (std::size_t i = 1; i < prog_->names.size(); ++i)
    if (prog_->names[i] == name) return static_cast<int>(i);
  return -1;
}

bool GoRegex::full_match(std::string_view s) const {
  const auto& lits = prog_->literals;
  switch (prog_->shape) {
    case Shape::Literal: return s == lits[0];
    case Shape::Alternatives: return std::find(lits.begin(), lits.end(), s) != lits.end();
    case Shape::Any: return s.find('\n') == std::string_view::npos;
    case Shape::NonEmpty: return !s.empty() && s.find('\n') == std::string_view::npos;
    case Shape::Prefix:
      return s.substr(0, lits[0].size()) == lits[0] && s.find('\n', lits[0].size()) == std::string_view::npos;
    case Shape::Suffix:
      return s.size() >= lits[0].size() && s.substr(s.size() - lits[0].size()) == lits[0] &&
             s.substr(0, s.size() - lits[0].size()).find('\n') == std::string_view::npos;
    case Shape::Contains: {
      if (s.find('\n') != std::string_view::npos) return false;
      return s.find(lits[0]) != std::string_view::npos;
    }
    case Shape::General: break;
  }
  std::vector<int> caps;
  return Vm(*prog_, s, false).run(caps);
}

bool GoRegex::full_match(std::string_view s, std::vector<std::pair<int, int>>& groups) const {
  std::vector<int> caps;
  if (!Vm(*prog_, s, true).run(caps)) return false;
  groups.assign(static_cast<std::size_t>(prog_->groups + 1), {-1, -1});
  for (int g = 0; g <= prog_->groups; ++g) {
    int a = caps[static_cast<std::size_t>(2 * g)], b = caps[static_cast<std::size_t>(2 * g + 1)];
    if (a >= 0 && b >= 0) groups[static_cast<std::size_t>(g)] = {a, b};
  }
  return true;
}

std::shared_ptr<const GoRegex> cached_regex(const std::string& pattern) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const GoRegex>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(pattern);
    if (it != cache.end()) return it->second;
  }
  auto re = std::make_shared<const GoRegex>(pattern);
  std::lock_guard<std::mutex> lock(mu);
  // A bound keeps a process that sees endless generated patterns from growing.
  if (cache.size() > 10000) cache.clear();
  cache.emplace(pattern, re);
  return re;
}

std::string expand_template(const GoRegex& re, std::string_view templ, std::string_view src,
                            const std::vector<std::pair<int, int>>& groups) {
  std::string out;
  auto group_text = [&](int g) {
    if (g < 0 || static_cast<std::size_t>(g) >= groups.size() || groups[static_cast<std::size_t>(g)].first < 0) return;
    const auto& span = groups[static_cast<std::size_t>(g)];
    out.append(src.substr(static_cast<std::size_t>(span.first), static_cast<std::size_t>(span.second - span.first)));
  };
  while (!templ.empty()) {
    std::size_t dollar = templ.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(templ.substr(0, dollar));
    templ.remove_prefix(dollar + 1);
    if (!templ.empty() && templ[0] == '$') {
      out.push_back('$');
      templ.remove_prefix(1);
      continue;
    }
    // Go's extract(): a name of letters, digits and '_', optionally in braces.
    std::string_view rest = templ;
    bool brace = !rest.empty() && rest[0] == '{';
    if (brace) rest.remove_prefix(1);
    std::size_t i = 0;
    while (i < rest.size()) {
      unsigned char c = static_cast<unsigned char>(rest[i]);
      if (!(c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) break;
      ++i;
    }
    bool ok = i > 0;
    std::string_view name = rest.substr(0, i);
    if (ok && brace) {
      if (i >= rest.size() || rest[i] != '}') ok = false;
      else ++i;
    }
    if (!ok) {
      out.push_back('$');
      continue;
    }
    templ = rest.substr(i);
    long num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;
    group_text(num >= 0 ? static_cast<int>(num) : re.group_index(name));
  }
  out.append(templ);
  return out;
}

}  // namespace greenlight::promql
