// SQL tokenizer and statement splitter for PostgreSQL and SQLite migration
// files. It follows the servers' own lexers closely enough that a semicolon
// inside a string, comment, dollar quote, parenthesis (psql does the same) or
// trigger/BEGIN ATOMIC body never ends a statement, and that every token knows
// its exact line and column in the file.
#include "suites/migration/sql_tokens.h"

#include <cctype>
#include <cstddef>

namespace greenlight {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool is_ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool is_ident_char(unsigned char c) { return is_ident_start(c) || std::isdigit(c) || c == '$'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// PostgreSQL's operator characters; a run of them is one operator token.
bool is_op_char(char c) {
  switch (c) {
    case '+': case '-': case '*': case '/': case '<': case '>': case '=': case '~':
    case '!': case '@': case '#': case '%': case '^': case '&': case '|': case '`': case '?':
      return true;
    default:
      return false;
  }
}

// A token plus where its bytes are, so that a statement's text can be cut
// out of the file exactly as written.
struct Lexeme {
  Token token;
  size_t begin = 0;
  size_t end = 0;
};

class Scanner {
 public:
  Scanner(std::string_view sql, Dialect dialect, int first_line)
      : sql_(sql), pg_(dialect == Dialect::postgresql), line_(first_line) {}

  std::vector<Lexeme> run() {
    std::vector<Lexeme> out;
    while (true) {
      skip_space();
      if (pos_ >= sql_.size()) break;
      out.push_back(next());
    }
    return out;
  }

 private:
  std::string_view sql_;
  bool pg_;
  size_t pos_ = 0;
  int line_;
  int column_ = 1;

  char peek(size_t ahead = 0) const { return pos_ + ahead < sql_.size() ? sql_[pos_ + ahead] : '\0'; }

  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && pos_ < sql_.size(); ++i) {
      if (sql_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
      ++pos_;
    }
  }

  void skip_space() {
    while (pos_ < sql_.size() && std::isspace(static_cast<unsigned char>(sql_[pos_]))) advance();
  }

  Lexeme make(TokenKind kind, size_t begin, int line, int column, std::string text) {
    Lexeme l;
    l.token.kind = kind;
    l.token.text = std::move(text);
    l.token.line = line;
    l.token.column = column;
    l.begin = begin;
    l.end = pos_;
    return l;
  }

  std::string raw(size_t begin) const { return std::string(sql_.substr(begin, pos_ - begin)); }

  Lexeme next() {
    const size_t begin = pos_;
    const int line = line_, column = column_;
    const char c = peek();

    if (c == '-' && peek(1) == '-') {
      while (pos_ < sql_.size() && sql_[pos_] != '\n') advance();
      std::string text = raw(begin);
      if (!text.empty() && text.back() == '\r') text.pop_back();
      return make(TokenKind::comment, begin, line, column, text);
    }
    if (c == '/' && peek(1) == '*') return block_comment(begin, line, column);

    if (c == '\'') return quoted_string(begin, line, column, 0, false);
    if (is_ident_start(static_cast<unsigned char>(c))) {
      const char lc = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      // Prefixed literals: E'..' (escapes), B'..'/X'..' (bits), N'..', U&'..'.
      if (peek(1) == '\'') {
        if (pg_ && (lc == 'e' || lc == 'b' || lc == 'x' || lc == 'n')) return quoted_string(begin, line, column, 1, lc == 'e');
        if (!pg_ && lc == 'x') return quoted_string(begin, line, column, 1, false);
      }
      if (pg_ && lc == 'u' && peek(1) == '&') {
        if (peek(2) == '\'') return quoted_string(begin, line, column, 2, false);
        if (peek(2) == '"') {
          advance(2);
          Lexeme l = quoted_identifier(begin, line, column, '"', '"');
          return l;
        }
      }
      while (pos_ < sql_.size() && is_ident_char(static_cast<unsigned char>(sql_[pos_]))) advance();
      return make(TokenKind::word, begin, line, column, raw(begin));
    }
    if (c == '"') return quoted_identifier(begin, line, column, '"', '"');
    if (!pg_ && c == '`') return quoted_identifier(begin, line, column, '`', '`');
    if (!pg_ && c == '[') return quoted_identifier(begin, line, column, '[', ']');

    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number(begin, line, column);

    if (c == '$') {
      if (pg_) {
        size_t tag_len = dollar_tag_length();
        if (tag_len) return dollar_string(begin, line, column, tag_len);
      }
      // $1 (PostgreSQL parameter) or $name (SQLite parameter): one word.
      advance();
      while (pos_ < sql_.size() && (is_ident_char(static_cast<unsigned char>(sql_[pos_])))) advance();
      return make(TokenKind::word, begin, line, column, raw(begin));
    }

    if (c == ':') {
      advance();
      if (peek() == ':' || peek() == '=') advance();
      return make(TokenKind::punct, begin, line, column, raw(begin));
    }
    if (is_op_char(c)) return operator_token(begin, line, column);

    advance();
    return make(TokenKind::punct, begin, line, column, raw(begin));
  }

