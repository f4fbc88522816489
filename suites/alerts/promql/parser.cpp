// A recursive-descent PromQL parser that reproduces Prometheus' yacc grammar
// (generated_parser.y): the same operator precedences, keywords usable as
// metric and label names where yacc allows them, the same errors recorded
// while parsing, and, when the syntax is sound, the type checks of checkAST in
// the same order, so the first error reported is the one Prometheus reports.
#include "suites/alerts/promql/parser.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <set>
#include <string>

#include "suites/alerts/promql/duration.h"
#include "suites/alerts/promql/functions.h"
#include "suites/alerts/promql/lexer.h"
#include "suites/alerts/promql/regex_check.h"

namespace greenlight::promql {

namespace {

using K = TokenKind;

// Thrown to stop at a syntax error; the error itself is already recorded.
struct SyntaxAbort {};

// Binary operator precedences, lowest first; -1 for anything else.
int binary_precedence(K k) {
  switch (k) {
    case K::Or: return 1;
    case K::And: case K::Unless: return 2;
    case K::Eqlc: case K::Neq: case K::Lss: case K::Lte: case K::Gtr: case K::Gte: return 3;
    case K::Add: case K::Sub: return 4;
    case K::Mul: case K::Div: case K::Mod: case K::Atan2: return 5;
    case K::Pow: return 6;
    default: return -1;
  }
}
constexpr int kPowPrecedence = 6;

// Guards for the recursive descent, the type check and the printer: real
// rules use a few hundred tokens and a dozen levels of nesting.
constexpr std::size_t kMaxTokens = 20000;
constexpr int kMaxNesting = 500;

BinOp to_bin_op(K k) {
  switch (k) {
    case K::Add: return BinOp::Add;
    case K::Sub: return BinOp::Sub;
    case K::Mul: return BinOp::Mul;
    case K::Div: return BinOp::Div;
    case K::Mod: return BinOp::Mod;
    case K::Pow: return BinOp::Pow;
    case K::Atan2: return BinOp::Atan2;
    case K::Eqlc: return BinOp::Eql;
    case K::Neq: return BinOp::Neq;
    case K::Gtr: return BinOp::Gtr;
    case K::Lss: return BinOp::Lss;
    case K::Gte: return BinOp::Gte;
    case K::Lte: return BinOp::Lte;
    case K::And: return BinOp::And;
    case K::Or: return BinOp::Or;
    default: return BinOp::Unless;
  }
}

AggOp to_agg_op(K k) {
  switch (k) {
    case K::Sum: return AggOp::Sum;
    case K::Avg: return AggOp::Avg;
    case K::Count: return AggOp::Count;
    case K::Min: return AggOp::Min;
    case K::Max: return AggOp::Max;
    case K::Group: return AggOp::Group;
    case K::Stddev: return AggOp::Stddev;
    case K::Stdvar: return AggOp::Stdvar;
    case K::Topk: return AggOp::Topk;
    case K::Bottomk: return AggOp::Bottomk;
    case K::CountValues: return AggOp::CountValues;
    case K::Quantile: return AggOp::Quantile;
    case K::Limitk: return AggOp::Limitk;
    default: return AggOp::LimitRatio;
  }
}

// Tokens yacc accepts as a metric name (its metric_identifier rule).
bool can_be_metric_name(K k) {
  return k == K::Identifier || k == K::MetricIdentifier || is_aggregator(k) || k == K::By || k == K::Without ||
         k == K::And || k == K::Or || k == K::Unless || k == K::Offset || k == K::Start || k == K::End;
}

bool can_start_expression(K k) {
  return k == K::Number || k == K::String || k == K::LeftParen || k == K::LeftBrace || k == K::Add || k == K::Sub ||
         can_be_metric_name(k);
}

// Tokens yacc accepts as a label in by/without/on/ignoring/group_x lists (its
// maybe_label rule). `without` and numbers such as `inf` are not among them.
bool can_be_grouping_label(K k) {
  return k == K::Identifier || k == K::MetricIdentifier || is_aggregator(k) || k == K::Bool || k == K::By ||
         k == K::GroupLeft || k == K::GroupRight || k == K::Ignoring || k == K::On || k == K::And || k == K::Or ||
         k == K::Unless || k == K::Offset || k == K::Start || k == K::End || k == K::Atan2;
}

bool is_label_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Go's strconv.ParseInt(s, 0, 64) on a lexer number token (no sign, no "_").
std::optional<double> go_parse_int(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
    if (d >= base) return std::nullopt;
    if (v > (static_cast<std::uint64_t>(INT64_MAX) - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base))
      return std::nullopt;  // out of range: Prometheus falls back to ParseFloat
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  return static_cast<double>(v);
}

// Go's strconv.ParseFloat(s, 64) on a lexer number token; "" on success.
std::string go_parse_float(std::string_view s, double& out) {
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf" || lower == "infinity") {
    out = HUGE_VAL;
    return "";
  }
  if (lower == "nan") {
    out = std::nan("");
    return "";
  }
  // Decimal only: a hexadecimal mantissa needs a 'p' exponent, which the lexer never produces.
  std::size_t i = 0, mantissa_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  }
  bool valid = mantissa_digits > 0;
  if (valid && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    valid = i > exp_start;
  }
  if (!valid || i != s.size()) return "invalid syntax";
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range) {
    // Go rounds underflow to zero silently and reports overflow.
    std::size_t e = lower.find('e');
    bool negative_exponent = e != std::string::npos && e + 1 < lower.size() && lower[e + 1] == '-';
    if (negative_exponent) {
      out = 0;
      return "";
    }
    return "value out of range";
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) return "invalid syntax";
  return "";
}

