// HTTP/1.1 client codec for the load engine: request bytes built once per
// endpoint, and an incremental response parser that accepts the bytes in any
// split (one byte at a time or several responses in one buffer) and keeps no
// copy of them.
//
// The parser is a plain struct of about a hundred bytes: no allocation, no
// exceptions, no locale. One instance per connection, reset() per request;
// not thread-safe (a connection belongs to one worker thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loadgen/body_match.h"
#include "loadgen/url.h"

namespace greenlight {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The whole request (head and body) as sent on the wire. Adds "Host" and
// "User-Agent: greenlight" unless `headers` has them, and "Content-Length"
// when there is a body or the method normally carries one (POST, PUT, PATCH).
// Throws std::invalid_argument for a method that is not a token, a header
// name that is not a token, a value with CR/LF, or a caller-supplied
// Content-Length / Transfer-Encoding (the engine computes the framing).
std::string build_request(std::string_view method, const Url& url, const HeaderList& headers,
                          std::string_view body);

class ResponseParser {
 public:
  enum class Result : uint8_t { incomplete, complete, error };
  // Status line plus headers (and, separately, the trailers) beyond this many
  // bytes are an error: a broken server must not make the client buffer or scan forever.
  static constexpr uint32_t kDefaultMaxHeaderBytes = 16 * 1024;
  // A chunk-size line (with extensions) beyond this is an error.
  static constexpr uint32_t kMaxChunkLineBytes = 4 * 1024;

  explicit ResponseParser(uint32_t max_header_bytes = kDefaultMaxHeaderBytes) : max_header_bytes_(max_header_bytes) {}

  // Before each response. head_request: the request was HEAD, so no body
  // follows whatever the headers say. body (optional) sees every body byte
  // (decoded from chunks), for expect_body_contains.
  void reset(bool head_request = false, BodyMatch* body = nullptr);

  // Consumes bytes up to the end of the current response and returns how
  // many it took; bytes after a complete response are left for the caller
  // (on a non-pipelined connection they are a protocol error). After an
  // error, consumes nothing more. Interim 1xx responses (except 101) are
  // skipped: the result is the final response.
  size_t feed(const char* data, size_t len);
  // The peer closed the connection: completes a body delimited by the close;
  // anything else unfinished becomes an error with closed_early() true.
  Result finish();

  Result result() const { return result_; }
  int status() const { return status_; }  // valid once the status line was read
  // Whether the connection may carry another request after this response.
  bool keep_alive() const { return keep_alive_; }
  bool started() const { return started_; }            // any byte of this response arrived
  bool closed_early() const { return closed_early_; }  // the error is a premature close, not bad bytes
  const char* error() const { return error_; }         // static text; "" unless result() is error
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  enum class S : uint8_t {
    version, code, after_code, reason, status_lf,
    header_start, name, value_ows, value, value_lf, headers_end_lf,
    chunk_size_start, chunk_size, chunk_ext, chunk_size_lf, chunk_data, chunk_data_cr, chunk_data_lf,
    body_length, body_eof, done, failed,
  };
  enum class H : uint8_t { other, content_length, transfer_encoding, connection };

  size_t fail(const char* why, size_t consumed);
  bool end_header_line();  // false: error set
  bool headers_done();     // false: error set
  void end_token();
  void start_head();
  const char* run_end(const char* p, const char* end) const;

  uint32_t max_header_bytes_;
  S state_ = S::version;
  Result result_ = Result::incomplete;
  bool head_request_ = false;
  bool started_ = false;
  bool closed_early_ = false;
  bool keep_alive_ = false;
  bool in_trailer_ = false;
  // Head parsing.
  uint8_t pos_ = 0;        // position within "HTTP/1.x" or the status code
  uint8_t minor_ = 0;
  int status_ = 0;
  uint32_t head_bytes_ = 0;
  H header_ = H::other;
  uint8_t name_len_ = 0;
  char name_[20];
  uint8_t tok_len_ = 0;
  char tok_[12];
  bool has_length_ = false, has_te_ = false, te_chunked_ = false, conn_close_ = false, conn_keep_alive_ = false;
  bool cl_digit_ = false, cl_space_after_ = false;
  uint64_t cl_value_ = 0, length_ = 0;
  // Body.
  uint64_t remaining_ = 0;
  uint64_t body_bytes_ = 0;
  BodyMatch* body_ = nullptr;
  const char* error_ = "";
};

}  // namespace greenlight
