// HTTP/1.1 request building and the incremental response parser (RFC 9112):
// a byte-at-a-time state machine for the status line, headers, chunk-size
// lines and trailers, and bulk skipping for body data.
#include "loadgen/http1.h"

#include <array>
#include <cstring>
#include <stdexcept>

namespace greenlight {

namespace {

constexpr std::array<bool, 256> make_tchar() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kTchar = make_tchar();

inline bool is_tchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }

// Bytes allowed inside a reason phrase or field value: HT, SP, VCHAR, obs-text.
constexpr std::array<bool, 256> make_field_text() {
  std::array<bool, 256> t{};
  t['\t'] = true;
  for (int c = 0x20; c < 0x7f; ++c) t[c] = true;
  for (int c = 0x80; c < 0x100; ++c) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> kFieldText = make_field_text();

inline const char* skip_run(const char* p, const char* end, const std::array<bool, 256>& allowed) {
  while (p < end && allowed[static_cast<unsigned char>(*p)]) ++p;
  return p;
}
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c | 0x20) : c; }
inline bool is_ctl(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Larger lengths are not real responses; refusing them keeps the arithmetic safe.
constexpr uint64_t kMaxLength = uint64_t(1) << 52;

}  // namespace

std::string build_request(std::string_view method, const Url& url, const HeaderList& headers,
                          std::string_view body) {
  if (!is_token(method)) throw std::invalid_argument("bad HTTP method '" + std::string(method) + "'");
  bool has_host = false, has_agent = false;
  for (const auto& [name, value] : headers) {
    if (!is_token(name)) throw std::invalid_argument("bad header name '" + name + "'");
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos)
      throw std::invalid_argument("header '" + name + "' has a line break in its value");
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding"))
      throw std::invalid_argument("header '" + name + "' is computed by the engine from the body");
    has_host |= iequals(name, "host");
    has_agent |= iequals(name, "user-agent");
  }
  std::string r;
  r.reserve(128 + url.target.size() + body.size());
  r.append(method).append(" ").append(url.target).append(" HTTP/1.1\r\n");
  if (!has_host) r.append("Host: ").append(url.host_header).append("\r\n");
  if (!has_agent) r.append("User-Agent: greenlight\r\n");
  for (const auto& [name, value] : headers) r.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  r.append("\r\n").append(body);
  return r;
}

void ResponseParser::start_head() {
  state_ = S::version;
  pos_ = 0;
  minor_ = 0;
  status_ = 0;
  head_bytes_ = 0;
  in_trailer_ = false;
  has_length_ = has_te_ = te_chunked_ = conn_close_ = conn_keep_alive_ = false;
  length_ = 0;
}

void ResponseParser::reset(bool head_request, BodyMatch* body) {
  start_head();
  result_ = Result::incomplete;
  head_request_ = head_request;
  started_ = false;
  closed_early_ = false;
  keep_alive_ = false;
  remaining_ = 0;
  body_bytes_ = 0;
  body_ = body;
  error_ = "";
}

size_t ResponseParser::fail(const char* why, size_t consumed) {
  state_ = S::failed;
  result_ = Result::error;
  error_ = why;
  keep_alive_ = false;
  return consumed;
}

void ResponseParser::end_token() {
  if (tok_len_ == 0) return;
  std::string_view tok(tok_, tok_len_ <= sizeof tok_ ? tok_len_ : 0);  // over-long: matches nothing
  if (header_ == H::transfer_encoding) {
    has_te_ = true;
    te_chunked_ = tok == "chunked";  // only the last coding decides the framing
  } else if (header_ == H::connection) {
    if (tok == "close") conn_close_ = true;
    if (tok == "keep-alive") conn_keep_alive_ = true;
  }
  tok_len_ = 0;
}

bool ResponseParser::end_header_line() {
  if (in_trailer_) return true;  // trailers never change the framing
  switch (header_) {
    case H::content_length:
      if (!cl_digit_) {
        fail("bad Content-Length", 0);
        return false;
      }
      if (has_length_ && cl_value_ != length_) {
        fail("conflicting Content-Length headers", 0);
        return false;
      }
      has_length_ = true;
      length_ = cl_value_;
      break;
    case H::transfer_encoding:
    case H::connection:
      end_token();
      break;
    case H::other:
      break;
  }
  return true;
}

bool ResponseParser::headers_done() {
  if (in_trailer_) {
    state_ = S::done;
    result_ = Result::complete;
    return true;
  }
  if (status_ < 200) {
    // 101 would hand the connection to another protocol we never asked for.
    if (status_ == 101) {
      fail("unexpected 101 Switching Protocols", 0);
      return false;
    }
    start_head();  // an interim response: the real one follows
    return true;
  }
  keep_alive_ = minor_ >= 1 ? !conn_close_ : (conn_keep_alive_ && !conn_close_);
  if (head_request_ || status_ == 204 || status_ == 304) {
    state_ = S::done;
    result_ = Result::complete;
  } else if (has_te_) {
    // RFC 9112 6.3: Transfer-Encoding overrides Content-Length; a final coding
    // other than chunked means the body runs to the close.
    if (te_chunked_) {
      state_ = S::chunk_size_start;
      remaining_ = 0;
      head_bytes_ = 0;
    } else {
      state_ = S::body_eof;
      keep_alive_ = false;
    }
  } else if (has_length_) {
    remaining_ = length_;
    state_ = S::body_length;
    if (remaining_ == 0) {
      state_ = S::done;
      result_ = Result::complete;
    }
  } else {
    state_ = S::body_eof;
    keep_alive_ = false;
  }
  return true;
}