// Go's %f, as Prometheus prints an out-of-range @ timestamp.
std::string go_format_f(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

NodePtr make_node(PosRange pos, ValueType type) {
  auto n = std::make_unique<Node>();
  n->pos = pos;
  n->type = type;
  return n;
}

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input) {
    for (Token& t : lex_promql(input))
      if (t.kind != K::Comment) tokens_.push_back(std::move(t));
  }

  ParseResult run() {
    NodePtr root;
    try {
      if (tokens_.size() > kMaxTokens) {
        record({0, input_.size()}, "expression too long: more than " + std::to_string(kMaxTokens) + " tokens");
        throw SyntaxAbort{};
      }
      if (peek().kind == K::Eof) {
        record({0, 0}, "no expression found in input");
        throw SyntaxAbort{};
      }
      root = expression(1);
      if (peek().kind != K::Eof) unexpected(peek(), "", "");
    } catch (const SyntaxAbort&) {
    }
    // Like Prometheus, type-check only a tree that parsed cleanly.
    if (errors_.empty()) check(*root);
    ParseResult result;
    if (errors_.empty()) result.expr = std::move(root);
    result.errors = std::move(errors_);
    return result;
  }

 private:
  std::string_view input_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;      // index of the current token
  std::size_t last_end_ = 0;  // end of the last consumed token
  std::vector<ParseError> errors_;
  std::set<const Node*> bypass_empty_matcher_check_;  // info()'s label-only selector
  // Inside an aggregation's arguments, yacc recovers from a syntax error in
  // its `aggregate_op error` rule, which names the context "aggregation".
  int aggregation_depth_ = 0;
  int nesting_ = 0;

  // ---- tokens and errors ----

  const Token& peek() {
    const Token& t = tokens_[next_];
    if (t.kind == K::Error) {
      record({t.pos, input_.size()}, t.text);
      throw SyntaxAbort{};
    }
    return t;
  }
  K peek_kind(std::size_t ahead) const {
    std::size_t i = next_ + ahead;
    return i < tokens_.size() ? tokens_[i].kind : K::Eof;
  }
  Token advance() {
    Token t = peek();
    if (next_ + 1 < tokens_.size()) ++next_;
    last_end_ = t.end();
    return t;
  }

  void record(PosRange pos, std::string message) {
    ParseError e;
    e.pos = pos;
    e.message = std::move(message);
    errors_.push_back(std::move(e));
  }
  std::string unexpected_message(const Token& t, std::string_view context, std::string_view expected) const {
    std::string msg = "unexpected " + describe_token(t);
    if (!context.empty()) msg += " in " + std::string(context);
    if (!expected.empty()) msg += ", expected " + std::string(expected);
    return msg;
  }
  [[noreturn]] void unexpected(const Token& t, std::string_view context, std::string_view expected) {
    if (context.empty() && aggregation_depth_ > 0) context = "aggregation";
    record({t.pos, t.end()}, unexpected_message(t, context, expected));
    throw SyntaxAbort{};
  }
  static PosRange range_of(const Token& t) { return {t.pos, t.end()}; }

  // ---- expressions ----

  NodePtr expression(int min_precedence) {
    struct Nest {
      int& depth;
      ~Nest() { --depth; }
    } nest{++nesting_};
    if (nesting_ > kMaxNesting) {
      record(range_of(peek()), "expression nests too deeply: more than " + std::to_string(kMaxNesting) + " levels");
      throw SyntaxAbort{};
    }
    NodePtr lhs = unary();
    for (;;) {
      int prec = binary_precedence(peek().kind);
      if (prec < 0 || prec < min_precedence) return lhs;
      Token op = advance();
      Binary bin;
      bin.op = to_bin_op(op.kind);
      bin.op_pos = op.pos;
      bin.matching = binary_modifiers(bin.return_bool);
      // ^ is right-associative, everything else left-associative.
      NodePtr rhs = expression(op.kind == K::Pow ? prec : prec + 1);
      PosRange pos{lhs->pos.start, rhs->pos.end};
      ValueType type = lhs->type == ValueType::Scalar && rhs->type == ValueType::Scalar ? ValueType::Scalar
                                                                                        : ValueType::Vector;
      bin.lhs = std::move(lhs);
      bin.rhs = std::move(rhs);
      lhs = make_node(pos, type);
      lhs->data = std::move(bin);
    }
  }

  // A sign binds tighter than * but looser than ^ (-2^2 is -4).
  NodePtr unary() {
    K k = peek().kind;
    if (k != K::Add && k != K::Sub) return postfix(primary());
    Token op = advance();
    NodePtr operand = expression(kPowPrecedence);
    if (auto* num = operand->as<NumberLiteral>()) {
      if (k == K::Sub) num->value = -num->value;
      operand->pos.start = op.pos;
      return operand;
    }
    NodePtr node = make_node({op.pos, operand->pos.end}, operand->type);
    node->data = Unary{k == K::Sub ? UnaryOp::Minus : UnaryOp::Plus, std::move(operand)};
    return node;
  }

  NodePtr primary() {
    const Token& t = peek();
    switch (t.kind) {
      case K::Number: {
        Token tok = advance();
        NodePtr n = make_node(range_of(tok), ValueType::Scalar);
        n->data = NumberLiteral{number(tok)};
        return n;
      }
      case K::String: {
        Token tok = advance();
        NodePtr n = make_node(range_of(tok), ValueType::String);
        n->data = StringLiteral{unquote_string(tok.text)};
        return n;
      }
      case K::LeftParen: {
        Token lp = advance();
        NodePtr inner = expression(1);
        if (peek().kind != K::RightParen) unexpected(peek(), "", "");
        Token rp = advance();
        NodePtr n = make_node({lp.pos, rp.end()}, inner->type);
        n->data = Paren{std::move(inner)};
        return n;
      }
      case K::LeftBrace: return selector(false);
      case K::Identifier:
        if (peek_kind(1) == K::LeftParen) return call();
        return selector(true);
      default: break;
    }
    if (is_aggregator(t.kind)) {
      // `sum` alone, or `sum{job="x"}`, is a metric named sum.
      K after = peek_kind(1);
      if (after == K::LeftParen || after == K::By || after == K::Without) return aggregate();
      return selector(true);
    }
    if (can_be_metric_name(t.kind)) return selector(true);
    unexpected(t, "", "");
  }

  NodePtr selector(bool named) {
    VectorSelector vs;
    PosRange pos{peek().pos, peek().pos};
    if (named) {
      Token name = advance();
      vs.name = name.text;
      pos.end = name.end();
    }
    if (peek().kind == K::LeftBrace) pos.end = label_matchers(vs);
    NodePtr n = make_node(pos, ValueType::Vector);
    n->data = std::move(vs);
    return n;
  }

  // "{a="b", c=~"d"}"; returns the end of the closing brace.
  std::size_t label_matchers(VectorSelector& vs) {
    advance();  // {
    if (peek().kind == K::RightBrace) return advance().end();
    for (;;) {
      if (peek().kind != K::Identifier) unexpected(peek(), "label matching", "identifier or \"}\"");
      Token name = advance();
      LabelMatcher m;
      m.name = name.text;
      switch (peek().kind) {
        case K::Assign: m.op = MatchOp::Equal; break;
        case K::Neq: m.op = MatchOp::NotEqual; break;
        case K::EqlRegex: m.op = MatchOp::Regex; break;
        case K::NeqRegex: m.op = MatchOp::NotRegex; break;
        default: unexpected(peek(), "label matching", "label matching operator");
      }
      advance();
      if (peek().kind != K::String) unexpected(peek(), "label matching", "string");
      Token value = advance();
      m.value = unquote_string(value.text);
      m.pos = {name.pos, value.end()};
      if (m.op == MatchOp::Regex || m.op == MatchOp::NotRegex)
        if (auto err = matcher_regex_error(m.value)) record(m.pos, *err);
      vs.matchers.push_back(std::move(m));

      if (peek().kind == K::Comma) {
        advance();
        if (peek().kind == K::RightBrace) return advance().end();
        continue;
      }
      if (peek().kind == K::RightBrace) return advance().end();
      unexpected(peek(), "label matching", "\",\" or \"}\"");
    }
  }

  // "(a, b, ...)" after by/without/on/ignoring/group_left/group_right.
  std::vector<std::string> grouping_labels() {
    if (peek().kind != K::LeftParen) unexpected(peek(), "grouping opts", "\"(\"");
    advance();
    std::vector<std::string> labels;
    if (peek().kind == K::RightParen) {
      advance();
      return labels;
    }
    for (;;) {
      if (!can_be_grouping_label(peek().kind)) unexpected(peek(), "grouping opts", "label");
      Token label = advance();
      // Prometheus records this one and keeps parsing.
      if (!is_label_name(label.text)) record(range_of(label), unexpected_message(label, "grouping opts", "label"));
      labels.push_back(label.text);
      if (peek().kind == K::Comma) {
        advance();
        if (peek().kind == K::RightParen) break;
        continue;
      }
      if (peek().kind == K::RightParen) break;
      unexpected(peek(), "grouping opts", "\",\" or \")\"");
    }
    advance();  // )
    return labels;
  }

  VectorMatching binary_modifiers(bool& return_bool) {
    VectorMatching vm;
    if (peek().kind == K::Bool) {
      advance();
      return_bool = true;
    }
    K k = peek().kind;
    if (k != K::On && k != K::Ignoring) return vm;
    advance();
    vm.on = k == K::On;
    vm.labels = grouping_labels();
    k = peek().kind;
    if (k != K::GroupLeft && k != K::GroupRight) return vm;
    advance();
    vm.card = k == K::GroupLeft ? Cardinality::ManyToOne : Cardinality::OneToMany;
    // yacc shifts: "group_left (x)" is an include list, never the right operand.
    if (peek().kind == K::LeftParen) vm.include = grouping_labels();
    return vm;
  }

  // "(args)"; trailing commas are reported and skipped, as Prometheus does.
  // yacc reduces "args ," as soon as no expression can follow, so the
  // trailing-comma error comes before any error about the next token.
  std::vector<NodePtr> call_arguments() {
    advance();  // (
    std::vector<NodePtr> args;
    if (peek().kind == K::RightParen) {
      advance();
      return args;
    }
    args.push_back(expression(1));
    for (;;) {
      if (peek().kind == K::RightParen) {
        advance();
        return args;
      }
      if (peek().kind != K::Comma) unexpected(peek(), "", "");
      Token comma = advance();
      if (!can_start_expression(peek().kind)) {
        record(range_of(comma), "trailing commas not allowed in function call args");
        continue;
      }
      args.push_back(expression(1));
    }
  }

  NodePtr call() {
    Token name = advance();
    std::vector<NodePtr> args = call_arguments();
    const Function* f = find_function(name.text);
    if (!f) record(range_of(name), "unknown function with name " + quote_string(name.text));
    NodePtr n = make_node({name.pos, last_end_}, f ? f->return_type : ValueType::None);
    n->data = Call{f, std::move(args)};
    return n;
  }

  NodePtr aggregate() {
    Token op = advance();
    Aggregate agg;
    agg.op = to_agg_op(op.kind);
    bool has_modifier = false;
    auto modifier = [&] {
      K k = peek().kind;
      if (k != K::By && k != K::Without) return;
      advance();
      agg.without = k == K::Without;
      agg.grouping = grouping_labels();
      has_modifier = true;
    };
    modifier();
    if (peek().kind != K::LeftParen) unexpected(peek(), "aggregation", "");
    ++aggregation_depth_;
    std::vector<NodePtr> args = call_arguments();
    --aggregation_depth_;
    if (!has_modifier) modifier();
    PosRange pos{op.pos, last_end_};

    std::size_t wanted = agg_has_param(agg.op) ? 2 : 1;
    if (args.empty()) {
      record(pos, "no arguments for aggregate expression provided");
    } else if (args.size() != wanted) {
      record(pos, "wrong number of arguments for aggregate expression provided, expected " + std::to_string(wanted) +
                      ", got " + std::to_string(args.size()));
    } else {
      if (wanted == 2) agg.param = std::move(args[0]);
      agg.expr = std::move(args[wanted - 1]);
    }
    NodePtr n = make_node(pos, ValueType::Vector);
    n->data = std::move(agg);
    return n;
  }

  // ---- postfix modifiers: [range], [range:step], offset, @ ----

  NodePtr postfix(NodePtr node) {
    for (;;) {
      switch (peek().kind) {
        case K::LeftBracket: node = range_or_subquery(std::move(node)); break;
        case K::Offset: offset(*node); break;
        case K::At: at(*node); break;
        default: return node;
      }
    }
  }

  NodePtr range_or_subquery(NodePtr node) {
    Token lb = advance();
    if (peek().kind != K::Duration) unexpected(peek(), "subquery selector", "duration");
    std::int64_t range = duration(advance());
    if (peek().kind == K::RightBracket) {
      Token rb = advance();
      auto* vs = node->as<VectorSelector>();
      const char* err = nullptr;
      if (!vs) err = "ranges only allowed for vector selectors";
      else if (vs->offset_ms != 0) err = "no offset modifiers allowed before range";
      else if (vs->at.kind != At::Kind::None) err = "no @ modifiers allowed before range";
      if (err) record({lb.pos, rb.end()}, err);
      NodePtr n = make_node({node->pos.start, rb.end()}, ValueType::Matrix);
      n->data = MatrixSelector{std::move(node), range};
      return n;
    }
    if (peek().kind != K::Colon) unexpected(peek(), "subquery or range", "\":\" or \"]\"");
    advance();
    std::int64_t step = 0;
    if (peek().kind == K::Duration) {
      step = duration(advance());
      if (peek().kind != K::RightBracket) unexpected(peek(), "subquery selector", "\"]\"");
    } else if (peek().kind != K::RightBracket) {
      unexpected(peek(), "subquery selector", "duration or \"]\"");
    }
    Token rb = advance();
    NodePtr n = make_node({node->pos.start, rb.end()}, ValueType::Matrix);
    Subquery sq;
    sq.expr = std::move(node);
    sq.range_ms = range;
    sq.step_ms = step;
    n->data = std::move(sq);
    return n;
  }

  void offset(Node& node) {
    advance();  // offset
    bool negative = false;
    if (peek().kind == K::Sub) {
      advance();
      negative = true;
    }
    if (peek().kind != K::Duration) unexpected(peek(), "offset", "duration");
    std::int64_t value = duration(advance());
    if (negative) value = -value;

    std::int64_t* target = nullptr;
    if (auto* vs = node.as<VectorSelector>()) {
      target = &vs->offset_ms;
    } else if (auto* m = node.as<MatrixSelector>()) {
      auto* inner = m->selector->as<VectorSelector>();
      if (!inner) return record(node.pos, "ranges only allowed for vector selectors");
      target = &inner->offset_ms;
    } else if (auto* sq = node.as<Subquery>()) {
      target = &sq->offset_ms;
    } else {
      return record(node.pos,
                    "offset modifier must be preceded by an instant vector selector or range vector selector or a "
                    "subquery");
    }
    // A zero offset is already an error, so 0 means "not set".
    if (*target != 0) record(node.pos, "offset may not be set multiple times");
    else *target = value;
    node.pos.end = last_end_;
  }

  void at(Node& node) {
    advance();  // @
    At value;
    double seconds = 0;
    K k = peek().kind;
    if (k == K::Number || ((k == K::Add || k == K::Sub) && peek_kind(1) == K::Number)) {
      bool negative = k == K::Sub;
      if (k != K::Number) advance();
      seconds = number(advance());
      if (negative) seconds = -seconds;
      value.kind = At::Kind::Timestamp;
      if (std::isnan(seconds) || std::isinf(seconds) || seconds >= 9223372036854775807.0 ||
          seconds <= -9223372036854775808.0) {
        record(node.pos, "timestamp out of bounds for @ modifier: " + go_format_f(seconds));
        seconds = 0;
      }
      // Seconds within int64 can still be milliseconds beyond it (x @ 1e18):
      // casting those is UB in C++. Go's int64(f) there gives math.MinInt64
      // on amd64, which is what promtool then uses; so do we, explicitly.
      const double ms = std::round(seconds * 1000);
      value.timestamp_ms = ms >= 9223372036854775807.0 || ms < -9223372036854775808.0
                               ? std::numeric_limits<std::int64_t>::min()
                               : static_cast<std::int64_t>(ms);
    } else if (k == K::Start || k == K::End) {
      advance();
      if (peek().kind != K::LeftParen) unexpected(peek(), "@", "timestamp");
      advance();
      if (peek().kind != K::RightParen) unexpected(peek(), "@", "timestamp");
      advance();
      value.kind = k == K::Start ? At::Kind::Start : At::Kind::End;
    } else {
      unexpected(peek(), "@", "timestamp");
    }

    At* target = nullptr;
    if (auto* vs = node.as<VectorSelector>()) {
      target = &vs->at;
    } else if (auto* m = node.as<MatrixSelector>()) {
      auto* inner = m->selector->as<VectorSelector>();
      if (!inner) return record(node.pos, "ranges only allowed for vector selectors");
      target = &inner->at;
    } else if (auto* sq = node.as<Subquery>()) {
      target = &sq->at;
    } else {
      return record(node.pos,
                    "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    }
    if (target->kind != At::Kind::None) return record(node.pos, "@ <timestamp> may not be set multiple times");
    *target = value;
    node.pos.end = last_end_;
  }

  // ---- literals ----

  double number(const Token& t) {
    if (auto v = go_parse_int(t.text)) return *v;
    double v = 0;
    std::string err = go_parse_float(t.text, v);
    if (!err.empty())
      record(range_of(t), "error parsing number: strconv.ParseFloat: parsing " + quote_string(t.text) + ": " + err);
    return v;
  }

  std::int64_t duration(const Token& t) {
    std::string err;
    auto ms = parse_duration(t.text, &err);
    if (!ms) {
      record(range_of(t), err);
      return 0;
    }
    if (*ms == 0) record(range_of(t), "duration must be greater than 0");
    return *ms;
  }

  // ---- type checks (Prometheus' checkAST) ----

  void expect_type(Node& node, ValueType want, std::string_view context) {
    ValueType t = check(node);
    if (t != want)
      record(node.pos, "expected type " + std::string(documented_type(want)) + " in " + std::string(context) +
                           ", got " + std::string(documented_type(t)));
  }

  ValueType check(Node& node) {
    if (auto* agg = node.as<Aggregate>()) {
      expect_type(*agg->expr, ValueType::Vector, "aggregation expression");
      if (agg->op == AggOp::CountValues) expect_type(*agg->param, ValueType::String, "aggregation parameter");
      else if (agg->param) expect_type(*agg->param, ValueType::Scalar, "aggregation parameter");
    } else if (node.as<Binary>()) {
      check_binary(node);
    } else if (auto* call = node.as<Call>()) {
      check_call(node, *call);
    } else if (auto* paren = node.as<Paren>()) {
      check(*paren->expr);
    } else if (auto* un = node.as<Unary>()) {
      ValueType t = check(*un->expr);
      if (t != ValueType::Scalar && t != ValueType::Vector)
        record(node.pos, "unary expression only allowed on expressions of type scalar or instant vector, got " +
                             quote_string(documented_type(t)));
    } else if (auto* sq = node.as<Subquery>()) {
      ValueType t = check(*sq->expr);
      if (t != ValueType::Vector)
        record(node.pos, "subquery is only allowed on instant vector, got " + std::string(value_type_name(t)) +
                             " instead");
    } else if (auto* m = node.as<MatrixSelector>()) {
      check(*m->selector);
    } else if (auto* vs = node.as<VectorSelector>()) {
      check_selector(node, *vs);
    }
    return node.type;
  }

  void check_binary(Node& node) {
    auto& bin = *node.as<Binary>();
    ValueType lt = check(*bin.lhs), rt = check(*bin.rhs);
    PosRange op_range{bin.op_pos, bin.op_pos + bin_op_text(bin.op).size()};
    VectorMatching& vm = *bin.matching;

    if (bin.return_bool && !is_comparison(bin.op))
      record(op_range, "bool modifier can only be used on comparison operators");
    if (is_comparison(bin.op) && !bin.return_bool && bin.lhs->type == ValueType::Scalar &&
        bin.rhs->type == ValueType::Scalar)
      record(op_range, "comparisons between scalars must use BOOL modifier");
    if (is_set_operator(bin.op) && vm.card == Cardinality::OneToOne) vm.card = Cardinality::ManyToMany;
    if (vm.on)
      for (const auto& l : vm.labels)
        for (const auto& inc : vm.include)
          if (l == inc) record(op_range, "label " + quote_string(l) + " must not occur in ON and GROUP clause at once");
    if (lt != ValueType::Scalar && lt != ValueType::Vector)
      record(bin.lhs->pos, "binary expression must contain only scalar and instant vector types");
    if (rt != ValueType::Scalar && rt != ValueType::Vector)
      record(bin.rhs->pos, "binary expression must contain only scalar and instant vector types");

    if (lt != ValueType::Vector || rt != ValueType::Vector) {
      if (!vm.labels.empty()) record(node.pos, "vector matching only allowed between instant vectors");
      bin.matching.reset();
    } else if (is_set_operator(bin.op)) {
      if (vm.card == Cardinality::OneToMany || vm.card == Cardinality::ManyToOne)
        record(node.pos, "no grouping allowed for " + quote_string(bin_op_text(bin.op)) + " operation");
      if (vm.card != Cardinality::ManyToMany) record(node.pos, "set operations must always be many-to-many");
    }
    if ((lt == ValueType::Scalar || rt == ValueType::Scalar) && is_set_operator(bin.op))
      record(node.pos, "set operator " + quote_string(bin_op_text(bin.op)) + " not allowed in binary scalar expression");
  }

  void check_call(const Node& node, Call& call) {
    const Function& f = *call.func;
    std::string quoted = quote_string(f.name);
    std::size_t n = call.args.size();
    if (f.variadic == 0) {
      if (n != f.arg_types.size())
        record(node.pos, "expected " + std::to_string(f.arg_types.size()) + " argument(s) in call to " + quoted +
                             ", got " + std::to_string(n));
    } else if (n < f.min_args()) {
      record(node.pos, "expected at least " + std::to_string(f.min_args()) + " argument(s) in call to " + quoted +
                           ", got " + std::to_string(n));
    } else if (n > f.max_args()) {
      record(node.pos, "expected at most " + std::to_string(f.max_args()) + " argument(s) in call to " + quoted +
                           ", got " + std::to_string(n));
    }
    if (f.name == "info" && n > 1) check_info_labels(node, *call.args[1]);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t ti = i;
      if (ti >= f.arg_types.size()) {
        if (f.variadic == 0) break;
        ti = f.arg_types.size() - 1;
      }
      ValueType t = check(*call.args[i]);
      if (t != f.arg_types[ti])
        record(call.args[i]->pos, "expected type " + std::string(documented_type(f.arg_types[ti])) +
                                      " in call to function " + quoted + ", got " + std::string(documented_type(t)));
    }
  }

  // info()'s second argument selects labels of info metrics: a bare {...}.
  void check_info_labels(const Node& call_node, const Node& arg) {
    if (arg.type != ValueType::Vector)
      record(call_node.pos, "expected type instant vector in call to function \"info\", got " +
                                std::string(documented_type(arg.type)));
    auto* vs = arg.as<VectorSelector>();
    if (vs && !vs->name.empty()) record(arg.pos, "expected label selectors only, got vector selector instead");
    else if (vs) bypass_empty_matcher_check_.insert(&arg);
    else record(arg.pos, "expected label selectors only");
  }

  void check_selector(const Node& node, const VectorSelector& vs) {
    if (!vs.name.empty()) {
      for (const auto& m : vs.matchers)
        if (m.name == "__name__")
          record(node.pos, "metric name must not be set twice: " + quote_string(vs.name) + " or " +
                               quote_string(m.value));
      return;  // the name itself is a non-empty matcher
    }
    if (bypass_empty_matcher_check_.count(&node)) return;
    for (const auto& m : vs.matchers)
      if (!matcher_matches_empty(m)) return;
    // Without this rule a typo could select every series.
    record(node.pos, "vector selector must contain at least one non-empty matcher");
  }
};

}  // namespace

std::string ParseError::text() const {
  return std::to_string(line) + ":" + std::to_string(column) + ": parse error: " + message;
}

ParseResult parse_promql(std::string_view expr) {
  ParseResult result = Parser(expr).run();
  for (auto& e : result.errors) {
    std::size_t start = std::min(e.pos.start, expr.size());
    std::size_t line_start = 0;
    e.line = 1;
    for (std::size_t i = 0; i < start; ++i)
      if (expr[i] == '\n') {
        ++e.line;
        line_start = i + 1;
      }
    e.column = static_cast<int>(start - line_start) + 1;
  }
  return result;
}

NodePtr parse_promql_or_throw(std::string_view expr) {
  ParseResult r = parse_promql(expr);
  if (!r.ok()) throw PromqlError(r.error());
  return std::move(r.expr);
}

}  // namespace greenlight::promql