  Lexeme block_comment(size_t begin, int line, int column) {
    advance(2);
    int depth = 1;
    while (pos_ < sql_.size()) {
      if (peek() == '*' && peek(1) == '/') {
        advance(2);
        if (--depth == 0) return make(TokenKind::comment, begin, line, column, raw(begin));
      } else if (pg_ && peek() == '/' && peek(1) == '*') {
        // Only PostgreSQL nests block comments; SQLite ends at the first */.
        advance(2);
        ++depth;
      } else {
        advance();
      }
    }
    // SQLite would quietly run nothing after it; either way the statements
    // below it are lost, which is never what a migration meant.
    throw SqlSyntaxError("unterminated /* comment starting at line " + std::to_string(line), line);
  }

  // 'text' with '' doubling; `skip` prefix characters first; `backslash`
  // for E'..' where \x escapes the next character.
  Lexeme quoted_string(size_t begin, int line, int column, size_t skip, bool backslash) {
    advance(skip + 1);
    while (pos_ < sql_.size()) {
      char ch = peek();
      if (backslash && ch == '\\') {
        advance(2);
      } else if (ch == '\'') {
        if (peek(1) == '\'') {
          advance(2);
        } else {
          advance();
          return make(TokenKind::string, begin, line, column, raw(begin));
        }
      } else {
        advance();
      }
    }
    throw SqlSyntaxError("unterminated string literal starting at line " + std::to_string(line), line);
  }

  Lexeme quoted_identifier(size_t begin, int line, int column, char open, char close) {
    advance();  // the opening quote
    std::string name;
    while (pos_ < sql_.size()) {
      char ch = peek();
      if (ch == close) {
        // Doubling escapes the quote, except for [brackets] which have none.
        if (open == close && peek(1) == close) {
          name += close;
          advance(2);
          continue;
        }
        advance();
        return make(TokenKind::quoted_identifier, begin, line, column, name);
      }
      name += ch;
      advance();
    }
    std::string what = open == '[' ? "[bracketed] identifier" : std::string("quoted identifier ") + open + "...";
    throw SqlSyntaxError("unterminated " + what + " starting at line " + std::to_string(line), line);
  }

  Lexeme number(size_t begin, int line, int column) {
    auto digits = [&](auto accept) {
      while (pos_ < sql_.size() && (accept(peek()) || (peek() == '_' && accept(peek(1))))) advance();
    };
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') && std::isxdigit(static_cast<unsigned char>(peek(2)))) {
      advance(2);
      digits([](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
      return make(TokenKind::number, begin, line, column, raw(begin));
    }
    if (pg_ && peek() == '0' && (peek(1) == 'o' || peek(1) == 'O' || peek(1) == 'b' || peek(1) == 'B') && is_digit(peek(2))) {
      advance(2);
      digits(is_digit);
      return make(TokenKind::number, begin, line, column, raw(begin));
    }
    digits(is_digit);
    // "1..5" (a range in PL/pgSQL) keeps its dots out of the number.
    if (peek() == '.' && peek(1) != '.') {
      advance();
      digits(is_digit);
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
      advance(2);
      digits(is_digit);
    }
    return make(TokenKind::number, begin, line, column, raw(begin));
  }

  // Length of "$tag$" at pos_, 0 when it is not an opening dollar quote.
  size_t dollar_tag_length() const {
    size_t i = pos_ + 1;
    if (i < sql_.size() && sql_[i] == '$') return 2;
    if (i >= sql_.size() || !is_ident_start(static_cast<unsigned char>(sql_[i]))) return 0;
    while (i < sql_.size() && (is_ident_start(static_cast<unsigned char>(sql_[i])) || is_digit(sql_[i]))) ++i;
    if (i < sql_.size() && sql_[i] == '$') return i - pos_ + 1;
    return 0;
  }

  Lexeme dollar_string(size_t begin, int line, int column, size_t tag_len) {
    const std::string tag(sql_.substr(pos_, tag_len));
    advance(tag_len);
    size_t close = sql_.find(tag, pos_);
    if (close == std::string_view::npos)
      throw SqlSyntaxError("unterminated dollar-quoted string " + tag + " starting at line " + std::to_string(line), line);
    advance(close + tag_len - pos_);
    return make(TokenKind::string, begin, line, column, raw(begin));
  }

  Lexeme operator_token(size_t begin, int line, int column) {
    size_t end = pos_;
    while (end < sql_.size() && is_op_char(sql_[end])) {
      // A comment start ends the operator, as in PostgreSQL's lexer.
      if (end > pos_ && end + 1 < sql_.size() &&
          ((sql_[end] == '-' && sql_[end + 1] == '-') || (sql_[end] == '/' && sql_[end + 1] == '*')))
        break;
      ++end;
    }
    size_t len = end - pos_;
    // PostgreSQL: a multi-character operator cannot end in + or - unless it
    // holds one of ~ ! @ # % ^ & | ` ?, so "=-1" lexes as "=" "-" "1".
    if (len > 1) {
      std::string_view op = sql_.substr(pos_, len);
      bool special = op.find_first_of("~!@#%^&|`?") != std::string_view::npos;
      while (!special && len > 1 && (op[len - 1] == '+' || op[len - 1] == '-')) --len;
    }
    advance(len);
    return make(TokenKind::punct, begin, line, column, raw(begin));
  }
};

bool is_word(const Token& t, std::string_view w) { return t.kind == TokenKind::word && iequals(t.text, w); }

// Where a statement's body opens: SQLite CREATE [TEMP] TRIGGER ... BEGIN, or
// PostgreSQL CREATE FUNCTION/PROCEDURE ... BEGIN ATOMIC. Inside one, BEGIN
// and CASE open and END closes, and a ';' ends the statement only at depth 0.
class BlockTracker {
 public:
  explicit BlockTracker(bool pg) : pg_(pg) {}