// Where a skipped run must stop: the end of the data, or one byte past the
// header allowance (so an endless header fails without reading further).
const char* ResponseParser::run_end(const char* p, const char* end) const {
  size_t allowance = max_header_bytes_ >= head_bytes_ ? size_t(max_header_bytes_ - head_bytes_) + 1 : 0;
  return size_t(end - p) > allowance ? p + allowance : end;
}

size_t ResponseParser::feed(const char* data, size_t len) {
  if (state_ == S::done || state_ == S::failed) return 0;
  if (len > 0) started_ = true;
  const char* p = data;
  const char* end = data + len;

  while (p < end) {
    switch (state_) {
      // Bulk body states first: they carry almost all the bytes.
      case S::body_length:
      case S::chunk_data: {
        size_t n = size_t(end - p) < remaining_ ? size_t(end - p) : size_t(remaining_);
        if (body_) body_->feed(p, n);
        body_bytes_ += n;
        remaining_ -= n;
        p += n;
        if (remaining_ == 0) {
          if (state_ == S::body_length) {
            state_ = S::done;
            result_ = Result::complete;
            return size_t(p - data);
          }
          state_ = S::chunk_data_cr;
        }
        continue;
      }
      case S::body_eof: {
        size_t n = size_t(end - p);
        if (body_) body_->feed(p, n);
        body_bytes_ += n;
        p = end;
        continue;
      }
      case S::done:
      case S::failed:
        return size_t(p - data);
      // Runs of bytes that need no decision (a reason phrase, the value of a
      // header we do not interpret, a header name) are skipped in a tight
      // loop; the byte that ends the run goes through the state machine.
      case S::reason:
      case S::value: {
        if (state_ == S::value && header_ != H::other) break;
        const char* q = skip_run(p, run_end(p, end), kFieldText);
        head_bytes_ += uint32_t(q - p);
        p = q;
        if (head_bytes_ > max_header_bytes_) return fail(in_trailer_ ? "trailers too large" : "response headers too large", size_t(p - data));
        if (p == end) continue;
        break;
      }
      case S::name: {
        // A local length: stores into name_ (chars) could alias the member,
        // which would force a reload per byte.
        const char* q = p;
        const char* stop = run_end(p, end);
        size_t len = name_len_;
        while (q < stop && is_tchar(*q)) {
          if (len < sizeof name_) name_[len] = lower(*q);
          ++len;
          ++q;
        }
        name_len_ = uint8_t(len < 255 ? len : 255);
        head_bytes_ += uint32_t(q - p);
        p = q;
        if (head_bytes_ > max_header_bytes_) return fail(in_trailer_ ? "trailers too large" : "response headers too large", size_t(p - data));
        if (p == end) continue;
        break;
      }
      default:
        break;
    }

    // Byte states: head, chunk-size lines, trailers.
    char c = *p++;
    size_t consumed = size_t(p - data);
    bool in_chunk_line = state_ >= S::chunk_size_start && state_ <= S::chunk_size_lf;
    if (in_chunk_line) {
      if (++head_bytes_ > kMaxChunkLineBytes) return fail("chunk-size line too long", consumed);
    } else if (++head_bytes_ > max_header_bytes_) {
      return fail(in_trailer_ ? "trailers too large" : "response headers too large", consumed);
    }

    switch (state_) {
      case S::version: {
        static constexpr char kPrefix[] = "HTTP/1.";
        if (pos_ < 7) {
          if (c != kPrefix[pos_]) return fail(pos_ < 5 ? "malformed status line" : "unsupported HTTP version", consumed);
          ++pos_;
        } else if (pos_ == 7) {
          if (c < '0' || c > '9') return fail("malformed status line", consumed);
          minor_ = uint8_t(c - '0');
          ++pos_;
        } else {
          if (c != ' ') return fail("malformed status line", consumed);
          pos_ = 0;
          state_ = S::code;
        }
        break;
      }
      case S::code:
        if (c < '0' || c > '9') return fail("malformed status code", consumed);
        status_ = status_ * 10 + (c - '0');
        if (++pos_ == 3) {
          if (status_ < 100) return fail("malformed status code", consumed);
          state_ = S::after_code;
        }
        break;
      case S::after_code:
        if (c == ' ') state_ = S::reason;
        else if (c == '\r') state_ = S::status_lf;
        else if (c == '\n') state_ = S::header_start;
        else return fail("malformed status line", consumed);
        break;
      case S::reason:
        if (c == '\r') state_ = S::status_lf;
        else if (c == '\n') state_ = S::header_start;
        else if (is_ctl(c)) return fail("control character in status line", consumed);
        break;
      case S::status_lf:
        if (c != '\n') return fail("malformed status line", consumed);
        state_ = S::header_start;
        break;

      case S::header_start:
        if (c == '\r') {
          state_ = S::headers_end_lf;
        } else if (c == '\n') {
          if (!headers_done()) return consumed;
          if (state_ == S::done) return consumed;
        } else if (is_tchar(c)) {
          name_[0] = lower(c);
          name_len_ = 1;
          state_ = S::name;
        } else {
          // Includes obsolete line folding (a line starting with SP/HT).
          return fail("malformed header line", consumed);
        }
        break;
      case S::name:
        if (is_tchar(c)) {
          if (name_len_ < sizeof name_) name_[name_len_] = lower(c);
          if (name_len_ < 255) ++name_len_;
        } else if (c == ':') {
          std::string_view name(name_, name_len_ <= sizeof name_ ? name_len_ : 0);
          header_ = H::other;
          if (!in_trailer_) {
            if (name == "content-length") header_ = H::content_length;
            else if (name == "transfer-encoding") header_ = H::transfer_encoding;
            else if (name == "connection") header_ = H::connection;
          }
          tok_len_ = 0;
          cl_digit_ = cl_space_after_ = false;
          cl_value_ = 0;
          state_ = S::value_ows;
        } else {
          return fail("malformed header line", consumed);
        }
        break;
      case S::value_ows:
        if (c == ' ' || c == '\t') break;
        state_ = S::value;
        [[fallthrough]];
      case S::value:
        if (c == '\r') {
          state_ = S::value_lf;
        } else if (c == '\n') {
          if (!end_header_line()) return consumed;
          state_ = S::header_start;
        } else if (is_ctl(c)) {
          return fail("control character in header value", consumed);
        } else if (header_ == H::content_length) {
          if (c >= '0' && c <= '9') {
            if (cl_space_after_) return fail("bad Content-Length", consumed);
            cl_value_ = cl_value_ * 10 + uint64_t(c - '0');
            if (cl_value_ > kMaxLength) return fail("Content-Length too large", consumed);
            cl_digit_ = true;
          } else if (c == ' ' || c == '\t') {
            cl_space_after_ = true;
          } else {
            return fail("bad Content-Length", consumed);
          }
        } else if (header_ != H::other) {
          if (c == ',' || c == ' ' || c == '\t') {
            end_token();
          } else {
            if (tok_len_ < sizeof tok_) tok_[tok_len_] = lower(c);
            if (tok_len_ < 255) ++tok_len_;
          }
        }
        break;
      case S::value_lf:
        if (c != '\n') return fail("malformed header line", consumed);
        if (!end_header_line()) return consumed;
        state_ = S::header_start;
        break;
      case S::headers_end_lf:
        if (c != '\n') return fail("malformed end of headers", consumed);
        if (!headers_done()) return consumed;
        if (state_ == S::done) return consumed;
        break;

      case S::chunk_size_start:
      case S::chunk_size: {
        int v = hex_value(c);
        if (v >= 0) {
          if (remaining_ > (kMaxLength >> 4)) return fail("chunk size too large", consumed);
          remaining_ = remaining_ * 16 + uint64_t(v);
          state_ = S::chunk_size;
          break;
        }
        if (state_ == S::chunk_size_start) return fail("bad chunk size", consumed);
        if (c == ';' || c == ' ' || c == '\t') {
          state_ = S::chunk_ext;
          break;
        }
        if (c == '\r') {
          state_ = S::chunk_size_lf;
          break;
        }
        if (c != '\n') return fail("bad chunk size", consumed);
      }
        [[fallthrough]];
      case S::chunk_size_lf:
        if (c != '\n') return fail("bad chunk-size line", consumed);
        head_bytes_ = 0;
        if (remaining_ == 0) {
          in_trailer_ = true;  // last chunk: trailers (often none) and the final CRLF
          state_ = S::header_start;
        } else {
          state_ = S::chunk_data;
        }
        break;
      case S::chunk_ext:
        if (c == '\r') state_ = S::chunk_size_lf;
        else if (c == '\n') {
          --p;  // let chunk_size_lf handle it
          state_ = S::chunk_size_lf;
          --head_bytes_;
        } else if (is_ctl(c)) return fail("control character in chunk extension", consumed);
        break;
      case S::chunk_data_cr:
        if (c == '\r') state_ = S::chunk_data_lf;
        else if (c == '\n') state_ = S::chunk_size_start;
        else return fail("missing CRLF after chunk data", consumed);
        head_bytes_ = 0;
        break;
      case S::chunk_data_lf:
        if (c != '\n') return fail("missing CRLF after chunk data", consumed);
        state_ = S::chunk_size_start;
        head_bytes_ = 0;
        break;
      default:
        break;
    }
  }
  return size_t(p - data);
}

ResponseParser::Result ResponseParser::finish() {
  if (state_ == S::body_eof) {
    state_ = S::done;
    result_ = Result::complete;
  } else if (state_ != S::done && state_ != S::failed) {
    fail(started_ ? "connection closed mid-response" : "connection closed before the response", 0);
    closed_early_ = true;
  }
  return result_;
}

}  // namespace greenlight