  void reset() {
    words_ = 0;
    trigger_ = false;
    create_ = false;
    depth_ = 0;
    prev_begin_ = false;
  }

  void feed(const Token& t) {
    if (t.kind != TokenKind::word) {
      prev_begin_ = false;
      return;
    }
    ++words_;
    if (words_ == 1) create_ = is_word(t, "create");
    // CREATE [TEMP|TEMPORARY] TRIGGER: "trigger" is the 2nd or 3rd word.
    if (create_ && words_ <= 3 && is_word(t, "trigger")) trigger_ = !pg_;
    if (depth_ > 0) {
      if (is_word(t, "case")) ++depth_;
      else if (is_word(t, "end")) --depth_;
    } else if (trigger_ && is_word(t, "begin")) {
      depth_ = 1;
      opened_line_ = t.line;
    } else if (pg_ && create_ && prev_begin_ && is_word(t, "atomic")) {
      depth_ = 1;
      opened_line_ = t.line;
    }
    prev_begin_ = create_ && is_word(t, "begin");
  }

  bool open() const { return depth_ > 0; }
  int opened_line() const { return opened_line_; }
  bool is_trigger() const { return trigger_; }

 private:
  bool pg_;
  int words_ = 0;
  bool trigger_ = false;
  bool create_ = false;
  int depth_ = 0;
  bool prev_begin_ = false;
  int opened_line_ = 0;
};

}  // namespace

bool Token::is(std::string_view keyword) const { return is_word(*this, keyword); }

std::vector<Token> tokenize(std::string_view sql, Dialect dialect, int first_line) {
  std::vector<Token> out;
  for (auto& l : Scanner(sql, dialect, first_line).run()) out.push_back(std::move(l.token));
  return out;
}

std::vector<Statement> split_statements(std::string_view sql, Dialect dialect, int first_line) {
  const bool pg = dialect == Dialect::postgresql;
  std::vector<Lexeme> lexemes = Scanner(sql, dialect, first_line).run();
  std::vector<Statement> out;

  Statement current;
  size_t text_begin = 0, text_end = 0;
  int parens = 0;
  BlockTracker block(pg);

  auto finish = [&]() {
    if (!current.tokens.empty()) {
      current.text = std::string(sql.substr(text_begin, text_end - text_begin));
      out.push_back(std::move(current));
    }
    current = Statement{};
    parens = 0;
    block.reset();
  };

  for (auto& l : lexemes) {
    Token& t = l.token;
    if (t.kind == TokenKind::comment) {
      current.comments.push_back(t.text);
      continue;
    }
    // psql keeps a ';' inside parentheses (CREATE RULE ... DO (a; b)) in
    // the statement; SQLite has no such construct.
    if (t.kind == TokenKind::punct && t.text == ";" && !block.open() && (!pg || parens <= 0)) {
      finish();
      continue;
    }
    if (t.kind == TokenKind::punct && pg) {
      if (t.text == "(") ++parens;
      else if (t.text == ")") --parens;
    }
    block.feed(t);
    if (current.tokens.empty()) {
      current.line = t.line;
      text_begin = l.begin;
    }
    text_end = l.end;
    current.tokens.push_back(std::move(t));
  }
  if (block.open()) {
    const char* what = block.is_trigger() ? "CREATE TRIGGER body (BEGIN)" : "BEGIN ATOMIC body";
    throw SqlSyntaxError(std::string(what) + " starting at line " + std::to_string(block.opened_line()) +
                             " has no END before the end of the file",
                         block.opened_line());
  }
  finish();
  return out;
}

}  // namespace greenlight
